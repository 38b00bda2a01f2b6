"""Working days: Monday to Friday, except the closure dates HR enters.

A concern's clock runs through working days only, 24 hours each, and starts at the end of the day
it was raised (the row keeps the date, never the time: see concerns.models). "Two working days"
after a concern raised on Friday ends at the end of Tuesday; a closure on Monday makes it Wednesday.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from django.utils import timezone


def is_working_day(day: date, closures: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in closures


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def moment_after(start: date, days: float, closures: Collection[date]) -> datetime:
    """The moment `days` working days (fractions allowed) after the end of `start`."""
    if days <= 0:
        return _midnight(start + timedelta(days=1))
    day, remaining = start, float(days)
    while True:
        day += timedelta(days=1)
        if not is_working_day(day, closures):
            continue
        if remaining <= 1:
            return _midnight(day) + timedelta(days=remaining)
        remaining -= 1


def working_days_between(start: date, end: datetime, closures: Collection[date]) -> float:
    """Working days elapsed from the end of `start` to `end` (0 if `end` is earlier)."""
    end = timezone.localtime(end)
    elapsed, day = 0.0, start + timedelta(days=1)
    while day <= end.date():
        if is_working_day(day, closures):
            if day == end.date():
                elapsed += (end - _midnight(day)).total_seconds() / 86400
            else:
                elapsed += 1
        day += timedelta(days=1)
    return elapsed


def add_working_days(start: date, days: int, closures: Collection[date]) -> date:
    """The date `days` working days after `start` (a deadline's day, for display)."""
    return (moment_after(start, days, closures) - timedelta(microseconds=1)).date()
