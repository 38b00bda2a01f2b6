"""Import the organisation from CSV: departments, employees, dependencies, charters.

All-or-nothing: every row of every file is validated against the files and the database
before anything is written; any error aborts with every problem listed as ``file:line: reason``.
Writes are bulk (a handful of queries per kind, whatever the row count) inside one transaction.
Re-importing is an upsert keyed by department code and employee email, and reports rows that did
not change as "unchanged", so running the same files twice changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from survey_portal.csvfiles import CsvFile, ImportFailed

from ..models import Department, Employee
from .plan import SCHEMAS, DryRun, ImportSummary, KindSummary, Plan, read_csv
from .validate import (
    validate_departments,
    validate_dependencies,
    validate_employees,
    validate_heads,
    validate_parameters,
)
from .write import write

__all__ = ["SCHEMAS", "CsvFile", "DryRun", "ImportFailed", "ImportSummary", "KindSummary", "org_import", "read_csv"]


def org_import(
    *,
    departments: CsvFile | None = None,
    employees: CsvFile | None = None,
    dependencies: CsvFile | None = None,
    parameters: CsvFile | None = None,
    deactivate_missing: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Validate every file, then upsert everything in one transaction.

    Raises ImportFailed (with every ``file:line: reason``) and writes nothing when any row is bad.
    With ``deactivate_missing``, active employees absent from employees.csv are deactivated (never
    deleted) and can no longer sign in. With ``dry_run`` the summary is computed and rolled back.
    """
    errors: list[str] = []
    tables = {
        kind: read_csv(file, kind, errors)
        for kind, file in (
            ("departments", departments),
            ("employees", employees),
            ("dependencies", dependencies),
            ("parameters", parameters),
        )
        if file is not None
    }
    if errors:
        raise ImportFailed(errors)
    if not tables:
        raise ImportFailed(
            [_("no file given: choose at least one of departments, employees, dependencies, parameters")]
        )
    if deactivate_missing and "employees" not in tables:
        raise ImportFailed([_("deactivating missing employees needs an employees file")])

    existing_codes = set(Department.objects.values_list("code", flat=True))
    existing_people = dict(Employee.objects.values_list("user__username", "active"))
    plan = Plan()
    file_codes = validate_departments(tables.get("departments"), plan, errors)
    known_codes = existing_codes | file_codes
    file_emails = validate_employees(tables.get("employees"), plan, known_codes, errors)
    employees_table = tables.get("employees")
    if deactivate_missing and employees_table is not None and not file_emails:
        errors.append(
            _("%(file)s: has no employees; refusing to deactivate everyone") % {"file": employees_table.name}
        )
    validate_heads(tables.get("departments"), plan, file_emails, existing_people, deactivate_missing, errors)
    validate_dependencies(tables.get("dependencies"), plan, known_codes, errors)
    validate_parameters(tables.get("parameters"), plan, known_codes, errors)
    if errors:
        raise ImportFailed(errors)

    summary = ImportSummary(dry_run=dry_run)
    try:
        # The files' name and description are the English texts, whatever the page's language.
        with transaction.atomic(), translation.override("en"):
            write(plan, summary, deactivate_missing=deactivate_missing)
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    return summary
