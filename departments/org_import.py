"""Import the organisation from CSV: departments, employees, dependencies, charters.

All-or-nothing: every row of every file is validated against the files and the database
before anything is written; any error aborts with every problem listed as ``file:line: reason``.
Writes are bulk (a handful of queries per kind, whatever the row count) inside one transaction.
Re-importing is an upsert keyed by department code and employee email, and reports rows that did
not change as "unchanged", so running the same files twice changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from survey_portal.csvfiles import CsvFile, ImportFailed, Row, Table, parse_decimal, read_table, require

from .models import SCORE_MAX, SCORE_MIN, Department, Dependency, Employee, ServiceParameter
from .services import default_charter_parameters

User = get_user_model()

TRUE_WORDS = {"yes", "true", "1", "y"}
FALSE_WORDS = {"no", "false", "0", "n", ""}
BATCH = 2000


@dataclass
class KindSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    removed: int = 0

    def __str__(self) -> str:
        parts = [f"{self.created} created", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.deactivated:
            parts.append(f"{self.deactivated} deactivated")
        if self.removed:
            parts.append(f"{self.removed} removed")
        return ", ".join(parts)


@dataclass
class ImportSummary:
    departments: KindSummary = field(default_factory=KindSummary)
    employees: KindSummary = field(default_factory=KindSummary)
    dependencies: KindSummary = field(default_factory=KindSummary)
    parameters: KindSummary = field(default_factory=KindSummary)
    dry_run: bool = False

    def items(self) -> list[tuple[str, KindSummary]]:
        return [
            ("departments", self.departments),
            ("employees", self.employees),
            ("dependencies", self.dependencies),
            ("parameters", self.parameters),
        ]

    def lines(self) -> list[str]:
        return [f"{kind}: {summary}" for kind, summary in self.items()]


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# Columns per file: (required, optional). Extra columns are ignored.
SCHEMAS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "departments": (("code", "name"), ("head_email", "front_line", "description")),
    "employees": (("email", "first_name", "last_name", "department_code"), ("job_title",)),
    "dependencies": (("consumer_code", "provider_code"), ()),
    "parameters": (("department_code", "code", "name", "target", "description"), ("weight",)),
}


def read_csv(file: CsvFile, kind: str, errors: list[str]) -> Table | None:
    return read_table(file, *SCHEMAS[kind], errors)


def _parse_bool(row: Row, column: str, errors: list[str]) -> bool:
    value = row[column].lower()
    if value in TRUE_WORDS:
        return True
    if value not in FALSE_WORDS:
        errors.append(f"{row.where()}: {column} {row[column]!r} is not yes/no, true/false or 1/0")
    return False


def _check_slug(row: Row, column: str, errors: list[str]) -> bool:
    try:
        validate_slug(row[column])
    except ValidationError:
        errors.append(f"{row.where()}: {column} {row[column]!r} may contain only letters, digits, - and _")
        return False
    return True


@dataclass
class _Plan:
    """Validated rows, ready to write."""

    departments: list[dict] = field(default_factory=list)
    heads: dict[str, str | None] = field(default_factory=dict)  # department code -> head email (None: clear)
    employees: list[dict] = field(default_factory=list)
    dependencies: dict[str, set[str]] = field(default_factory=dict)  # consumer -> providers
    parameters: dict[str, list[dict]] = field(default_factory=dict)  # department code -> charter


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
        raise ImportFailed(["no file given: choose at least one of departments, employees, dependencies, parameters"])
    if deactivate_missing and "employees" not in tables:
        raise ImportFailed(["deactivating missing employees needs an employees file"])

    existing_codes = set(Department.objects.values_list("code", flat=True))
    existing_people = dict(Employee.objects.values_list("user__username", "active"))
    plan = _Plan()
    file_codes = _validate_departments(tables.get("departments"), plan, errors)
    known_codes = existing_codes | file_codes
    file_emails = _validate_employees(tables.get("employees"), plan, known_codes, errors)
    if deactivate_missing and not file_emails:
        errors.append(f"{tables['employees'].name}: has no employees; refusing to deactivate everyone")
    _validate_heads(tables.get("departments"), plan, file_emails, existing_people, deactivate_missing, errors)
    _validate_dependencies(tables.get("dependencies"), plan, known_codes, errors)
    _validate_parameters(tables.get("parameters"), plan, known_codes, errors)
    if errors:
        raise ImportFailed(errors)

    summary = ImportSummary(dry_run=dry_run)
    try:
        with transaction.atomic():
            _write(plan, summary, deactivate_missing=deactivate_missing)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


def _validate_departments(table: Table | None, plan: _Plan, errors: list[str]) -> set[str]:
    codes: dict[str, int] = {}
    if table is None:
        return set()
    for row in table.rows:
        ok = require(row, ("code", "name"), errors, {"code": 50, "name": 120})
        if row["code"] and not _check_slug(row, "code", errors):
            ok = False
        code = row["code"].lower()
        if code in codes:
            errors.append(f"{row.where()}: duplicate department code {code!r} (first on line {codes[code]})")
            ok = False
        elif code:
            codes[code] = row.line
        values = {"code": code, "name": row["name"]}
        # An optional column that the file does not have leaves that field as it is.
        if "description" in table.columns:
            values["description"] = row["description"]
        if "front_line" in table.columns:
            values["front_line"] = _parse_bool(row, "front_line", errors)
        if ok:
            plan.departments.append(values)
    return set(codes)


def _validate_employees(table: Table | None, plan: _Plan, known_codes: set[str], errors: list[str]) -> set[str]:
    emails: dict[str, int] = {}
    if table is None:
        return set()
    for row in table.rows:
        ok = require(
            row,
            ("email", "first_name", "last_name", "department_code"),
            errors,
            {"email": 150, "first_name": 150, "last_name": 150, "job_title": 120},
        )
        email = row["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"{row.where()}: {row['email']!r} is not a valid email address")
                ok = False
            if email in emails:
                errors.append(f"{row.where()}: duplicate email {email!r} (first on line {emails[email]})")
                ok = False
            else:
                emails[email] = row.line
        department = row["department_code"].lower()
        if department and department not in known_codes:
            errors.append(f"{row.where()}: unknown department {row['department_code']!r}")
            ok = False
        if ok:
            values = {
                "email": email,
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "department": department,
            }
            if "job_title" in table.columns:
                values["job_title"] = row["job_title"]
            plan.employees.append(values)
    return set(emails)


def _validate_heads(
    table: Table | None,
    plan: _Plan,
    file_emails: set[str],
    existing_people: dict[str, bool],
    deactivate_missing: bool,
    errors: list[str],
) -> None:
    # Without a head_email column, heads are left as they are; an empty value clears the head.
    if table is None or "head_email" not in table.columns:
        return
    for row in table.rows:
        email = row["head_email"].lower()
        code = row["code"].lower()
        if not email:
            plan.heads[code] = None
            continue
        in_database = existing_people.get(email) is True and not deactivate_missing
        if email not in file_emails and not in_database:
            errors.append(
                f"{row.where()}: head_email {row['head_email']!r} is not an active employee "
                "(add them to employees.csv)"
            )
            continue
        plan.heads[code] = email


def _validate_dependencies(table: Table | None, plan: _Plan, known_codes: set[str], errors: list[str]) -> None:
    if table is None:
        return
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        ok = require(row, ("consumer_code", "provider_code"), errors, {})
        consumer, provider = row["consumer_code"].lower(), row["provider_code"].lower()
        for column, code in (("consumer_code", consumer), ("provider_code", provider)):
            if code and code not in known_codes:
                errors.append(f"{row.where()}: unknown department {row[column]!r} in {column}")
                ok = False
        if consumer and consumer == provider:
            errors.append(f"{row.where()}: department {consumer!r} cannot depend on itself")
            ok = False
        if (consumer, provider) in seen:
            errors.append(
                f"{row.where()}: duplicate dependency {consumer} → {provider} "
                f"(first on line {seen[consumer, provider]})"
            )
            ok = False
        seen.setdefault((consumer, provider), row.line)
        if ok:
            plan.dependencies.setdefault(consumer, set()).add(provider)


def _validate_parameters(table: Table | None, plan: _Plan, known_codes: set[str], errors: list[str]) -> None:
    if table is None:
        return
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        ok = require(
            row,
            ("department_code", "code", "name", "target", "description"),
            errors,
            {"code": 50, "name": 120, "description": 300},
        )
        department, code = row["department_code"].lower(), row["code"].lower()
        if department and department not in known_codes:
            errors.append(f"{row.where()}: unknown department {row['department_code']!r}")
            ok = False
        if code and not _check_slug(row, "code", errors):
            ok = False
        if (department, code) in seen:
            errors.append(
                f"{row.where()}: duplicate parameter {code!r} for department {department!r} "
                f"(first on line {seen[department, code]})"
            )
            ok = False
        seen.setdefault((department, code), row.line)
        target = None
        if row["target"]:
            target = parse_decimal(row, "target", errors, low=SCORE_MIN, high=SCORE_MAX)
            ok = ok and target is not None
        weight = None  # no weight: a new parameter gets 1, an existing one keeps its own
        if row["weight"]:
            weight = parse_decimal(row, "weight", errors, low=Decimal("0.01"), high=Decimal("999.99"))
            ok = ok and weight is not None
        if ok:
            charter = plan.parameters.setdefault(department, [])
            values = {
                "code": code,
                "name": row["name"],
                "description": row["description"],
                "target": target,
                "position": len(charter) + 1,
            }
            if weight is not None:
                values["weight"] = weight
            charter.append(values)


def _changed(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _write(plan: _Plan, summary: ImportSummary, *, deactivate_missing: bool) -> None:
    departments = {d.code: d for d in Department.objects.all()}
    new_codes, unchanged_codes = _write_departments(plan, departments, summary)
    employees = _write_employees(plan, departments, summary, deactivate_missing=deactivate_missing)
    _write_heads(plan, departments, employees, unchanged_codes, summary)
    _write_dependencies(plan, departments, summary)
    _write_parameters(plan, departments, new_codes, summary)


def _write_departments(
    plan: _Plan, departments: dict[str, Department], summary: ImportSummary
) -> tuple[set[str], set[str]]:
    """Upsert departments; return the codes created and the codes left unchanged."""
    to_create, to_update, unchanged = [], [], set()
    for values in plan.departments:
        department = departments.get(values["code"])
        fields = {k: values[k] for k in ("name", "description", "front_line") if k in values} | {"active": True}
        if department is None:
            department = Department(code=values["code"], **fields)
            to_create.append(department)
            departments[department.code] = department
        elif _changed(department, fields):
            to_update.append(department)
        else:
            unchanged.add(department.code)
    Department.objects.bulk_create(to_create, batch_size=BATCH)
    Department.objects.bulk_update(to_update, ["name", "description", "front_line", "active"], batch_size=BATCH)
    if any(d.pk is None for d in to_create):  # backends that cannot return ids from a bulk insert
        ids = dict(Department.objects.filter(code__in=[d.code for d in to_create]).values_list("code", "id"))
        for department in to_create:
            department.pk = ids[department.code]
    summary.departments.created += len(to_create)
    summary.departments.updated += len(to_update)
    summary.departments.unchanged += len(unchanged)
    return {d.code for d in to_create}, unchanged


def _write_employees(
    plan: _Plan, departments: dict[str, Department], summary: ImportSummary, *, deactivate_missing: bool
) -> dict[str, Employee]:
    users = {u.username: u for u in User.objects.all()}
    employees = {e.user.username: e for e in Employee.objects.select_related("user")}

    new_users, changed_users = [], []
    for values in plan.employees:
        user = users.get(values["email"])
        fields = {
            "email": values["email"],
            "first_name": values["first_name"],
            "last_name": values["last_name"],
            "is_active": True,
        }
        if user is None:
            # No usable password: people set their own through the emailed link. Same as
            # make_password(None), whose per-character random choice is a third of a large import.
            password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
            user = User(username=values["email"], password=password, **fields)
            new_users.append(user)
            users[user.username] = user
        elif _changed(user, fields):
            changed_users.append(user)
    User.objects.bulk_create(new_users, batch_size=BATCH)
    if any(u.pk is None for u in new_users):
        ids = dict(User.objects.filter(username__in=[u.username for u in new_users]).values_list("username", "id"))
        for user in new_users:
            user.pk = ids[user.username]
    User.objects.bulk_update(changed_users, ["email", "first_name", "last_name", "is_active"], batch_size=BATCH)
    changed_user_ids = {u.pk for u in changed_users}

    new_employees, changed_employees = [], []
    for values in plan.employees:
        user = users[values["email"]]
        employee = employees.get(values["email"])
        fields = {"department_id": departments[values["department"]].pk, "active": True}
        if "job_title" in values:
            fields["job_title"] = values["job_title"]
        if employee is None:
            employee = Employee(user=user, **fields)
            new_employees.append(employee)
            employees[values["email"]] = employee
        elif _changed(employee, fields):
            changed_employees.append(employee)
        elif user.pk in changed_user_ids:
            summary.employees.updated += 1
        else:
            summary.employees.unchanged += 1
    Employee.objects.bulk_create(new_employees, batch_size=BATCH)
    Employee.objects.bulk_update(changed_employees, ["department_id", "job_title", "active"], batch_size=BATCH)
    summary.employees.created += len(new_employees)
    summary.employees.updated += len(changed_employees)

    if deactivate_missing:
        listed = {values["email"] for values in plan.employees}
        gone = [e for email, e in employees.items() if e.active and email not in listed]
        gone_ids = [e.pk for e in gone]
        for start in range(0, len(gone_ids), BATCH):
            chunk = gone_ids[start : start + BATCH]
            Employee.objects.filter(pk__in=chunk).update(active=False)
            # A person who left cannot sign in any more; superusers keep access to fix mistakes.
            User.objects.filter(employee__pk__in=chunk, is_superuser=False).update(is_active=False)
        summary.employees.deactivated += len(gone)
    if any(e.pk is None for e in new_employees):
        employees = {e.user.username: e for e in Employee.objects.select_related("user")}
    return employees


def _write_heads(
    plan: _Plan,
    departments: dict[str, Department],
    employees: dict[str, Employee],
    unchanged_codes: set[str],
    summary: ImportSummary,
) -> None:
    changed = []
    for code, email in plan.heads.items():
        department = departments[code]
        head_id = employees[email].pk if email else None
        if department.head_id != head_id:
            department.head_id = head_id
            changed.append(department)
    Department.objects.bulk_update(changed, ["head"], batch_size=BATCH)
    # A new head on an otherwise unchanged department makes it an updated one.
    newly_changed = sum(1 for department in changed if department.code in unchanged_codes)
    summary.departments.unchanged -= newly_changed
    summary.departments.updated += newly_changed


def _write_dependencies(plan: _Plan, departments: dict[str, Department], summary: ImportSummary) -> None:
    """Each consumer named in the file gets exactly the providers listed for it; others keep theirs."""
    if not plan.dependencies:
        return
    consumer_ids = [departments[code].pk for code in plan.dependencies]
    existing = set(
        Dependency.objects.filter(consumer_id__in=consumer_ids).values_list("consumer__code", "provider__code")
    )
    wanted = {(consumer, provider) for consumer, providers in plan.dependencies.items() for provider in providers}
    to_remove = existing - wanted
    to_create = wanted - existing
    for consumer in {c for c, _ in to_remove}:
        providers = [departments[p].pk for c, p in to_remove if c == consumer]
        Dependency.objects.filter(consumer=departments[consumer], provider_id__in=providers).delete()
    Dependency.objects.bulk_create(
        [Dependency(consumer=departments[c], provider=departments[p]) for c, p in sorted(to_create)],
        batch_size=BATCH,
    )
    summary.dependencies.created += len(to_create)
    summary.dependencies.removed += len(to_remove)
    summary.dependencies.unchanged += len(existing & wanted)


def _write_parameters(
    plan: _Plan, departments: dict[str, Department], new_codes: set[str], summary: ImportSummary
) -> None:
    """A department in parameters.csv gets exactly that charter; a new department not in it, the default."""
    charters = dict(plan.parameters)
    for code in new_codes - set(charters):
        charters[code] = [
            {**values, "position": position} for position, values in enumerate(default_charter_parameters(), start=1)
        ]
    if not charters:
        return
    department_ids = {departments[code].pk: code for code in charters}
    existing: dict[tuple[str, str], ServiceParameter] = {
        (department_ids[p.department_id], p.code): p
        for p in ServiceParameter.objects.filter(department_id__in=department_ids)
    }
    to_create, to_update = [], []
    listed = set()
    for code, charter in charters.items():
        for values in charter:
            key = (code, values["code"])
            listed.add(key)
            fields = {k: values[k] for k in ("name", "description", "target", "weight", "position") if k in values}
            fields["active"] = True
            parameter = existing.get(key)
            if parameter is None:
                to_create.append(ServiceParameter(department=departments[code], code=values["code"], **fields))
            elif _changed(parameter, fields):
                to_update.append(parameter)
            else:
                summary.parameters.unchanged += 1
    to_deactivate = [p for key, p in existing.items() if key not in listed and p.active]
    for parameter in to_deactivate:
        parameter.active = False
    ServiceParameter.objects.bulk_create(to_create, batch_size=BATCH)
    ServiceParameter.objects.bulk_update(
        to_update + to_deactivate,
        ["name", "description", "target", "weight", "position", "active"],
        batch_size=BATCH,
    )
    summary.parameters.created += len(to_create)
    summary.parameters.updated += len(to_update)
    summary.parameters.deactivated += len(to_deactivate)
