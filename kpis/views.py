from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.decorators import hr_required, member_required
from departments.roles import department_for, get_roles
from survey_portal.query import query_page

from .forms import KpiForm, KpiUploadForm
from .models import Kpi, KpiBreach
from .reports import kpi_levels, kpis_needing_attention
from .services import CsvFile, ImportFailed, kpi_values_import

PENDING_KPI_IMPORT_KEY = "pending_kpi_import"


@member_required
def department(request, code: str):
    """A department's measured service levels: part of its published charter, for every member."""
    department = department_for(request, code)
    roles = get_roles(request)
    can_manage = roles.can_manage_kpis(department)
    levels = kpi_levels(department)
    if roles.can_follow(department):  # who reads its action plan: the action each breach raised
        breaches = KpiBreach.objects.filter(kpi__department=department, action_item__isnull=False)
        actions = {(b.kpi_id, b.period_start, b.period_end): b.action_item_id for b in breaches}
        for level in levels:
            if level.latest is not None:
                level.action_id = actions.get((level.kpi.pk, level.latest.period_start, level.latest.period_end))
    context = {
        "department": department,
        "levels": levels,
        "can_manage": can_manage,
        "can_upload": roles.can_upload_kpi_values(department),
        "retired": department.kpis.filter(active=False).order_by("name") if can_manage else [],
    }
    return render(request, "kpis/department.html", context)


def _managed_department(request, code: str):
    department = department_for(request, code)
    if not get_roles(request).can_manage_kpis(department):
        raise PermissionDenied("Only HR and the head of this department can define its KPIs.")
    return department


def create(request, code: str):
    department = _managed_department(request, code)
    form = KpiForm(request.POST or None, department=department)
    if request.method == "POST" and form.is_valid():
        kpi = form.save(commit=False)
        kpi.department = department
        kpi.save()
        messages.success(
            request,
            _("“%(name)s” was added to the charter of %(department)s.")
            % {"name": kpi.name, "department": department.name},
        )
        return redirect("kpis:department", code=department.code)
    return render(request, "kpis/kpi_form.html", {"department": department, "form": form, "kpi": None})


def edit(request, code: str, pk: int):
    department = _managed_department(request, code)
    kpi = get_object_or_404(Kpi, pk=pk, department=department)
    form = KpiForm(request.POST or None, instance=kpi, department=department)
    if request.method == "POST" and form.is_valid():
        form.save()
        if kpi.active:
            messages.success(request, _("“%(name)s” was saved.") % {"name": kpi.name})
        else:
            messages.success(request, _("“%(name)s” was retired: its values are kept.") % {"name": kpi.name})
        return redirect("kpis:department", code=department.code)
    return render(request, "kpis/kpi_form.html", {"department": department, "form": form, "kpi": kpi})


def _uploader(request):
    """(roles, the departments they may upload for: None for every one)."""
    roles = get_roles(request)
    if not roles.can_upload_kpi_values_somewhere:
        raise PermissionDenied("KPI values are uploaded by HR and by the heads and delegates of departments.")
    return roles, roles.kpi_upload_departments


def upload(request):
    """Step 1: upload and check (a dry run). Nothing is written until the summary is confirmed."""
    _roles, allowed = _uploader(request)
    form = KpiUploadForm(request.POST, request.FILES) if request.method == "POST" else KpiUploadForm()
    context: dict = {"form": form, "allowed": allowed}
    if request.method == "POST":
        request.session.pop(PENDING_KPI_IMPORT_KEY, None)  # a new check replaces the file checked before
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["kpi_values"]
        file = CsvFile(uploaded.name, uploaded.read())
        try:
            summary = kpi_values_import(file=file, allowed_departments=allowed, dry_run=True)
        except ImportFailed as failure:
            context["errors"] = failure.errors
        else:
            request.session[PENDING_KPI_IMPORT_KEY] = file.stored()
            context.update(summary=summary, file_name=file.name)
    return render(request, "kpis/upload.html", context)


def upload_confirm(request):
    """Step 2: import the file checked in step 1 (checked again: the data may have changed)."""
    _roles, allowed = _uploader(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    pending = request.session.pop(PENDING_KPI_IMPORT_KEY, None)
    if not pending:
        messages.error(request, _("There is no checked file waiting. Upload the file and check it first."))
        return redirect("kpis:upload")
    file = CsvFile.from_stored(pending)
    try:
        summary = kpi_values_import(file=file, allowed_departments=allowed, uploaded_by=request.user)
    except ImportFailed as failure:
        return render(
            request, "kpis/upload.html", {"form": KpiUploadForm(), "errors": failure.errors, "allowed": allowed}
        )
    messages.success(request, _("The KPI values were imported: %(summary)s.") % {"summary": summary})
    return redirect("kpis:upload")


@hr_required
def hr(request):
    """HR across departments: KPIs missing last period's value, or below their agreed level."""
    today = timezone.localdate()
    page = query_page(request, kpis_needing_attention(today), 25)
    for kpi in page:
        kpi.latest_display = kpi.format(kpi.latest_value)
        kpi.due_start, kpi.due_end_date = kpi.last_period(today)
    breaches = (
        KpiBreach.objects.filter(action_item__isnull=True, kpi__active=True)
        .select_related("kpi__department")
        .order_by("-period_end")[:20]
    )
    return render(request, "kpis/hr.html", {"page": page, "unowned": breaches, "today": today})
