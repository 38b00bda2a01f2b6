"""Concern figures per department and period: counted in SQL; the median in Python over one
column of the period's answered concerns (SQLite has no percentile function)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from statistics import median
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from .models import Concern, overdue_q


@dataclass
class ConcernFigures:
    raised: int = 0
    acknowledged_due: int = 0  # acknowledged, or past the time to acknowledge
    acknowledged_in_time: int = 0
    answered_due: int = 0
    answered_in_time: int = 0
    waiting: int = 0
    overdue: int = 0
    median_days: float | None = None
    ratings: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def _percent(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def acknowledged_percent(self) -> int | None:
        return self._percent(self.acknowledged_in_time, self.acknowledged_due)

    @property
    def answered_percent(self) -> int | None:
        return self._percent(self.answered_in_time, self.answered_due)

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())


def figures(start: date, end: date, department_ids=None, now=None) -> dict[int, ConcernFigures]:
    """Per department: the concerns raised in [start, end) and how they were handled. Counts never
    split by the raiser's department (an anonymous raiser's may be on the row: it is never counted)."""
    now = now or timezone.now()
    concerns = Concern.objects.filter(raised_on__gte=start, raised_on__lt=end)
    if department_ids is not None:
        concerns = concerns.filter(department_id__in=department_ids)
    acknowledged_due = Q(acknowledged_at__isnull=False) | Q(acknowledge_by__lt=now)
    answered_due = Q(answered_at__isnull=False) | Q(answer_by__lt=now)
    rows = (
        concerns.values("department_id")
        .annotate(
            raised=Count("pk"),
            acknowledged_due=Count("pk", filter=acknowledged_due),
            acknowledged_in_time=Count("pk", filter=Q(acknowledged_in_time=True)),
            answered_due=Count("pk", filter=answered_due),
            answered_in_time=Count("pk", filter=Q(answered_in_time=True)),
            waiting=Count("pk", filter=Q(status__in=Concern.WAITING)),
            overdue=Count("pk", filter=overdue_q(now)),
            **{f"rated_{value}": Count("pk", filter=Q(rating=value)) for value in Concern.Rating.values},
        )
        .order_by()
    )
    found: dict[int, ConcernFigures] = {}
    for row in rows:
        counts: dict[str, Any] = dict(row)
        department_id = counts.pop("department_id")
        ratings = {value: counts.pop(f"rated_{value}") for value in Concern.Rating.values}
        found[department_id] = ConcernFigures(**counts, ratings=ratings)
    durations: dict[int, list[float]] = {}
    for department_id, days in concerns.filter(answer_working_days__isnull=False).values_list(
        "department_id", "answer_working_days"
    ):
        durations.setdefault(department_id, []).append(float(days or 0))
    for department_id, values in durations.items():
        found[department_id].median_days = round(median(values), 1)
    return found


def quarter_of(day: date) -> tuple[date, date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    end = date(day.year + (first_month == 10), 1 if first_month == 10 else first_month + 3, 1)
    return start, end


def quarter_label(start: date) -> str:
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


def recent_quarters(count: int = 8, today: date | None = None) -> list[tuple[str, date, date]]:
    """(key like 2026-Q4, start, end) for this quarter and the `count - 1` before it, newest first."""
    start, _ = quarter_of(today or timezone.localdate())
    quarters = []
    for _ in range(count):
        _, end = quarter_of(start)
        quarters.append((f"{start.year}-Q{(start.month - 1) // 3 + 1}", start, end))
        start = quarter_of(date(start.year - (start.month == 1), 12 if start.month == 1 else start.month - 1, 1))[0]
    return quarters


def waiting_by_department(department_ids, now=None) -> dict[int, tuple[int, int]]:
    """{department id: (waiting for an answer, of which overdue)}: one query, for the heads' home."""
    now = now or timezone.now()
    overdue = overdue_q(now)
    rows = (
        Concern.objects.waiting()
        .filter(department_id__in=department_ids)
        .values("department_id")
        .annotate(waiting=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by()
    )
    return {row["department_id"]: (row["waiting"], row["overdue"]) for row in rows}


def organisation_summary(now=None) -> dict[str, int]:
    """HR's home: concerns overdue, and sent back to HR, across the organisation (one query)."""
    now = now or timezone.now()
    overdue = overdue_q(now)
    return Concern.objects.aggregate(
        overdue=Count("pk", filter=overdue), with_hr=Count("pk", filter=Q(status=Concern.Status.WITH_HR))
    )
