from datetime import date, datetime, timedelta

from django.utils import timezone

from concerns.workdays import add_working_days, is_working_day, moment_after, working_days_between

FRIDAY = date(2026, 11, 27)
MONDAY = date(2026, 11, 30)


def at(day: date, hours: float = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day)) + timedelta(hours=hours)


def test_weekends_and_closures_are_not_working_days():
    assert is_working_day(MONDAY, set())
    assert not is_working_day(FRIDAY + timedelta(days=1), set())  # Saturday
    assert not is_working_day(MONDAY, {MONDAY})


def test_two_working_days_after_a_friday_end_on_tuesday_night():
    assert moment_after(FRIDAY, 2, set()) == at(MONDAY + timedelta(days=2))  # midnight after Tuesday


def test_a_closure_pushes_the_deadline_by_a_day():
    assert moment_after(FRIDAY, 2, {MONDAY}) == at(MONDAY + timedelta(days=3))


def test_a_share_of_a_day_falls_within_the_day():
    assert moment_after(MONDAY, 0.5, set()) == at(MONDAY + timedelta(days=1), 12)  # Tuesday noon
    assert moment_after(MONDAY, 1.5, set()) == at(MONDAY + timedelta(days=2), 12)  # Wednesday noon


def test_a_concern_raised_on_a_saturday_starts_on_monday():
    saturday = FRIDAY + timedelta(days=1)
    assert moment_after(saturday, 1, set()) == at(MONDAY + timedelta(days=1))


def test_ten_working_days_span_two_weeks_and_a_holiday():
    closures = {date(2026, 12, 25)}
    # From Friday 18 December: 21, 22, 23, 24, (25 closed), 28, 29, 30, 31, 1 Jan, 4 Jan.
    assert add_working_days(date(2026, 12, 18), 10, closures) == date(2027, 1, 4)


def test_working_days_between_counts_only_working_time():
    assert working_days_between(FRIDAY, at(MONDAY, 12), set()) == 0.5
    assert working_days_between(FRIDAY, at(MONDAY + timedelta(days=2), 6), {MONDAY}) == 1.25
    assert working_days_between(MONDAY, at(MONDAY, 10), set()) == 0  # the raise day itself does not count
