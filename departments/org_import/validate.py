"""Every row of every file checked against the files and the database, each error as file:line: reason."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from survey_portal.csvfiles import Table, parse_decimal, require

from ..models import DESCRIPTION_MAX_LENGTH, SCORE_MAX, SCORE_MIN
from .plan import Plan, check_slug, german_values, is_repeat, parse_bool

User = get_user_model()


def _unknown_department(row) -> str:
    return _("%(where)s: unknown department %(code)s") % {
        "where": row.where(),
        "code": repr(row["department_code"]),
    }


def validate_departments(table: Table | None, plan: Plan, errors: list[str]) -> set[str]:
    codes: dict[str, int] = {}
    if table is None:
        return set()
    for row in table.rows:
        ok = require(
            row,
            ("code", "name"),
            errors,
            {
                "code": 50,
                "name": 120,
                "description": DESCRIPTION_MAX_LENGTH,
                "name_de": 120,
                "description_de": DESCRIPTION_MAX_LENGTH,
            },
        )
        if row["code"] and not check_slug(row, "code", errors):
            ok = False
        code = row["code"].lower()
        if code and is_repeat(codes, code, row, _("department code %(code)s") % {"code": repr(code)}, errors):
            ok = False
        values: dict[str, object] = {"code": code, "name": row["name"]}
        # An optional column that the file does not have leaves that field as it is.
        if "description" in table.columns:
            values["description"] = row["description"]
        if "front_line" in table.columns:
            values["front_line"] = parse_bool(row, "front_line", errors)
        values |= german_values(table, row)
        if ok:
            plan.departments.append(values)
    return set(codes)


def validate_employees(table: Table | None, plan: Plan, known_codes: set[str], errors: list[str]) -> set[str]:
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
                errors.append(
                    _("%(where)s: %(email)s is not a valid email address")
                    % {"where": row.where(), "email": repr(row["email"])}
                )
                ok = False
            if is_repeat(emails, email, row, _("email %(email)s") % {"email": repr(email)}, errors):
                ok = False
        department = row["department_code"].lower()
        if department and department not in known_codes:
            errors.append(_unknown_department(row))
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


def validate_heads(
    table: Table | None,
    plan: Plan,
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
                _("%(where)s: head_email %(email)s is not an active employee (add them to employees.csv)")
                % {"where": row.where(), "email": repr(row["head_email"])}
            )
            continue
        plan.heads[code] = email


def validate_dependencies(table: Table | None, plan: Plan, known_codes: set[str], errors: list[str]) -> None:
    if table is None:
        return
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        ok = require(row, ("consumer_code", "provider_code"), errors, {})
        consumer, provider = row["consumer_code"].lower(), row["provider_code"].lower()
        for column, code in (("consumer_code", consumer), ("provider_code", provider)):
            if code and code not in known_codes:
                errors.append(
                    _("%(where)s: unknown department %(code)s in %(column)s")
                    % {"where": row.where(), "code": repr(row[column]), "column": column}
                )
                ok = False
        if consumer and consumer == provider:
            errors.append(
                _("%(where)s: department %(code)s cannot depend on itself")
                % {"where": row.where(), "code": repr(consumer)}
            )
            ok = False
        if is_repeat(
            seen,
            (consumer, provider),
            row,
            _("dependency %(consumer)s → %(provider)s") % {"consumer": consumer, "provider": provider},
            errors,
        ):
            ok = False
        if ok:
            plan.dependencies.setdefault(consumer, set()).add(provider)


def validate_parameters(table: Table | None, plan: Plan, known_codes: set[str], errors: list[str]) -> None:
    if table is None:
        return
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        ok = require(
            row,
            ("department_code", "code", "name", "target", "description"),
            errors,
            {"code": 50, "name": 120, "description": 300, "name_de": 120, "description_de": 300},
        )
        department, code = row["department_code"].lower(), row["code"].lower()
        if department and department not in known_codes:
            errors.append(_unknown_department(row))
            ok = False
        if code and not check_slug(row, "code", errors):
            ok = False
        if is_repeat(
            seen,
            (department, code),
            row,
            _("parameter %(code)s for department %(department)s")
            % {"code": repr(code), "department": repr(department)},
            errors,
        ):
            ok = False
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
            values |= german_values(table, row)
            charter.append(values)
