"""The validated plan written in bulk: a handful of queries per kind, whatever the row count."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

from ..models import Department, Dependency, Employee, ServiceParameter
from ..services import default_charter_parameters
from .plan import BATCH, ImportSummary, Plan

User = get_user_model()

# The texts a file gives: "name" and "description" are English (write() runs in English, so that
# modeltranslation reads and writes the English columns), the German ones only when the file has
# their columns. Updates write every language's column and the original one.
TEXTS = ("name", "description", "name_de", "description_de")
TEXT_COLUMNS = ("name", "name_en", "name_de", "description", "description_en", "description_de")


def apply_changes(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def write(plan: Plan, summary: ImportSummary, *, deactivate_missing: bool) -> None:
    departments = {d.code: d for d in Department.objects.all()}
    new_codes, unchanged_codes = write_departments(plan, departments, summary)
    employees = write_employees(plan, departments, summary, deactivate_missing=deactivate_missing)
    write_heads(plan, departments, employees, unchanged_codes, summary)
    write_dependencies(plan, departments, summary)
    write_parameters(plan, departments, new_codes, summary)


def write_departments(
    plan: Plan, departments: dict[str, Department], summary: ImportSummary
) -> tuple[set[str], set[str]]:
    """Upsert departments; return the codes created and the codes left unchanged."""
    to_create, to_update, unchanged = [], [], set()
    for values in plan.departments:
        department = departments.get(values["code"])
        fields = {k: values[k] for k in (*TEXTS, "front_line") if k in values} | {"active": True}
        if department is None:
            department = Department(code=values["code"], **fields)
            to_create.append(department)
            departments[department.code] = department
        elif apply_changes(department, fields):
            to_update.append(department)
        else:
            unchanged.add(department.code)
    Department.objects.bulk_create(to_create, batch_size=BATCH)
    Department.objects.bulk_update(to_update, [*TEXT_COLUMNS, "front_line", "active"], batch_size=BATCH)
    if any(d.pk is None for d in to_create):  # backends that cannot return ids from a bulk insert
        ids = dict(Department.objects.filter(code__in=[d.code for d in to_create]).values_list("code", "id"))
        for department in to_create:
            department.pk = ids[department.code]
    summary.departments.created += len(to_create)
    summary.departments.updated += len(to_update)
    summary.departments.unchanged += len(unchanged)
    return {d.code for d in to_create}, unchanged


def write_employees(
    plan: Plan, departments: dict[str, Department], summary: ImportSummary, *, deactivate_missing: bool
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
        elif apply_changes(user, fields):
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
        elif apply_changes(employee, fields):
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


def write_heads(
    plan: Plan,
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


def write_dependencies(plan: Plan, departments: dict[str, Department], summary: ImportSummary) -> None:
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


def write_parameters(
    plan: Plan, departments: dict[str, Department], new_codes: set[str], summary: ImportSummary
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
            fields = {k: values[k] for k in (*TEXTS, "target", "weight", "position") if k in values}
            fields["active"] = True
            parameter = existing.get(key)
            if parameter is None:
                to_create.append(ServiceParameter(department=departments[code], code=values["code"], **fields))
            elif apply_changes(parameter, fields):
                to_update.append(parameter)
            else:
                summary.parameters.unchanged += 1
    to_deactivate = [p for key, p in existing.items() if key not in listed and p.active]
    for parameter in to_deactivate:
        parameter.active = False
    ServiceParameter.objects.bulk_create(to_create, batch_size=BATCH)
    ServiceParameter.objects.bulk_update(
        to_update + to_deactivate,
        [*TEXT_COLUMNS, "target", "weight", "position", "active"],
        batch_size=BATCH,
    )
    summary.parameters.created += len(to_create)
    summary.parameters.updated += len(to_update)
    summary.parameters.deactivated += len(to_deactivate)
