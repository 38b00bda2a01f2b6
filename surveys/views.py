from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.decorators import hr_required
from departments.languages import content_language, in_language
from departments.roles import employee_of
from survey_portal.celery import enqueue
from survey_portal.query import query_choice, query_page

from . import notifications, services
from .forms import AnswerForm, CycleForm, RepeatForm
from .models import Cycle, FrozenCycleError, Invitation, Questionnaire
from .reports import STATUS_BADGES, changes_done, departments_with_too_few_responses, participation, survey_url
from .services import SurveyError
from .tasks import reminders_send_task

# --- employee ---------------------------------------------------------------------------------


def _invitation_for(request, cycle_id: int, department_code: str) -> Invitation:
    """The signed-in employee's own invitation, or 404: nobody can open another person's survey.

    Found through the signed-in user rather than their employee record: a submission costs one
    query less. Someone who is no employee gets 403, as on every employee page.
    """
    invitation = Invitation.objects.invitation_of_user(request.user, cycle_id, department_code)
    if invitation is None:
        employee_of(request)
        raise Http404("No such survey for you.")
    return invitation


def _wants_json(request) -> bool:
    """The survey page's script (static/js/survey.js) sends its forms with fetch and reads JSON."""
    return request.headers.get("Accept", "").startswith("application/json")


def survey(request, cycle_id: int):
    """One cycle's survey: every department this employee rates, one section each.

    static/js/survey.js shows one department at a time and sends each form in the background; without
    it the sections follow each other and each form is an ordinary post (answer, below).
    """
    invitations = Invitation.objects.survey_invitations_of(employee_of(request), cycle_id)
    if not invitations:
        raise Http404("No survey for you in this cycle.")
    return _render_survey(request, invitations)


# Stands for the CSRF token in a cached section: each page puts its own in (see _blank_section). Only
# the attribute is replaced: escaped text (a department's description...) cannot contain a quote.
CSRF_PLACEHOLDER = "CSRF-TOKEN-PLACEHOLDER"
CSRF_ATTRIBUTE = f'value="{CSRF_PLACEHOLDER}"'
# Stands for the section's "you said, we did" in a cached section: it changes as the department
# writes progress updates, and is kept apart (_changes_done_html). Escaped text cannot contain "<".
CHANGES_DONE_PLACEHOLDER = "<!-- changes-done -->"
CHANGES_DONE_SECONDS = 60


def _render_survey(request, invitations: list[Invitation], bound: AnswerForm | None = None):
    """The survey page. Its template reads plain values (no model lookups in loops): it is the
    most opened page at a deadline."""
    cycle = invitations[0].cycle
    unavailable = None
    try:
        services.check_cycle_answerable(cycle)
    except SurveyError as error:
        unavailable = str(error)
    sections, token = [], get_token(request)
    changes = {} if unavailable else _changes_done_html(cycle)
    _questions_in_language(invitations)
    for number, invitation in enumerate(invitations, start=1):
        draft = invitation.draft
        changes_html = changes.get(invitation.department_id, "")
        badge_class, badge = STATUS_BADGES[invitation.progress]
        section = {
            "number": number,
            "code": invitation.department.code,
            "name": invitation.department.name,
            "status": invitation.status,
            "badge_class": badge_class,
            "badge": badge,
            "invitation": invitation,
            "draft": draft,
            "changes_done": changes_html,
            "html": None,
        }
        if invitation.is_pending and not unavailable:
            if bound is not None and bound.prefix == invitation.department.code:
                section["form"] = bound
            elif draft is not None:
                section["form"] = AnswerForm(
                    initial=AnswerForm.initial_from(draft),
                    questions=invitation.questions,
                    action_feedback=invitation.asks_action_feedback,
                    prefix=invitation.department.code,
                )
            else:
                section["html"] = _blank_section(invitation, token, changes_html)
        sections.append(section)
    done = sum(not i.is_pending for i in invitations)
    context = {
        "cycle": cycle,
        "closes_at": cycle.closes_at,
        "days_left": cycle.days_left,
        "sections": sections,
        "unavailable": unavailable,
        "done": done,
        "total": len(invitations),
        "percent": round(100 * done / len(invitations)),
        "csrf_token": token,  # one for the whole page (the sign-out form's too)
        "my_surveys_url": resolve_url(settings.EMPLOYEE_HOME_URL),
        # Offered right after a department's section is submitted (the recognition app's form).
        "thanks_url": resolve_url(settings.THANKS_URL),
        "survey_path": request.path,
    }
    return render(request, "surveys/survey.html", context)


def _questions_in_language(invitations: list[Invitation]) -> None:
    """Each invitation's questions in the reader's language (the cycle keeps them as its charter
    said them, in English): one query for the page, none in English."""
    if content_language() == "en":
        return
    asked: dict[int, list] = {}
    for question in in_language(question for invitation in invitations for question in invitation.questions):
        asked.setdefault(question.department_id, []).append(question)
    for invitation in invitations:
        invitation.__dict__["questions"] = asked.get(invitation.department_id, [])


def _changes_done_html(cycle: Cycle) -> dict[int, str]:
    """Each department's "you said, we did" box in this cycle (surveys/_changes_done.html), by
    department id; none where it did nothing. The same for everyone: each process keeps it for
    CHANGES_DONE_SECONDS, so that a progress update the department writes shows within a minute."""
    opened = cycle.opened_at.timestamp() if cycle.opened_at else 0
    key = f"survey-changes-done:{cycle.pk}:{opened}:{get_language()}"
    html = cache.get(key)
    if html is None:
        html = {
            department_id: render_to_string(
                "surveys/_changes_done.html", {"department": items[0].department, "items": items}
            )
            for department_id, items in changes_done(cycle).items()
        }
        cache.set(key, html, CHANGES_DONE_SECONDS)
    return {department_id: mark_safe(text) for department_id, text in html.items()}  # noqa: S308 - our own rendering


def _blank_section(invitation: Invitation, csrf_token: str, changes_done_html: str = "") -> str:
    """A department's section before anything is chosen: the same for everyone but the CSRF token
    (and the "you said, we did" box, which changes as the department writes), so each process
    renders it once per cycle and department and pages put their token in. At a deadline this page
    is opened thousands of times a minute, and rendering its questions was most of its cost."""
    cycle, department = invitation.cycle, invitation.department
    shown = hashlib.md5(
        "|".join(
            [department.code, department.name, department.description, get_language() or ""]
            + [f"{question.name}|{question.description}" for question in invitation.questions]
        ).encode(),
        usedforsecurity=False,
    )
    opened = cycle.opened_at.timestamp() if cycle.opened_at else 0
    key = f"survey-section:{cycle.pk}:{opened}:{department.pk}:{shown.hexdigest()}"
    html = cache.get(key)
    if html is None:
        form = AnswerForm(
            questions=invitation.questions,
            action_feedback=invitation.asks_action_feedback,
            prefix=invitation.department.code,
        )
        context = {
            "invitation": invitation,
            "cycle": cycle,
            "form": form,
            "csrf_token": CSRF_PLACEHOLDER,
            "changes_done": mark_safe(CHANGES_DONE_PLACEHOLDER),  # noqa: S308 - a constant
        }
        html = render_to_string("surveys/_section.html", context)
        cache.set(key, html, 24 * 3600)
    # The token is [A-Za-z0-9]: nothing to escape; the box is our own rendering.
    html = html.replace(CSRF_ATTRIBUTE, f'value="{csrf_token}"').replace(CHANGES_DONE_PLACEHOLDER, changes_done_html)
    return mark_safe(html)  # noqa: S308 - our own rendering


def answer(request, cycle_id: int, department_code: str):
    """One department's form: save a draft, or submit (final). Its page is a section of the survey."""
    if request.method != "POST":
        _invitation_for(request, cycle_id, department_code)
        return redirect(survey_url(cycle_id, department_code))
    action = request.POST.get("action")
    if action not in ("submit", "draft"):
        _invitation_for(request, cycle_id, department_code)
        # Never guess: a draft taken for a final submission could not be undone.
        return _refused(
            request, cycle_id, department_code, _("Choose “Submit” or “Save draft”. Nothing was saved."), 400
        )
    if action == "submit":
        # The common case in one statement, without reading the invitation (see response_submit_as);
        # anything else takes the full path below, which says why or does it.
        questionnaire = Questionnaire.at(cycle_id, department_code)
        if questionnaire is not None:
            form = AnswerForm(
                request.POST,
                questions=questionnaire.questions,
                action_feedback=questionnaire.asks_action_feedback,
                prefix=department_code,
            )
            if form.is_valid() and services.response_submit_as(
                user=request.user, questionnaire=questionnaire, **_answers(form)
            ):
                return _done(
                    request, cycle_id, department_code, "completed", _submitted(questionnaire.department.name)
                )
    invitation = _invitation_for(request, cycle_id, department_code)
    form = AnswerForm(
        request.POST,
        questions=in_language(invitation.questions),  # its errors name the questions as the page does
        complete=action == "submit",
        action_feedback=invitation.asks_action_feedback,
        prefix=department_code,
    )
    if not form.is_valid():
        return _form_errors(request, invitation, form)
    name = invitation.department.name
    try:
        if action == "draft":
            services.draft_save(invitation=invitation, **_answers(form))
        else:
            services.response_submit(invitation=invitation, **_answers(form))
    except SurveyError as error:
        return _refused(request, cycle_id, department_code, str(error))
    if action == "draft":
        return _done(
            request,
            cycle_id,
            department_code,
            "draft",
            _("Your draft for %(name)s was saved. Only you can see it.") % {"name": name},
        )
    return _done(request, cycle_id, department_code, "completed", _submitted(name))


def _answers(form: AnswerForm) -> dict:
    return {
        "scores": form.scores(),
        "comment_good": form.cleaned_data["comment_good"],
        "comment_improve": form.cleaned_data["comment_improve"],
        "action_feedback": form.action_feedback(),
    }


def _submitted(name: str) -> str:
    return _("Your ratings for %(name)s were submitted anonymously.") % {"name": name}


def _form_errors(request, invitation: Invitation, form: AnswerForm):
    """The form again, with what is missing or wrong marked, and nothing stored."""
    if _wants_json(request):
        html = render_to_string(
            "surveys/_answer_form.html", {"invitation": invitation, "form": form, "cycle": invitation.cycle}, request
        )
        if form.has_error("comment_good") or form.has_error("comment_improve"):
            error = _("Nothing was saved: please correct the comment marked.")
        else:
            error = _("Nothing was submitted: please complete the questions marked.")
        return JsonResponse({"error": error, "form": html}, status=400)
    return _render_survey(
        request, Invitation.objects.survey_invitations_of(employee_of(request), invitation.cycle_id), bound=form
    )


@require_POST
def decline(request, cycle_id: int, department_code: str):
    invitation = _invitation_for(request, cycle_id, department_code)
    try:
        services.invitation_decline(invitation=invitation)
    except SurveyError as error:
        return _refused(request, cycle_id, department_code, str(error))
    name = invitation.department.name
    return _done(
        request,
        cycle_id,
        department_code,
        "declined",
        _("Noted: no interaction with %(name)s this period.") % {"name": name},
    )


def _done(request, cycle_id: int, code: str, status: str, message: str):
    """Tell the script what happened, or (without it) go on to the next department with a message."""
    if _wants_json(request):
        return JsonResponse({"status": status, "message": message})
    if status == "draft":
        messages.success(request, message)
        return redirect(survey_url(cycle_id, code))
    left = list(
        Invitation.objects.filter(cycle_id=cycle_id, employee__user=request.user, status=Invitation.Status.PENDING)
        .order_by("department__name")
        .values_list("department__code", flat=True)
    )
    if not left:
        last = _("That was the last one: thank you.")
        messages.success(request, f"{message} {last}")
        return redirect(settings.EMPLOYEE_HOME_URL)
    left_text = ngettext("%(count)d department left.", "%(count)d departments left.", len(left)) % {"count": len(left)}
    messages.success(request, f"{message} {left_text}")
    return redirect(survey_url(cycle_id, left[0]))


def _refused(request, cycle_id: int, code: str, reason: str, status: int = 409):
    if _wants_json(request):
        return JsonResponse({"error": reason}, status=status)
    messages.error(request, reason)
    return redirect(survey_url(cycle_id, code))


# --- HR ---------------------------------------------------------------------------------------


@hr_required
def cycle_list(request):
    cycles = Cycle.objects.annotate(department_count=Count("departments", distinct=True)).order_by("-opens_at")
    page = query_page(request, cycles, 25)
    return render(request, "surveys/cycle_list.html", {"page": page})


@hr_required
def cycle_create(request):
    form = CycleForm(request.POST or None, initial=CycleForm.initial_for_new())
    if request.method == "POST" and form.is_valid():
        cycle = form.save()
        messages.success(
            request, _("“%(name)s” was saved as a draft. Check the preview, then launch it.") % {"name": cycle.name}
        )
        return redirect(cycle)
    return render(request, "surveys/cycle_form.html", {"form": form, "cycle": None})


@hr_required
def cycle_edit(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    if cycle.is_finished:
        messages.error(request, _("A closed cycle cannot be edited."))
        return redirect(cycle)
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except (FrozenCycleError, IntegrityError):
            # It opened (or closed) while the form was open: what it fixed then stays as it was.
            messages.error(
                request,
                _(
                    "This cycle opened while you were editing it: its departments and thresholds are now fixed. "
                    "Nothing was saved."
                ),
            )
            return redirect(cycle)
        messages.success(request, _("“%(name)s” was saved.") % {"name": cycle.name})
        return redirect(cycle)
    return render(request, "surveys/cycle_form.html", {"form": form, "cycle": cycle})


@hr_required
def cycle_detail(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    context: dict[str, Any] = {"cycle": cycle, "departments": cycle.departments.order_by("name")}
    if cycle.is_finished:
        context["results_url"] = f"{resolve_url(settings.RESULTS_URL)}?cycle={cycle.pk}"
    if cycle.is_editable:
        context["preview"] = services.cycle_preview(cycle=cycle)
    else:
        context["participation"] = participation(cycle)
        if query_choice(request, "partial", ["participation"], label=_("part of the page")) == "participation":
            # Polled by static/js/live.js while the cycle is open.
            return render(request, "surveys/_participation.html", context)
    return render(request, "surveys/cycle_detail.html", context)


@hr_required
def cycle_launch(request, pk: int):
    """Confirm, then launch: the cycle opens at its time (or now, if that time has passed)."""
    cycle = get_object_or_404(Cycle, pk=pk)
    if cycle.status != Cycle.Status.DRAFT:
        messages.error(request, _("Only a draft cycle can be launched."))
        return redirect(cycle)
    if request.method == "POST":
        services.cycle_schedule(cycle=cycle)
        if cycle.is_open:
            messages.success(request, _("“%(name)s” is open. Invitations are on their way.") % {"name": cycle.name})
        else:
            messages.success(
                request, _("“%(name)s” is scheduled and opens by itself at the set time.") % {"name": cycle.name}
            )
        return redirect(cycle)
    context = {"cycle": cycle, "preview": services.cycle_preview(cycle=cycle), "now": timezone.now()}
    return render(request, "surveys/cycle_launch.html", context)


@hr_required
@require_POST
def cycle_open_now(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    created = services.cycle_open(cycle_id=cycle.pk)
    if created is None:
        messages.error(request, _("This cycle is not waiting to open."))
    else:
        messages.success(
            request,
            _("“%(name)s” is open: %(count)s invitations created, emails on their way.")
            % {"name": cycle.name, "count": created},
        )
    return redirect(cycle)


@hr_required
def cycle_close_now(request, pk: int):
    """Confirm, saying what closing does, then close."""
    cycle = get_object_or_404(Cycle, pk=pk)
    if not cycle.is_open:
        messages.error(request, _("This cycle is not open."))
        return redirect(cycle)
    if request.method == "POST":
        if services.cycle_close(cycle_id=cycle.pk):
            messages.success(request, _("“%(name)s” is closed. No more answers are accepted.") % {"name": cycle.name})
        else:
            messages.error(request, _("This cycle is not open."))
        return redirect(cycle)
    pending = Q(status=Invitation.Status.PENDING)
    people = Invitation.objects.filter(cycle=cycle).aggregate(
        employees=Count("employee_id", distinct=True),
        waiting=Count("employee_id", distinct=True, filter=pending),
        drafts=Count("pk", filter=pending & Q(draft_saved_at__isnull=False)),
    )
    short, rated = departments_with_too_few_responses(cycle)
    context = {"cycle": cycle, **people, "short": short, "rated": rated}
    return render(request, "surveys/cycle_close.html", context)


@hr_required
def cycle_publish(request, pk: int):
    """Confirm, warning when most departments have too few responses to show, then publish."""
    cycle = get_object_or_404(Cycle, pk=pk)
    if cycle.status != Cycle.Status.CLOSED:
        messages.error(request, _("Only a closed cycle can be published."))
        return redirect(cycle)
    if request.method == "POST":
        try:
            services.cycle_publish(cycle=cycle)
        except SurveyError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("“%(name)s” is published: every employee can see the scorecards.") % {"name": cycle.name}
            )
        return redirect(cycle)
    short, rated = departments_with_too_few_responses(cycle)
    context = {"cycle": cycle, "short": short, "rated": rated, "most_short": 2 * len(short) > rated}
    return render(request, "surveys/cycle_publish.html", context)


@hr_required
def cycle_repeat(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    form = RepeatForm(request.POST or None, initial=RepeatForm.initial_for(cycle))
    if request.method == "POST" and form.is_valid():
        new = services.cycle_repeat(cycle=cycle, period=form.cleaned_data["period"], name=form.cleaned_data["name"])
        messages.success(
            request, _("“%(new)s” was created as a draft from “%(name)s”.") % {"new": new.name, "name": cycle.name}
        )
        return redirect("surveys:cycle_edit", pk=new.pk)
    return render(request, "surveys/cycle_repeat.html", {"cycle": cycle, "form": form})


@hr_required
@require_POST
def cycle_invite_new(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk, status=Cycle.Status.OPEN)
    created = services.invitations_create(cycle=cycle)
    if created:
        from .tasks import invitations_send_task

        enqueue(invitations_send_task, cycle.pk)
    messages.success(
        request,
        ngettext(
            "%(count)d new invitation for people who joined since opening.",
            "%(count)d new invitations for people who joined since opening.",
            created,
        )
        % {"count": created},
    )
    return redirect(cycle)


@hr_required
@require_POST
def cycle_remind(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk, status=Cycle.Status.OPEN)
    if enqueue(reminders_send_task, cycle.pk, notifications.manual_reminder_kind()):
        messages.success(
            request, _("A reminder is on its way to everyone with a department left to rate (once a day at most).")
        )
    else:
        messages.error(
            request, _("The reminder could not be queued (the task service is unavailable). Try again shortly.")
        )
    return redirect(cycle)
