from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from departments.decorators import hr_required, member_required
from departments.roles import department_for, get_roles
from survey_portal.query import query_choice, query_page, query_text

from .forms import CharterFormSet, DelegatesForm, DepartmentCreateForm, DepartmentForm, DependenciesForm, OrgImportForm
from .models import Delegate, Department, Employee
from .org_import import CsvFile, ImportFailed, org_import
from .services import delegates_set, dependencies_set
from .services import department_create as create_department

PENDING_IMPORT_KEY = "pending_org_import"


@member_required
def directory(request):
    query = query_text(request, "q", label=_("search"))
    front_line_only = query_choice(request, "front_line", ["1"], label=_("“front line only” filter")) == "1"
    departments = Department.objects.active().with_directory_counts().order_by("name")
    if query:
        departments = departments.filter(Q(name__icontains=query) | Q(code__icontains=query))
    if front_line_only:
        departments = departments.filter(front_line=True)
    context = {
        "page": query_page(request, departments, 24),
        "query": query,
        "front_line_only": front_line_only,
        "value_chain_url": resolve_url(settings.VALUE_CHAIN_URL),
    }
    return render(request, "departments/directory.html", context)


@hr_required
def hr_departments(request):
    departments = Department.objects.with_directory_counts().order_by("-active", "name")
    return render(request, "departments/hr_departments.html", {"page": query_page(request, departments, 50)})


@hr_required
def hr_people(request):
    departments = list(Department.objects.order_by("name").only("code", "name"))
    query = query_text(request, "q", label=_("search"))
    department_code = query_choice(request, "department", {d.code for d in departments}, label=_("department"))
    show_all = query_choice(request, "status", ["all"], label=_("“include deactivated” filter")) == "all"
    people = Employee.objects.select_related("user", "department").order_by("user__last_name", "user__first_name")
    if query:
        people = people.filter(
            Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(job_title__icontains=query)
        )
    if department_code:
        people = people.filter(department__code=department_code)
    if not show_all:
        people = people.filter(active=True)
    context = {
        "page": query_page(request, people, 50),
        "query": query,
        "department_code": department_code,
        "show_all": show_all,
        "departments": departments,
    }
    return render(request, "departments/hr_people.html", context)


@hr_required
def department_create(request):
    form = DepartmentCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        department = create_department(**form.cleaned_data)
        messages.success(
            request, _("%(name)s was created with the default charter. Tailor it below.") % {"name": department.name}
        )
        return redirect("departments:charter_edit", code=department.code)
    return render(request, "departments/department_form.html", {"form": form, "department": None})


@hr_required
def department_edit(request, code: str):
    department = get_object_or_404(Department, code=code)
    form = DepartmentForm(request.POST or None, instance=department)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("%(name)s was saved.") % {"name": department.name})
        return redirect(department)
    return render(request, "departments/department_form.html", {"form": form, "department": department})


def charter_edit(request, code: str):
    department = department_for(request, code)
    if not get_roles(request).can_edit_charter(department):
        raise PermissionDenied("Only HR and the head of this department can edit its charter.")
    formset = CharterFormSet(request.POST or None, department=department)
    if request.method == "POST" and formset.is_valid():
        try:
            with transaction.atomic():
                for parameter in formset.save(commit=False):
                    parameter.department = department
                    parameter.save()
        except IntegrityError:
            # Validated whole, the codes differed; saved one by one, two parameters that swap codes
            # (or an edit by someone else meanwhile) meet on one. The transaction kept nothing.
            messages.error(
                request,
                _(
                    "Nothing was saved: two parameters would have had the same code at once (exchanging two "
                    "codes takes two saves), or someone else changed this charter meanwhile. Check the codes and save "
                    "again."
                ),
            )
        else:
            messages.success(request, _("The service charter of %(name)s was saved.") % {"name": department.name})
            return redirect(department)
    return render(request, "departments/charter_form.html", {"department": department, "formset": formset})


@hr_required
def dependencies_edit(request, code: str):
    department = get_object_or_404(Department, code=code)
    form = DependenciesForm(
        request.POST or None, department=department, initial={"providers": department.providers.all()}
    )
    if request.method == "POST" and form.is_valid():
        dependencies_set(consumer=department, providers=form.cleaned_data["providers"])
        messages.success(
            request,
            _("%(name)s now depends on %(count)d departments.")
            % {"name": department.name, "count": len(form.cleaned_data["providers"])},
        )
        return redirect(department)
    context = {"department": department, "form": form, "consumers": department.consumers.order_by("name")}
    return render(request, "departments/dependencies_form.html", context)


def delegates_edit(request, code: str):
    """The head (or HR) names the people who act for the department: they keep its action plan and
    commitments and answer its concerns."""
    department = department_for(request, code)
    if not get_roles(request).can_name_delegates(department):
        raise PermissionDenied(_("Only the head of this department and HR can name its delegates."))
    current = Delegate.objects.filter(department=department).select_related("employee__user")
    form = DelegatesForm(
        # Bound on every POST: unticking everyone posts no field at all.
        request.POST if request.method == "POST" else None,
        department=department,
        initial={"delegates": [d.employee_id for d in current]},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["delegates"]
        delegates_set(department=department, employees=chosen)
        names = ", ".join(employee.full_name for employee in chosen)
        messages.success(
            request,
            (
                ngettext(
                    "%(name)s now has %(count)d delegate: %(names)s.",
                    "%(name)s now has %(count)d delegates: %(names)s.",
                    len(chosen),
                )
                if names
                else ngettext(
                    "%(name)s now has %(count)d delegate.", "%(name)s now has %(count)d delegates.", len(chosen)
                )
            )
            % {"name": department.name, "count": len(chosen), "names": names},
        )
        return redirect("departments:delegates", code=department.code)
    context = {"department": department, "form": form, "current": sorted(current, key=lambda d: d.employee.full_name)}
    return render(request, "departments/delegates.html", context)


def _files_from_upload(form: OrgImportForm) -> dict[str, CsvFile]:
    return {
        name: CsvFile(upload.name, upload.read())
        for name in OrgImportForm.FILE_FIELDS
        if (upload := form.cleaned_data.get(name))
    }


@hr_required
def org_import_upload(request):
    """Step 1: upload and check (a dry run). Nothing is written until the summary is confirmed."""
    # Bound on every POST: a POST can carry only files, and an empty one must show its errors.
    form = OrgImportForm(request.POST, request.FILES) if request.method == "POST" else OrgImportForm()
    context = {"form": form}
    if request.method == "POST":
        request.session.pop(PENDING_IMPORT_KEY, None)  # a new check replaces the files checked before
    if request.method == "POST" and form.is_valid():
        files = _files_from_upload(form)
        deactivate = form.cleaned_data["deactivate_missing"]
        try:
            summary = org_import(**files, deactivate_missing=deactivate, dry_run=True)
        except ImportFailed as failure:
            context["errors"] = failure.errors
        else:
            # Keep the checked files for the confirmation step, so nobody has to pick them again.
            request.session[PENDING_IMPORT_KEY] = {
                "files": {kind: file.stored() for kind, file in files.items()},
                "deactivate_missing": deactivate,
            }
            context.update(summary=summary, file_names=[f.name for f in files.values()], deactivate=deactivate)
    return render(request, "departments/org_import.html", context)


@hr_required
@require_POST
def org_import_confirm(request):
    """Step 2: import the files checked in step 1."""
    pending = request.session.pop(PENDING_IMPORT_KEY, None)
    if not pending:
        messages.error(request, _("There is no checked import waiting. Upload the files and check them first."))
        return redirect("departments:org_import")
    files = {kind: CsvFile.from_stored(stored) for kind, stored in pending["files"].items()}
    try:
        summary = org_import(**files, deactivate_missing=pending["deactivate_missing"])
    except ImportFailed as failure:
        # The organisation changed since the check; show what is wrong now.
        return render(request, "departments/org_import.html", {"form": OrgImportForm(), "errors": failure.errors})
    messages.success(
        request, _("The organisation was imported. %(summary)s.") % {"summary": "; ".join(summary.lines())}
    )
    return redirect("home")  # HR's home page
