"""Audit pages: HR's templates, scheduling, list and audit page; the auditor's list, the recording
form, and the attachments (HR and the auditor only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.decorators import hr_required, member_required
from departments.roles import employee_of, get_roles
from survey_portal.query import query_page

from . import services
from .attachments import CONTENT_TYPES
from .forms import ItemFormSet, RecordForm, ScheduleForm, TemplateForm, item_parameters
from .models import Audit, AuditAttachment, AuditResult, AuditScore, AuditTemplate

PER_PAGE = 25


def _posted(request):
    return request.POST if request.method == "POST" else None


# ---------------------------------------------------------------- HR: templates


@hr_required
def templates(request):
    rows = AuditTemplate.objects.select_related("department").annotate(
        item_count=Count("items", distinct=True), audit_count=Count("audits", distinct=True)
    )
    return render(request, "audits/templates.html", {"templates": rows})


def _template_form(request, template: AuditTemplate | None):
    locked = template is not None and template.audits.exists()
    form = TemplateForm(_posted(request), instance=template)
    formset = None
    if not locked:
        parameters = item_parameters(template.department if template else None)
        formset = ItemFormSet(
            _posted(request), instance=template or AuditTemplate(), prefix="form", parameters=parameters
        )
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        department = form.cleaned_data.get("department") or template.department  # type: ignore[union-attr]
        if formset is None or formset.check_department(department):  # type: ignore[attr-defined]
            with transaction.atomic():
                saved = form.save()
                if formset is not None:
                    formset.instance = saved
                    formset.save()
            messages.success(
                request,
                _("The template “%(name)s” for %(department)s was saved.")
                % {"name": saved.name, "department": department.name},
            )
            return redirect("audits:templates")
    context = {"form": form, "formset": formset, "template": template, "locked": locked}
    return render(request, "audits/template_form.html", context)


@hr_required
def template_create(request):
    return _template_form(request, None)


@hr_required
def template_edit(request, pk: int):
    return _template_form(request, get_object_or_404(AuditTemplate.objects.select_related("department"), pk=pk))


# ---------------------------------------------------------------- HR: scheduling and following


@hr_required
def schedule(request):
    form = ScheduleForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audit = services.audit_schedule(
                template=data["template"], auditor=data["auditor"], due_on=data["due_on"], scheduled_by=request.user
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("The audit of %(department)s was scheduled; %(auditor)s was emailed.")
                % {"department": audit.department.name, "auditor": audit.auditor.full_name},
            )
            return redirect("audits:detail", audit.pk)
    return render(request, "audits/schedule.html", {"form": form})


@hr_required
def hr_list(request):
    today = timezone.localdate()
    Status = Audit.Status
    audits = (
        Audit.objects.select_related("template", "department", "auditor__user")
        .annotate(
            rank=Case(
                When(status=Status.SCHEDULED, due_on__lt=today, then=Value(0)),
                When(status=Status.SCHEDULED, then=Value(1)),
                When(status=Status.SUBMITTED, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        # Overdue and scheduled by due date; completed (and cancelled) newest first.
        .order_by("rank", Case(When(status=Status.SCHEDULED, then=F("due_on"))), "-requested_on", "-due_on", "-pk")
    )
    counts = Audit.objects.aggregate(
        overdue=Count("pk", filter=Q(status=Status.SCHEDULED, due_on__lt=today)),
        scheduled=Count("pk", filter=Q(status=Status.SCHEDULED, due_on__gte=today)),
        completed=Count("pk", filter=Q(status=Status.SUBMITTED)),
    )
    page = query_page(request, audits, PER_PAGE)
    for audit in page:
        audit.overdue_days = audit.days_overdue(today)
    return render(request, "audits/hr.html", {"page": page, "counts": counts, "today": today})


@hr_required
def detail(request, pk: int):
    audit = get_object_or_404(
        Audit.objects.select_related("template", "department__head__user", "auditor__user__employee", "scheduled_by"),
        pk=pk,
    )
    if request.method == "POST":  # HR cancels a scheduled audit
        if services.audit_cancel(audit=audit):
            messages.success(
                request, _("The audit of %(department)s was cancelled.") % {"department": audit.department.name}
            )
        else:
            messages.error(
                request, _("Only a scheduled audit can be cancelled: this one was already submitted or cancelled.")
            )
        return redirect("audits:detail", audit.pk)
    context = {
        "audit": audit,
        "scores": AuditScore.objects.filter(audit=audit).select_related("item__parameter"),
        "results": AuditResult.objects.filter(audit=audit).select_related("parameter", "action_item"),
        "attachments": audit.attachments.all(),
        "overdue_days": audit.days_overdue(timezone.localdate()),
        "today": timezone.localdate(),
    }
    return render(request, "audits/detail.html", context)


# ---------------------------------------------------------------- the auditor


@member_required
def mine(request):
    employee = employee_of(request)
    audits = (
        Audit.objects.assigned_to(employee)
        .select_related("template", "department")
        .annotate(done=Case(When(status=Audit.Status.SUBMITTED, then=Value(1)), default=Value(0)))
        .order_by("done", "due_on", "-pk")
    )
    page = query_page(request, audits, PER_PAGE)
    return render(request, "audits/mine.html", {"page": page, "today": timezone.localdate()})


def _assigned(request, pk: int) -> Audit:
    """The audit, for its assigned auditor only: to anyone else it does not exist (404)."""
    employee = get_roles(request).employee
    if employee is None:
        raise Http404
    queryset = Audit.objects.assigned_to(employee).select_related("template", "department__head")
    return get_object_or_404(queryset, pk=pk)


@member_required
def record(request, pk: int):
    audit = _assigned(request, pk)
    employee = employee_of(request)
    items = list(audit.template.items.select_related("parameter"))
    if audit.status == Audit.Status.SUBMITTED:
        context = {
            "audit": audit,
            "scores": AuditScore.objects.filter(audit=audit).select_related("item__parameter"),
            "attachments": audit.attachments.all(),
        }
        return render(request, "audits/recorded.html", context)
    form = RecordForm(_posted(request), request.FILES or None, audit=audit, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.audit_submit(
                audit=audit,
                auditor=employee,
                requested_on=data["requested_on"],
                response_hours=data["response_hours"],
                scores=form.scores(),
                files=data["attachments"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Your audit of %(department)s was submitted. Thank you.") % {"department": audit.department.name},
            )
            return redirect("audits:mine")
    return render(request, "audits/record.html", {"audit": audit, "form": form})


@member_required
def attachment(request, pk: int, attachment_id: int):
    """An attachment, for HR and the audit's auditor (404 for anyone else): always downloaded, never
    shown in the page, with the type read from its content."""
    audits = Audit.objects.openable_by(get_roles(request))
    found = get_object_or_404(
        AuditAttachment.objects.filter(audit__in=audits.values("pk")), pk=attachment_id, audit_id=pk
    )
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=found.original_name, content_type=CONTENT_TYPES[found.kind]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
