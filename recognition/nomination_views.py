"""Nominations: an employee nominates and follows their nominations; HR and the panel review them
(approve into an award, decline, merge a duplicate); HR names the panel."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from departments.decorators import hr_required, member_required, reviewer_required
from departments.models import Department
from departments.roles import employee_of, get_roles
from survey_portal.query import query_choice, query_page

from . import services
from .models import Nomination, PanelMember
from .nomination_forms import (
    DUPLICATE,
    NOT_ANONYMOUS_NOTICE,
    ApproveForm,
    DeclineForm,
    MergeForm,
    NominateForm,
    PanelAddForm,
)


@member_required
def nominate(request):
    """Nominate a department, or a named colleague in another department. Without script, choosing
    the department is a first step (the "Show its people" button reloads the form for it)."""
    nominator = employee_of(request)
    if request.method == "POST" and "choose" not in request.POST:
        form = NominateForm(request.POST, nominator=nominator)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    nomination = Nomination.objects.create(nominator=nominator, **data)
            except IntegrityError:  # the same nomination sent twice at once: the constraint says no
                form.add_error(None, DUPLICATE)
            else:
                who = nomination.employee.full_name if nomination.employee else nomination.department.name
                messages.success(
                    request, _("Your nomination of %(who)s is sent to HR and the review panel.") % {"who": who}
                )
                return redirect("recognition:my_nominations")
    elif request.method == "POST":
        form = NominateForm(initial=request.POST.dict(), nominator=nominator)
    else:
        codes = list(Department.objects.active().exclude(pk=nominator.department_id).values_list("code", flat=True))
        chosen = query_choice(request, "department", codes, label=_("department"))
        form = NominateForm(initial={"department": chosen or None}, nominator=nominator)
    context = {"form": form, "department": form.chosen, "notice": NOT_ANONYMOUS_NOTICE}
    return render(request, "recognition/nominate.html", context)


@member_required
def my_nominations(request):
    nominator = employee_of(request)
    nominations = (
        Nomination.objects.filter(nominator=nominator)
        .select_related("criterion", "department", "employee__user", "award")
        .order_by("-created_at")
    )
    return render(request, "recognition/my_nominations.html", {"page": query_page(request, nominations, 20)})


@reviewer_required
def nominations(request):
    """Pending first, grouped by criterion and nominee so duplicates show together; then the decided ones."""
    show = query_choice(request, "show", ["decided"], label=_("choice of nominations"))
    listed = Nomination.objects.select_related(
        "criterion", "department", "employee__user", "nominator__user", "parameter"
    )
    roles = get_roles(request)
    if not roles.is_hr and roles.employee is not None:  # a panel member never reviews their own
        listed = listed.exclude(employee=roles.employee).exclude(nominator=roles.employee)
    if show == "decided":
        decided = listed.exclude(status=Nomination.Status.PENDING).order_by("-reviewed_at", "-created_at")
        return render(
            request, "recognition/nominations.html", {"show": show, "page": query_page(request, decided, 30)}
        )
    pending = list(
        listed.filter(status=Nomination.Status.PENDING).order_by(
            "criterion__name", "department__name", "employee_id", "created_at"
        )
    )
    groups = [
        (rows[0], rows)
        for _, grouped in groupby(pending, key=lambda n: (n.criterion_id, n.department_id, n.employee_id))
        for rows in [list(grouped)]
    ]
    return render(request, "recognition/nominations.html", {"show": show, "groups": groups})


@reviewer_required
def nomination_review(request, pk: int):
    nomination = get_object_or_404(
        Nomination.objects.select_related(
            "criterion", "department", "employee__user", "nominator__user", "parameter", "merged_into", "award"
        ),
        pk=pk,
    )
    if not get_roles(request).can_review_nomination(nomination):
        raise PermissionDenied("Nobody reviews a nomination of themselves, or one they made: HR does.")
    approve_form = ApproveForm(initial={"citation": nomination.reason})
    decline_form = DeclineForm()
    merge_form = MergeForm(nomination=nomination)
    if request.method == "POST":
        action = request.POST.get("action")
        by = request.user
        try:
            if action == "approve":
                approve_form = ApproveForm(request.POST)
                if approve_form.is_valid():
                    services.nomination_approve(
                        nomination=nomination, citation=approve_form.cleaned_data["citation"], by=by
                    )
                    messages.success(request, _("Approved: the award is given and its recipients are told."))
                    return redirect("recognition:nominations")
            elif action == "decline":
                decline_form = DeclineForm(request.POST)
                if decline_form.is_valid():
                    services.nomination_decline(
                        nomination=nomination, reason=decline_form.cleaned_data["decision_reason"], by=by
                    )
                    messages.success(request, _("Declined: the nominator reads your reason."))
                    return redirect("recognition:nominations")
            elif action == "merge":
                merge_form = MergeForm(request.POST, nomination=nomination)
                if merge_form.is_valid():
                    services.nomination_merge(nomination=nomination, into=merge_form.cleaned_data["into"], by=by)
                    messages.success(request, _("Merged: approving the other nomination awards them once."))
                    return redirect("recognition:nominations")
            else:
                messages.error(request, _("Choose approve, decline or merge."))
                return redirect("recognition:nomination_review", pk=nomination.pk)
        except services.NominationError as error:
            messages.error(request, str(error))
            return redirect("recognition:nomination_review", pk=nomination.pk)
    context = {
        "nomination": nomination,
        "approve_form": approve_form,
        "decline_form": decline_form,
        "merge_form": merge_form,
        "can_merge": bool(merge_form.fields["into"].queryset.exists())  # type: ignore[attr-defined]
        if nomination.status == Nomination.Status.PENDING
        else False,
        "merged": list(nomination.merged.select_related("nominator__user").order_by("created_at")),
    }
    return render(request, "recognition/nomination_review.html", context)


@hr_required
def panel(request):
    form = PanelAddForm()
    if request.method == "POST":
        if "remove" in request.POST:
            removed = request.POST.get("remove", "")
            if removed.isascii() and removed.isdigit() and len(removed) < 10:
                deleted, _deleted_by_model = PanelMember.objects.filter(pk=int(removed)).delete()
                if deleted:
                    messages.success(request, _("Removed from the panel."))
                    return redirect("recognition:panel")
            messages.error(request, _("That person is not on the panel."))
            return redirect("recognition:panel")
        form = PanelAddForm(request.POST)
        if form.is_valid():
            employee = form.cleaned_data["employee"]
            PanelMember.objects.get_or_create(employee=employee)
            messages.success(request, _("%(name)s is on the panel now.") % {"name": employee.full_name})
            return redirect("recognition:panel")
    members = PanelMember.objects.select_related("employee__user", "employee__department").order_by(
        "employee__user__first_name", "employee__user__last_name"
    )
    return render(request, "recognition/panel.html", {"form": form, "members": members})
