"""Thank-you notes and the recognition wall: sending a note, the wall (awards, approved nominations,
notes) and its feed, HR hiding a note, a head's email preference."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.decorators import head_required, hr_required, member_required
from departments.models import Department, ServiceParameter
from departments.roles import employee_of, get_roles
from survey_portal.query import query_choice, query_page
from survey_portal.text import refused_character

from . import notes
from .models import Award, Nomination, NotePreference, ThankYouNote
from .note_forms import UNNAMED_NOTICE, HideForm, PreferenceForm, ThankForm

NOTES_PER_PAGE = 20


def _safe_next(request) -> str | None:
    """`next` when it is a local address of this site, else None."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or len(target) > 2000 or refused_character(target):
        return None
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=True):
        return target
    return None


@member_required
def thank(request):
    """Thank a department, or named colleagues in it. Without script, choosing the department is a
    first step (the "Show its people" button reloads the form for it); static/js/thanks.js does it
    as the choice changes."""
    sender = employee_of(request)
    next_url = _safe_next(request)
    if request.method == "POST" and "choose" not in request.POST:
        form = ThankForm(request.POST, sender=sender)
        if form.is_valid():
            data = form.cleaned_data
            try:
                note = notes.note_send(
                    sender=sender,
                    department=data["department"],
                    colleagues=list(data["colleagues"]),
                    parameter=data["parameter"],
                    message=data["message"],
                    show_name=data["show_name"],
                )
            except notes.NoteError as error:
                form.add_error(None, str(error))
            else:
                names = ", ".join(sorted(c.full_name for c in note.colleagues.all())) or note.department.name
                messages.success(request, _("Your thank-you note to %(names)s was sent.") % {"names": names})
                return redirect(next_url or "recognition:wall")
    elif request.method == "POST":  # the no-script first step: show the chosen department's people
        form = ThankForm(initial=request.POST.dict(), sender=sender)
    else:
        codes = list(Department.objects.active().exclude(pk=sender.department_id).values_list("code", flat=True))
        chosen = query_choice(request, "department", codes, label=_("department"))
        form = ThankForm(initial={"department": chosen or None, "show_name": True}, sender=sender)
    context = {
        "form": form,
        "department": form.chosen,
        "next": next_url or "",
        "unnamed_notice": UNNAMED_NOTICE,
        "sent_today": notes.sent_today(sender),
        "limit": notes.NOTES_PER_DAY,
    }
    return render(request, "recognition/thank.html", context)


@member_required
def wall(request):
    roles = get_roles(request)
    departments = list(Department.objects.active().order_by("name").only("code", "name"))
    department_code = query_choice(request, "department", [d.code for d in departments], label=_("department"))
    department = next((d for d in departments if d.code == department_code), None)
    parameters = ServiceParameter.objects.filter(active=True, department__active=True)
    if department is not None:
        parameters = parameters.filter(department=department)
    parameter_choices = dict(parameters.order_by("name").values_list("code", "name"))
    parameter_code = query_choice(request, "parameter", parameter_choices, label=_("charter parameter"))

    awards = Award.objects.standing().select_related("criterion", "department", "employee__user", "cycle")
    nominations = Nomination.objects.filter(status=Nomination.Status.APPROVED).select_related(
        "criterion", "department", "employee__user", "parameter", "nominator__user", "award"
    )
    listed = ThankYouNote.objects.all() if roles.can_hide_notes else notes.notes_visible()
    if department is not None:
        awards = awards.filter(department=department)
        nominations = nominations.filter(department=department)
        listed = listed.filter(department=department)
    if parameter_code:
        nominations = nominations.filter(parameter__code=parameter_code)
        listed = listed.filter(parameter__code=parameter_code)
    cycles: dict = {}
    for award in awards.order_by("-cycle__opens_at", "-awarded_at")[:60]:
        cycles.setdefault(award.cycle, []).append(award)
    context = {
        "departments": departments,
        "department": department,
        "parameter_choices": parameter_choices,
        "parameter_code": parameter_code,
        "award_cycles": list(cycles.items()),
        "nominations": list(nominations.order_by("-reviewed_at", "-created_at")[:30]),
        "page": query_page(request, notes.notes_for_listing(listed), NOTES_PER_PAGE),
        "can_hide": roles.can_hide_notes,
        "hide_form": HideForm() if roles.can_hide_notes else None,
        "filtered": bool(department or parameter_code),
    }
    return render(request, "recognition/wall.html", context)


@hr_required
@require_POST
def note_hide(request, pk: int):
    note = get_object_or_404(ThankYouNote, pk=pk)
    form = HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the note is hidden (a line of text), then press Hide again."))
    elif notes.note_hide(note=note, by=request.user, reason=form.cleaned_data["reason"]):
        messages.success(request, _("The note is hidden everywhere. Who hid it and why are kept with it."))
    else:
        messages.error(request, _("That note was already hidden."))
    return redirect(_safe_next(request) or "recognition:wall")


@head_required
def preferences(request):
    employee = employee_of(request)
    preference = NotePreference.objects.filter(employee=employee).first() or NotePreference(employee=employee)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.instance.weekly_digest:
            messages.success(request, _("Saved: you will get one weekly digest of thank-you notes."))
        else:
            messages.success(request, _("Saved: you will get an email for each thank-you note."))
        return redirect("recognition:preferences")
    return render(request, "recognition/preferences.html", {"form": form})
