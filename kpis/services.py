"""Writes of measured service levels: importing values (all or nothing) and raising breaches.

Who may call what is checked by the views and the command (departments.roles: can_upload_kpi_values);
`allowed_departments` lets a caller limit an import to the departments its person acts for.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from departments.models import Department
from departments.org_import import CsvFile, ImportFailed
from departments.org_import.plan import is_repeat
from improvements.services import action_create, item_url, owners_by_rule
from survey_portal.celery import enqueue_on_commit
from survey_portal.csvfiles import Row, Table, parse_decimal, read_table, require

from .models import Kpi, KpiBreach, KpiValue

__all__ = ["COLUMNS", "CsvFile", "ImportFailed", "KpiImportSummary", "kpi_breaches_raise", "kpi_values_import"]

COLUMNS = ("department_code", "kpi_code", "period_start", "period_end", "value")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
BREACH_DUE_DAYS = 30


@dataclass
class KpiImportSummary:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def __str__(self) -> str:
        return f"{self.created} new, {self.replaced} replaced, {self.unchanged} unchanged"


@dataclass
class _Planned:
    row: Row
    kpi: Kpi
    start: date
    end: date
    value: Decimal


def _rows_table(rows: Iterable[Mapping[str, object]]) -> Table:
    """Rows given as mappings (the API): numbered from 1, like the lines of a file without header."""
    read = [
        Row("rows", line, {str(k).strip().lower(): str(v if v is not None else "").strip() for k, v in row.items()})
        for line, row in enumerate(rows, start=1)
    ]
    columns = set().union(*(row.values for row in read)) if read else set(COLUMNS)
    return Table("rows", columns, read)


def _check_columns(table: Table, errors: list[str]) -> bool:
    missing = [column for column in COLUMNS if column not in table.columns]
    extra = sorted(column for column in table.columns - set(COLUMNS) if column)
    where = f"{table.name}:1"
    for column in missing:
        errors.append(f"{where}: missing required column {column!r}")
    for column in extra:
        errors.append(f"{where}: unexpected column {column!r} (the columns are {', '.join(COLUMNS)})")
    if not table.rows and not missing:
        errors.append(f"{table.name}: has no values (a header row, then one row per KPI and period)")
    return not missing and not extra and bool(table.rows)


def _parse_date(row: Row, column: str, errors: list[str]) -> date | None:
    raw = row[column]
    if not raw:
        return None  # reported as empty
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{row.where()}: {column} {raw[:40]!r} is not a date written YYYY-MM-DD")
        return None


def _period(start: date, end: date) -> str:
    return f"{start.isoformat()} – {end.isoformat()}"


def _validate_rows(
    table: Table,
    departments: dict[str, Department],
    kpis: dict[tuple[str, str], Kpi],
    allowed: set[int] | None,
    errors: list[str],
    today: date,
) -> list[_Planned]:
    planned: list[_Planned] = []
    seen: dict[tuple, int] = {}
    for row in table.rows:
        ok = require(row, COLUMNS, errors, {})
        code, kpi_code = row["department_code"].lower(), row["kpi_code"].lower()
        department = departments.get(code)
        kpi = None
        if code and department is None:
            errors.append(f"{row.where()}: department_code {row['department_code'][:50]!r} is not a department")
            ok = False
        elif department is not None and not department.active:
            errors.append(f"{row.where()}: department {code!r} is deactivated")
            ok = False
        elif department is not None and allowed is not None and department.pk not in allowed:
            errors.append(
                f"{row.where()}: you cannot upload values for department {code!r}, only for those you act for"
            )
            ok = False
        elif department is not None and kpi_code:
            kpi = kpis.get((code, kpi_code))
            if kpi is None:
                errors.append(f"{row.where()}: kpi_code {row['kpi_code'][:50]!r} is not a KPI of department {code!r}")
                ok = False
            elif not kpi.active:
                errors.append(f"{row.where()}: kpi_code {kpi_code!r} of department {code!r} is deactivated")
                ok = False
        start = _parse_date(row, "period_start", errors)
        end = _parse_date(row, "period_end", errors)
        if start and end and end < start:
            errors.append(f"{row.where()}: period_end {end.isoformat()} is before period_start {start.isoformat()}")
            ok = False
        elif end and end > today:
            errors.append(
                f"{row.where()}: period_end {end.isoformat()} is in the future: give values of periods that have ended"
            )
            ok = False
        value = None
        if row["value"]:
            high = kpi.value_max if kpi is not None else Decimal("1000000")
            value = parse_decimal(row, "value", errors, low=Decimal("0"), high=high)
        if not (ok and kpi is not None and start and end and value is not None):
            continue
        what = f"row for KPI {kpi_code!r} of {code!r} and period {_period(start, end)}"
        if is_repeat(seen, (kpi.pk, start, end), row, what, errors):
            continue
        planned.append(_Planned(row, kpi, start, end, value))
    return planned


def _check_overlaps(planned: list[_Planned], stored: dict[int, list[KpiValue]], errors: list[str]) -> None:
    """Periods of one KPI never overlap, in the file or with the values stored; an identical period
    replaces the stored value."""
    by_kpi: dict[int, list[_Planned]] = {}
    for one in planned:
        by_kpi.setdefault(one.kpi.pk, []).append(one)
    for kpi_id, items in by_kpi.items():
        replaced = {(i.start, i.end) for i in items}
        periods: list[tuple[date, date, _Planned | None]] = [(i.start, i.end, i) for i in items]
        periods += [
            (v.period_start, v.period_end, None)
            for v in stored.get(kpi_id, [])
            if (v.period_start, v.period_end) not in replaced
        ]
        periods.sort(key=lambda p: (p[0], p[1]))
        latest: tuple[date, date, _Planned | None] | None = None
        for period in periods:
            if latest is not None and period[0] <= latest[1] and (period[2] or latest[2]) is not None:
                # (Two stored values that overlap, written by hand in the admin, are not this file's.)
                mine, other = (period, latest) if period[2] is not None else (latest, period)
                item = mine[2]
                assert item is not None  # one of the two is the file's, as checked above
                if other[2] is not None:
                    where = f"the period on line {other[2].row.line} ({_period(other[0], other[1])})"
                else:
                    where = (
                        f"the stored value for {_period(other[0], other[1])} (only an identical period replaces it)"
                    )
                errors.append(
                    f"{item.row.where()}: period {_period(item.start, item.end)} of KPI {item.kpi.code!r} overlaps {where}"
                )
            if latest is None or period[1] > latest[1]:
                latest = period


@transaction.atomic
def kpi_values_import(
    *,
    file: CsvFile | None = None,
    rows: Iterable[Mapping[str, object]] | None = None,
    allowed_departments: Collection[Department] | None = None,
    uploaded_by=None,
    dry_run: bool = False,
) -> KpiImportSummary:
    """Validate every value, then write them all in one transaction; raise ImportFailed with every
    problem (``file:line: reason``) and write nothing when any is wrong.

    Give a CSV `file` (columns department_code, kpi_code, period_start, period_end, value) or `rows`
    (mappings with the same keys; line numbers count from 1). `allowed_departments`: the only
    departments the caller may write for (None: any, for HR and the command). A value for a period
    already stored replaces it, its history naming `uploaded_by`. With `dry_run` nothing is
    written. After commit, the KPIs that received values are checked for breaches (once each).
    """
    if (file is None) == (rows is None):
        raise ValueError("give either file or rows")
    errors: list[str] = []
    table = read_table(file, COLUMNS, (), errors) if file is not None else _rows_table(rows or [])
    if table is None or not _check_columns(table, errors):
        raise ImportFailed(errors)

    codes = {row["department_code"].lower() for row in table.rows}
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    kpis = {
        (kpi.department.code, kpi.code): kpi
        for kpi in Kpi.objects.filter(department__in=departments.values()).select_related("department")
    }
    allowed = None if allowed_departments is None else {d.pk for d in allowed_departments}
    planned = _validate_rows(table, departments, kpis, allowed, errors, timezone.localdate())
    if not dry_run:
        # Two uploads for one KPI at once: the second waits here and then sees the first's values.
        list(Kpi.objects.select_for_update().filter(pk__in={i.kpi.pk for i in planned}).order_by("pk").values("pk"))
    stored: dict[int, list[KpiValue]] = {}
    for value in KpiValue.objects.filter(kpi__in={item.kpi.pk for item in planned}):
        stored.setdefault(value.kpi_id, []).append(value)
    _check_overlaps(planned, stored, errors)
    if errors:
        raise ImportFailed(errors)

    summary = KpiImportSummary(dry_run=dry_run)
    existing = {(v.kpi_id, v.period_start, v.period_end): v for values in stored.values() for v in values}
    to_create, to_update = [], []
    for item in planned:
        current = existing.get((item.kpi.pk, item.start, item.end))
        if current is None:
            to_create.append(KpiValue(kpi=item.kpi, period_start=item.start, period_end=item.end, value=item.value))
        elif current.value != item.value:
            current.value = item.value
            to_update.append(current)
        else:
            summary.unchanged += 1
    summary.created, summary.replaced = len(to_create), len(to_update)
    if dry_run:
        return summary
    try:
        with transaction.atomic():
            bulk_create_with_history(to_create, KpiValue, batch_size=2000, default_user=uploaded_by)
    except IntegrityError:  # a value written since the check (SQLite takes no row lock)
        raise ImportFailed(
            [f"{table.name}: values for these periods were written by another upload meanwhile: check the file again"]
        ) from None
    bulk_update_with_history(to_update, KpiValue, ["value"], batch_size=2000, default_user=uploaded_by)
    changed = sorted({value.kpi_id for value in to_create + to_update})
    if changed:
        from .tasks import kpi_breaches_raise_task

        # Without a broker the daily sweep (kpi_breaches_sweep_task) raises them instead.
        enqueue_on_commit(kpi_breaches_raise_task, changed)
    return summary


def kpi_breaches_raise(*, kpi_ids: Iterable[int] | None, today: date | None = None) -> int:
    """For each active KPI whose latest value is below its agreed level, record the breach, put an
    action item on the department's plan (owned by its head, else its delegates) and email its
    owners — once per KPI and period, whatever the re-imports and re-runs (the breach row is
    claimed first; a failed email rolls its breach back, to be raised on the next run).
    `kpi_ids` None: every active KPI (the daily sweep). Returns how many breaches were raised."""
    today = today or timezone.localdate()
    kpis = Kpi.objects.filter(active=True, department__active=True)
    if kpi_ids is not None:
        kpis = kpis.filter(pk__in=list(kpi_ids))
    kpis = kpis.select_related("department__head__user", "parameter")
    raised = 0
    for kpi in kpis:
        latest = kpi.values.order_by("-period_end").first()
        if latest is None or kpi.status_of(latest.value) != "below":
            continue
        if KpiBreach.objects.filter(kpi=kpi, period_start=latest.period_start, period_end=latest.period_end).exists():
            continue
        try:
            with transaction.atomic():
                _raise(kpi, latest, today)
        except IntegrityError:
            continue  # raised meanwhile by another run
        raised += 1
    return raised


def _raise(kpi: Kpi, latest: KpiValue, today: date) -> None:
    department = kpi.department
    breach = KpiBreach.objects.create(
        kpi=kpi, period_start=latest.period_start, period_end=latest.period_end, value=latest.value, agreed=kpi.agreed
    )
    owners = owners_by_rule(department)
    if not owners:
        return
    parameters = (
        [kpi.parameter]
        if kpi.parameter and kpi.parameter.active and kpi.parameter.department_id == department.pk
        else []
    )
    latest.kpi = kpi
    item = action_create(  # with author=None its history names nobody, whoever's request runs this
        department=department,
        author=None,
        title=f"Bring “{kpi.name}” back to its agreed level"[:200],
        change=(
            f"{kpi.name} measured {latest.display} for {latest.period_label}, against an agreed level of "
            f"{kpi.better_word} {kpi.agreed_display}. Find the cause and bring it back to the agreed level."
        ),
        parameters=parameters,
        owners=owners,
        due_on=today + timedelta(days=BREACH_DUE_DAYS),
        today=today,
    )
    breach.action_item = item
    context = {"kpi": kpi, "latest": latest, "item": item, "link": settings.SITE_URL + item_url(item)}
    send_mail(
        f"{kpi.name} is below its agreed level"[:150],
        render_to_string("kpis/email_breach.txt", context),
        None,
        [owner.email for owner in owners],
    )
    breach.notified_at = timezone.now()
    breach.save(update_fields=["action_item", "notified_at"])
