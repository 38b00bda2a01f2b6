"""Demo measured service levels, for `manage.py seed_demo`: a year of monthly values for a few
departments, tied to their charter parameters. IT meets its ticket KPI while its survey says it is
slow; HR, Finance and Customer Service fall below an agreed level on the latest month (an action
each on the head's action list); Facilities has not uploaded last month's value."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

from departments.models import Department, ServiceParameter

from .models import Kpi, KpiBreach, month_end
from .services import kpi_breaches_raise, kpi_values_import

# department, code, name, unit, direction, agreed, warning, parameter, (first value, drift, wobble, latest)
DEMO_KPIS: list[tuple] = [
    (
        "it",
        "tickets-2-days",
        "Tickets resolved within 2 working days",
        "percent",
        "higher",
        "90",
        "92",
        "responsiveness",
        (89.0, 0.4, 1.2, "93.4"),
    ),
    (
        "it",
        "core-availability",
        "Core systems available in working hours",
        "percent",
        "higher",
        "99.5",
        "99.7",
        "system-availability",
        (99.6, 0.01, 0.15, "99.82"),
    ),
    (
        "hr",
        "days-to-fill",
        "Days to fill a vacancy",
        "days",
        "lower",
        "45",
        "40",
        "recruitment-quality",
        (36.0, 0.5, 2.0, "52"),
    ),
    (
        "finance",
        "invoices-on-time",
        "Supplier invoices paid on time",
        "percent",
        "higher",
        "95",
        "97",
        "on-time-payment",
        (97.0, -0.1, 0.8, "91"),
    ),
    (
        "finance",
        "expense-days",
        "Days to reimburse an expense claim",
        "days",
        "lower",
        "5",
        None,
        "payment-accuracy",
        (4.5, -0.05, 0.4, "3.5"),
    ),
    (
        "facilities",
        "requests-3-days",
        "Facility requests closed within 3 days",
        "percent",
        "higher",
        "85",
        "88",
        "responsiveness",
        (82.0, 0.5, 2.0, None),
    ),
    (
        "logistics",
        "dispatch-on-time",
        "Orders dispatched on time",
        "percent",
        "higher",
        "97",
        "98",
        "on-time-dispatch",
        (96.5, 0.15, 0.6, "98.6"),
    ),
    (
        "logistics",
        "picking-errors",
        "Picking errors",
        "count",
        "lower",
        "20",
        "15",
        "order-accuracy",
        (24.0, -0.6, 3.0, "12"),
    ),
    (
        "customer-service",
        "handover-hours",
        "Hours to hand a customer case over",
        "hours",
        "lower",
        "4",
        "3",
        "handover-quality",
        (3.4, 0.1, 0.4, "5.5"),
    ),
]
MONTHS = 12


def _months_before(today: date, count: int) -> list[tuple[date, date]]:
    """The `count` complete calendar months before `today`, oldest first."""
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append((first, month_end(first)))
    return list(reversed(months))


def seed_kpis(*, today: date) -> list[str]:
    """Define the demo KPIs and upload a year of monthly values (the latest: the month before
    `today`; Facilities' one month short), then raise the breaches. Safe to rerun: the KPIs are
    kept by code, the values replaced by period, each breach raised once. Returns lines to print."""
    departments = {d.code: d for d in Department.objects.filter(code__in={row[0] for row in DEMO_KPIS})}
    parameters = {
        (p.department.code, p.code): p
        for p in ServiceParameter.objects.filter(department__in=departments.values()).select_related("department")
    }
    months = _months_before(today, MONTHS)
    rows, kpi_ids = [], []
    for code, kpi_code, name, unit, direction, agreed, warning, parameter, shape in DEMO_KPIS:
        department = departments.get(code)
        if department is None:
            continue
        kpi, _ = Kpi.objects.update_or_create(
            department=department,
            code=kpi_code,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "agreed": Decimal(agreed),
                "warning": Decimal(warning) if warning else None,
                "frequency": Kpi.Frequency.MONTHLY,
                "parameter": parameters.get((code, parameter)),
                "active": True,
            },
        )
        kpi_ids.append(kpi.pk)
        first, drift, wobble, latest = shape
        high = 100.0 if unit == "percent" else 1_000_000.0
        for index, (start, end) in enumerate(months):
            if index == MONTHS - 1:
                if latest is None:
                    continue  # not uploaded yet
                value = Decimal(latest)
            else:
                raw = first + drift * index + wobble * math.sin(index * 1.7 + len(kpi_code))
                value = Decimal(str(round(min(max(raw, 0.0), high), 2 if unit == "percent" else 1)))
                if unit == "count":
                    value = value.to_integral_value()
            rows.append(
                {
                    "department_code": code,
                    "kpi_code": kpi_code,
                    "period_start": start.isoformat(),
                    "period_end": end.isoformat(),
                    "value": str(value),
                }
            )
    summary = kpi_values_import(rows=rows)
    kpi_breaches_raise(kpi_ids=kpi_ids, today=today)  # also run after the import's commit: once each
    breaches = KpiBreach.objects.filter(kpi_id__in=kpi_ids, action_item__isnull=False).count()
    return [
        f"KPIs: {len(kpi_ids)} in {len(departments)} departments; values {summary}; "
        f"{breaches} below their agreed level, each an action on its head's list"
    ]
