from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from kpis.models import Kpi, format_value, month_end
from kpis.reports import kpi_levels, kpis_needing_attention
from tests.factories import make_kpi


def months(first: date, count: int) -> list[tuple[date, date]]:
    periods, start = [], first
    for _ in range(count):
        periods.append((start, month_end(start)))
        start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return periods


@pytest.mark.parametrize(
    ("direction", "agreed", "warning", "value", "status"),
    [
        ("higher", "90", "92", "93", "meets"),
        ("higher", "90", "92", "92", "meets"),
        ("higher", "90", "92", "91", "warning"),
        ("higher", "90", "92", "90", "warning"),
        ("higher", "90", "92", "89.99", "below"),
        ("higher", "90", None, "90", "meets"),
        ("lower", "4", "3", "2.5", "meets"),
        ("lower", "4", "3", "3.5", "warning"),
        ("lower", "4", "3", "4", "warning"),
        ("lower", "4", "3", "4.01", "below"),
        ("lower", "4", None, "4", "meets"),
        ("higher", "90", "92", None, "missing"),
    ],
)
def test_the_status_of_a_value_depends_on_the_direction_and_both_levels(direction, agreed, warning, value, status):
    kpi = Kpi(direction=direction, agreed=Decimal(agreed), warning=Decimal(warning) if warning else None)
    assert kpi.status_of(Decimal(value) if value else None) == status


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("92", "percent", "92 %"),
        ("92.50", "percent", "92.5 %"),
        ("100.00", "percent", "100 %"),
        ("5.5", "hours", "5.5 h"),
        ("3", "days", "3 days"),
        ("1", "days", "1 day"),
        ("41", "count", "41"),
        ("25000", "count", "25000"),
        ("0", "count", "0"),
        (None, "percent", "—"),
    ],
)
def test_a_value_is_shown_with_its_unit(value, unit, shown):
    assert format_value(Decimal(value) if value else None, unit) == shown


def test_the_last_period_is_the_last_complete_month_or_quarter():
    monthly, quarterly = Kpi(frequency="monthly"), Kpi(frequency="quarterly")
    assert monthly.last_period(date(2026, 5, 10)) == (date(2026, 4, 1), date(2026, 4, 30))
    assert monthly.last_period(date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert quarterly.last_period(date(2026, 5, 10)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarterly.last_period(date(2026, 1, 31)) == (date(2025, 10, 1), date(2025, 12, 31))


def test_levels_hold_the_last_eight_values_oldest_first_up_to_a_date(org):
    periods = months(date(2025, 1, 1), 12)
    values = [80 + i for i in range(12)]
    kpi = make_kpi(org.it, values=[(s, e, v) for (s, e), v in zip(periods, values, strict=True)])
    make_kpi(org.it, code="retired", active=False, values=[(periods[0][0], periods[0][1], 1)])
    make_kpi(org.sales, code="orders", values=[(periods[0][0], periods[0][1], 1)])
    empty = make_kpi(org.it, code="availability", name="Availability")

    missing, level = kpi_levels(org.it)  # by name
    assert (level.kpi, missing.kpi) == (kpi, empty)
    assert [v.value for v in level.trend] == values[-8:] and level.latest == level.trend[-1]
    assert (level.status, level.meets) == ("meets", True)
    assert (missing.latest, missing.trend, missing.status, missing.meets) == (None, [], "missing", None)

    (_, earlier) = kpi_levels(org.it, until=periods[5][1])
    assert [v.value for v in earlier.trend] == values[:6]
    assert (earlier.latest.value, earlier.status, earlier.meets) == (85, "below", False)
    assert earlier.trend_text == "80 → 81 → 82 → 83 → 84 → 85 %"


def test_levels_take_two_queries_whatever_the_number_of_kpis_and_values(org, django_assert_num_queries):
    rng = random.Random(3)
    for size in (2, 20):
        for kpi in Kpi.objects.filter(department=org.it):
            kpi.delete()
        for n in range(size):
            make_kpi(
                org.it,
                code=f"kpi-{n}",
                values=[(s, e, rng.randint(50, 100)) for s, e in months(date(2024, 1, 1), size)],
            )
        with django_assert_num_queries(2):
            levels = kpi_levels(org.it)
            html = "".join(render_to_string("kpis/_level.html", {"level": level}) for level in levels)
        assert len(levels) == size and all(len(level.trend) == min(size, 8) for level in levels)
        assert html.count("<svg") == size


def test_the_level_partial_shows_value_status_agreed_level_and_trend(org):
    make_kpi(
        org.it,
        warning=92,
        values=[(s, e, v) for (s, e), v in zip(months(date(2026, 1, 1), 3), [88, 90, 91], strict=True)],
    )
    html = render_to_string("kpis/_level.html", {"level": kpi_levels(org.it)[0]})
    assert "91 %" in html and "At risk" in html and "agreed at least 90 %" in html and "Mar 2026" in html
    assert 'aria-label="Trend: 88 → 90 → 91 %"' in html


def test_hr_sees_kpis_missing_last_period_then_those_below_their_agreed_level(org):
    today = date(2026, 5, 10)
    april, march = (date(2026, 4, 1), date(2026, 4, 30)), (date(2026, 3, 1), date(2026, 3, 31))
    make_kpi(org.it, code="fine", values=[(*april, 95)])
    below = make_kpi(org.it, code="below", values=[(*april, 85)])
    late = make_kpi(org.it, code="late", values=[(*march, 95)])
    late_and_below = make_kpi(org.sales, code="late-below", values=[(*march, 50)])
    never = make_kpi(org.sales, code="never")
    make_kpi(org.it, code="quarterly", frequency="quarterly", values=[(date(2026, 1, 1), date(2026, 3, 31), 95)])
    lower = make_kpi(org.it, code="lower", unit="hours", direction="lower", agreed=4, values=[(*april, 5)])
    make_kpi(org.it, code="retired", active=False)

    found = list(kpis_needing_attention(today))
    assert [k.code for k in found] == [late.code, late_and_below.code, never.code, below.code, lower.code]
    flags = {k.code: (k.missing, k.below) for k in found}
    assert flags == {
        "late": (True, False),
        "late-below": (True, True),
        "never": (True, False),
        "below": (False, True),
        "lower": (False, True),
    }
