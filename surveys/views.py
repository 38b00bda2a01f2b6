from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.decorators import hr_required
from accounts.roles import get_roles
from scorecards.models import DepartmentScore
from scorecards.reports import latest_published_cycle
from survey_portal.celery import enqueue

from . import notifications, services
from .forms import AnswerForm, CycleForm, RepeatForm
from .models import Cycle, Draft, Invitation
from .services import SurveyError
from .tasks import reminders_send_task

# --- employee ---------------------------------------------------------------------------------


def _employee(request):
    employee = get_roles(request).employee
    if employee is None:
        raise PermissionDenied("This page is for employees.")
    return employee


def my_surveys(request):
    """The employee's home: open cycles with progress, and the departments they rate."""
    employee = _employee(request)
    cycles: dict[int, dict] = {}
    for invitation in services.open_invitations_for(employee):
        entry = cycles.setdefault(invitation.cycle_id, {"cycle": invitation.cycle, "invitations": [], "done": 0})
        entry["invitations"].append(invitation)
        entry["done"] += not invitation.is_pending
    for entry in cycles.values():
        entry["total"] = len(entry["invitations"])
        entry["percent"] = round(100 * entry["done"] / entry["total"])
    next_cycle = Cycle.objects.filter(status=Cycle.Status.SCHEDULED).order_by("opens_at").first()
    providers = list(employee.department.providers.active().order_by("name"))
    published = latest_published_cycle()
    if published is not None:
        scores = {
            s.department_id: s for s in DepartmentScore.objects.filter(cycle=published, department__in=providers)
        }
        for provider in providers:
            provider.published_score = scores.get(provider.pk)
    context = {
        "employee": employee,
        "cycles": list(cycles.values()),
        "next_cycle": next_cycle,
        "providers": providers,
        "published": published,
    }
    return render(request, "surveys/my_surveys.html", context)


def _invitation_for(request, cycle_id: int, provider_code: str) -> Invitation:
    """The signed-in employee's own invitation, or 404: nobody can open another person's survey."""
    return get_object_or_404(
        Invitation.objects.select_related("cycle", "provider"),
        cycle_id=cycle_id,
        provider__code=provider_code,
        employee=_employee(request),
    )


def answer(request, cycle_id: int, provider_code: str):
    invitation = _invitation_for(request, cycle_id, provider_code)
    questions = services.questions(invitation)
    draft = Draft.objects.filter(invitation=invitation).first()
    action = request.POST.get("action", "submit")
    if request.method == "POST":
        form = AnswerForm(request.POST, questions=questions, complete=action == "submit")
        if form.is_valid():
            try:
                if action == "draft":
                    services.draft_save(
                        invitation=invitation,
                        scores=form.scores(),
                        comment_good=form.cleaned_data["comment_good"],
                        comment_improve=form.cleaned_data["comment_improve"],
                    )
                    messages.success(
                        request, f"Your draft for {invitation.provider.name} was saved. Only you can see it."
                    )
                else:
                    services.response_submit(
                        invitation=invitation,
                        scores=form.scores(),
                        comment_good=form.cleaned_data["comment_good"],
                        comment_improve=form.cleaned_data["comment_improve"],
                    )
                    messages.success(
                        request, f"Your ratings for {invitation.provider.name} were submitted anonymously."
                    )
            except SurveyError as error:
                messages.error(request, str(error))
            return redirect("surveys:my_surveys")
    else:
        form = AnswerForm(initial=AnswerForm.initial_from(draft), questions=questions)
    unavailable = None
    try:
        services._check_answerable(invitation)
    except SurveyError as error:
        unavailable = str(error)
    context = {
        "invitation": invitation,
        "cycle": invitation.cycle,
        "form": form,
        "draft": draft,
        "unavailable": unavailable,
    }
    return render(
        request, "surveys/answer.html", context, status=409 if unavailable and invitation.is_pending else 200
    )


@require_POST
def decline(request, cycle_id: int, provider_code: str):
    invitation = _invitation_for(request, cycle_id, provider_code)
    try:
        services.invitation_decline(invitation=invitation)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Noted: no interaction with {invitation.provider.name} this period.")
    return redirect("surveys:my_surveys")


# --- HR ---------------------------------------------------------------------------------------


def participation(cycle: Cycle) -> dict:
    """Invited, completed, declined and rate, overall and per department (slowest first)."""

    def rows(by: str) -> list[dict]:
        result = []
        for row in Invitation.objects.filter(cycle=cycle).participation(by):
            answered = row["completed"] + row["declined"]
            result.append(
                {
                    "name": row[f"{by}__name"],
                    "code": row[f"{by}__code"],
                    "invited": row["invited"],
                    "completed": row["completed"],
                    "declined": row["declined"],
                    "rate": round(100 * answered / row["invited"]) if row["invited"] else 0,
                }
            )
        return sorted(result, key=lambda r: (r["rate"], r["name"]))

    totals = Invitation.objects.filter(cycle=cycle).aggregate(
        invited=Count("id"),
        completed=Count("id", filter=Q(status=Invitation.Status.COMPLETED)),
        declined=Count("id", filter=Q(status=Invitation.Status.DECLINED)),
        employees=Count("employee", distinct=True),
    )
    answered = totals["completed"] + totals["declined"]
    totals["rate"] = round(100 * answered / totals["invited"]) if totals["invited"] else 0
    return {"totals": totals, "by_rater": rows("rater_department"), "by_provider": rows("provider")}


@hr_required
def cycle_list(request):
    cycles = Cycle.objects.annotate(provider_count=Count("providers", distinct=True)).order_by("-opens_at")
    page = Paginator(cycles, 25).get_page(request.GET.get("page"))
    return render(request, "surveys/cycle_list.html", {"page": page})


@hr_required
def cycle_create(request):
    form = CycleForm(request.POST or None, initial=CycleForm.initial_for_new())
    if request.method == "POST" and form.is_valid():
        cycle = form.save()
        messages.success(request, f"“{cycle.name}” was saved as a draft. Check the preview, then launch it.")
        return redirect(cycle)
    return render(request, "surveys/cycle_form.html", {"form": form, "cycle": None})


@hr_required
def cycle_edit(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    if cycle.is_finished:
        messages.error(request, "A closed cycle cannot be edited.")
        return redirect(cycle)
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"“{cycle.name}” was saved.")
        return redirect(cycle)
    return render(request, "surveys/cycle_form.html", {"form": form, "cycle": cycle})


@hr_required
def cycle_detail(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    context = {"cycle": cycle, "providers": cycle.providers.order_by("name")}
    if cycle.is_editable:
        context["preview"] = services.cycle_preview(cycle=cycle)
    else:
        context["participation"] = participation(cycle)
        if request.GET.get("partial") == "participation":
            # Polled by static/js/live.js while the cycle is open.
            return render(request, "surveys/_participation.html", context)
    return render(request, "surveys/cycle_detail.html", context)


@hr_required
def cycle_launch(request, pk: int):
    """Confirm, then launch: the cycle opens at its time (or now, if that time has passed)."""
    cycle = get_object_or_404(Cycle, pk=pk)
    if cycle.status != Cycle.Status.DRAFT:
        messages.error(request, "Only a draft cycle can be launched.")
        return redirect(cycle)
    if request.method == "POST":
        services.cycle_schedule(cycle=cycle)
        if cycle.is_open:
            messages.success(request, f"“{cycle.name}” is open. Invitations are on their way.")
        else:
            messages.success(request, f"“{cycle.name}” is scheduled and opens by itself at the set time.")
        return redirect(cycle)
    context = {"cycle": cycle, "preview": services.cycle_preview(cycle=cycle), "now": timezone.now()}
    return render(request, "surveys/cycle_launch.html", context)


@hr_required
@require_POST
def cycle_open_now(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    created = services.cycle_open(cycle_id=cycle.pk)
    if created is None:
        messages.error(request, "This cycle is not waiting to open.")
    else:
        messages.success(request, f"“{cycle.name}” is open: {created} invitations created, emails on their way.")
    return redirect(cycle)


@hr_required
@require_POST
def cycle_close_now(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    if services.cycle_close(cycle_id=cycle.pk):
        messages.success(request, f"“{cycle.name}” is closed. No more answers are accepted.")
    else:
        messages.error(request, "This cycle is not open.")
    return redirect(cycle)


@hr_required
@require_POST
def cycle_publish(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    try:
        services.cycle_publish(cycle=cycle)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{cycle.name}” is published: every employee can see the scorecards.")
    return redirect(cycle)


@hr_required
def cycle_repeat(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk)
    form = RepeatForm(request.POST or None, initial={"name": f"{cycle.name} (next)"})
    if request.method == "POST" and form.is_valid():
        new = services.cycle_repeat(cycle=cycle, period=form.cleaned_data["period"], name=form.cleaned_data["name"])
        messages.success(request, f"“{new.name}” was created as a draft from “{cycle.name}”.")
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
        request, f"{created} new invitation{'s' if created != 1 else ''} for people who joined since opening."
    )
    return redirect(cycle)


@hr_required
@require_POST
def cycle_remind(request, pk: int):
    cycle = get_object_or_404(Cycle, pk=pk, status=Cycle.Status.OPEN)
    if enqueue(reminders_send_task, cycle.pk, notifications.manual_reminder_kind()):
        messages.success(
            request, "A reminder is on its way to everyone with a department left to rate (once a day at most)."
        )
    else:
        messages.error(
            request, "The reminder could not be queued (the task service is unavailable). Try again shortly."
        )
    return redirect(cycle)
