from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from kpis.models import Kpi, KpiValue
from kpis.services import CsvFile, ImportFailed, kpi_values_import
from tests.factories import DepartmentFactory, make_kpi

HEADER = "department_code,kpi_code,period_start,period_end,value"
MARCH = (date(2026, 3, 1), date(2026, 3, 31), 91)


def csv(*lines: str, header: str = HEADER) -> CsvFile:
    return CsvFile("values.csv", "\n".join([header, *lines]).encode())


@pytest.fixture
def kpi(org):
    return make_kpi(org.it, values=[MARCH])


def errors_of(**kwargs) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        kpi_values_import(**kwargs)
    return failure.value.errors


def test_a_valid_file_writes_new_values_and_reports_them(kpi):
    summary = kpi_values_import(
        file=csv("it,tickets-2-days,2026-04-01,2026-04-30,92.5", "IT,Tickets-2-Days,2026-05-01,2026-05-31,88")
    )

    assert (summary.created, summary.replaced, summary.unchanged) == (2, 0, 0)
    values = list(kpi.values.order_by("period_start").values_list("period_start", "value"))
    assert values == [(date(2026, 3, 1), Decimal("91")), (date(2026, 4, 1), Decimal("92.5")), (date(2026, 5, 1), 88)]


def test_a_dry_run_counts_new_replaced_and_unchanged_and_writes_nothing(kpi):
    make_kpi(
        kpi.department,
        code="first-answer",
        unit="hours",
        direction="lower",
        agreed=4,
        values=[(date(2026, 3, 1), date(2026, 3, 31), 3)],
    )
    summary = kpi_values_import(
        file=csv(
            "it,tickets-2-days,2026-03-01,2026-03-31,93",  # replaced
            "it,first-answer,2026-03-01,2026-03-31,3.00",  # unchanged
            "it,first-answer,2026-04-01,2026-04-30,3.5",  # new
        ),
        dry_run=True,
    )

    assert (summary.created, summary.replaced, summary.unchanged) == (1, 1, 1)
    assert KpiValue.objects.count() == 2 and kpi.values.get().value == 91


def test_a_reimport_of_the_same_period_replaces_the_value_and_keeps_its_history(kpi, org):
    kpi_values_import(file=csv("it,tickets-2-days,2026-03-01,2026-03-31,87"), uploaded_by=org.head.user)
    kpi_values_import(file=csv("it,tickets-2-days,2026-03-01,2026-03-31,89"), uploaded_by=org.hr.user)

    value = kpi.values.get()
    assert value.value == 89
    history = list(value.history.order_by("history_date").values_list("value", "history_user"))
    assert history == [(91, None), (87, org.head.user.pk), (89, org.hr.user.pk)]


def test_rows_can_be_given_instead_of_a_file_with_their_numbers_in_errors(kpi):
    rows = [
        {
            "department_code": "it",
            "kpi_code": "tickets-2-days",
            "period_start": "2026-04-01",
            "period_end": "2026-04-30",
            "value": 93,
        },
        {
            "department_code": "it",
            "kpi_code": "tickets-2-days",
            "period_start": "2026-05-01",
            "period_end": "2026-05-31",
            "value": 101,
        },
    ]
    assert errors_of(rows=rows) == ["rows:2: value 101 is outside 0–100"]
    assert kpi_values_import(rows=rows[:1]).created == 1


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("it,tickets-2-days,2026-04-01,2026-04-30,100.5", "values.csv:2: value 100.5 is outside 0–100"),
        ("it,tickets-2-days,2026-04-01,2026-04-30,-1", "values.csv:2: value -1 is outside 0–100"),
        ("it,tickets-2-days,2026-04-01,2026-04-30,ninety", "values.csv:2: value 'ninety' is not a number"),
        ("it,tickets-2-days,2026-04-01,2026-04-30,92.555", "values.csv:2: value 92.555 has more than 2 decimals"),
        ("it,tickets-2-days,2026-04-01,2026-04-30,", "values.csv:2: value is empty"),
        (
            "it,tickets-2-days,01/04/2026,2026-04-30,92",
            "values.csv:2: period_start '01/04/2026' is not a date written YYYY-MM-DD",
        ),
        (
            "it,tickets-2-days,2026-04-01,20260430,92",
            "values.csv:2: period_end '20260430' is not a date written YYYY-MM-DD",
        ),
        (
            "it,tickets-2-days,2026-02-30,2026-03-31,92",
            "values.csv:2: period_start '2026-02-30' is not a date written YYYY-MM-DD",
        ),
        (
            "it,tickets-2-days,2026-04-30,2026-04-01,92",
            "values.csv:2: period_end 2026-04-01 is before period_start 2026-04-30",
        ),
        ("nope,tickets-2-days,2026-04-01,2026-04-30,92", "values.csv:2: department_code 'nope' is not a department"),
        ("it,nope,2026-04-01,2026-04-30,92", "values.csv:2: kpi_code 'nope' is not a KPI of department 'it'"),
        (
            "sales,tickets-2-days,2026-04-01,2026-04-30,92",
            "values.csv:2: kpi_code 'tickets-2-days' is not a KPI of department 'sales'",
        ),
        (
            "it,tickets-2-days,2026-03-15,2026-04-14,92",
            "values.csv:2: period 2026-03-15 – 2026-04-14 of KPI 'tickets-2-days' overlaps the stored value for 2026-03-01 – 2026-03-31 (only an identical period replaces it)",
        ),
        (
            "it,tickets-2-days,2026-02-01,2026-03-01,92",
            "values.csv:2: period 2026-02-01 – 2026-03-01 of KPI 'tickets-2-days' overlaps the stored value for 2026-03-01 – 2026-03-31 (only an identical period replaces it)",
        ),
    ],
)
def test_each_bad_row_is_reported_with_its_file_and_line_and_nothing_is_written(kpi, line, error):
    good = "it,tickets-2-days,2026-05-01,2026-05-31,90"
    assert errors_of(file=csv(good, line)) == [error.replace(":2:", ":3:")]
    assert KpiValue.objects.count() == 1


def test_hours_days_and_counts_take_large_values_but_not_absurd_ones(kpi):
    make_kpi(kpi.department, code="backlog", unit="count", direction="lower", agreed=100)
    assert kpi_values_import(file=csv("it,backlog,2026-03-01,2026-03-31,25000")).created == 1
    assert errors_of(file=csv("it,backlog,2026-04-01,2026-04-30,1000001")) == [
        "values.csv:2: value 1000001 is outside 0–1000000"
    ]


def test_every_problem_of_a_file_is_listed_at_once(kpi):
    errors = errors_of(
        file=csv(
            "it,tickets-2-days,2026-04-01,2026-04-30,92",
            "it,tickets-2-days,2026-04-01,2026-04-30,92",
            "it,tickets-2-days,2026-04-15,2026-05-14,92",
            "it,tickets-2-days,2026-06-01,2026-06-30,200",
        )
    )
    assert errors == [
        "values.csv:3: duplicate row for KPI 'tickets-2-days' of 'it' and period 2026-04-01 – 2026-04-30 (first on line 2)",
        "values.csv:5: value 200 is outside 0–100",
        "values.csv:4: period 2026-04-15 – 2026-05-14 of KPI 'tickets-2-days' overlaps the period on line 2 (2026-04-01 – 2026-04-30)",
    ]
    assert KpiValue.objects.count() == 1


def test_columns_are_checked_missing_and_extra(kpi):
    assert errors_of(file=csv("it,tickets-2-days,2026-04-01,2026-04-30", header=HEADER.replace(",value", ""))) == [
        "values.csv:1: missing required column 'value'"
    ]
    assert errors_of(file=csv("it,tickets-2-days,2026-04-01,2026-04-30,92,x", header=HEADER + ",comment")) == [
        "values.csv:1: unexpected column 'comment' (the columns are department_code, kpi_code, period_start, period_end, value)"
    ]


def test_an_empty_file_and_a_file_without_rows_are_refused(kpi):
    assert errors_of(file=CsvFile("values.csv", b"")) == [
        "values.csv:1: the file is empty; a header row is required "
        "(department_code, kpi_code, period_start, period_end, value)"
    ]
    assert errors_of(file=csv()) == ["values.csv: has no values (a header row, then one row per KPI and period)"]


def test_values_for_an_inactive_department_or_a_retired_kpi_are_refused(kpi, org):
    legal = DepartmentFactory(code="legal", active=False)
    make_kpi(legal, code="turnaround", unit="days", direction="lower", agreed=5)
    Kpi.objects.filter(pk=kpi.pk).update(active=False)
    assert errors_of(
        file=csv("legal,turnaround,2026-04-01,2026-04-30,4", "it,tickets-2-days,2026-04-01,2026-04-30,92")
    ) == [
        "values.csv:2: department 'legal' is deactivated",
        "values.csv:3: kpi_code 'tickets-2-days' of department 'it' is deactivated",
    ]


def test_someone_limited_to_their_departments_cannot_write_for_another(kpi, org):
    make_kpi(org.sales, code="orders", agreed=95)
    errors = errors_of(
        file=csv("it,tickets-2-days,2026-04-01,2026-04-30,92", "sales,orders,2026-04-01,2026-04-30,96"),
        allowed_departments=[org.sales],
    )
    assert errors == ["values.csv:2: you cannot upload values for department 'it', only for those you act for"]
    assert KpiValue.objects.count() == 1


def test_adjacent_periods_do_not_overlap_and_quarters_sit_beside_months(kpi):
    summary = kpi_values_import(
        file=csv("it,tickets-2-days,2026-04-01,2026-04-30,92", "it,tickets-2-days,2026-05-01,2026-07-31,93")
    )
    assert summary.created == 2


def test_a_period_that_has_not_ended_is_refused(kpi):
    from django.utils import timezone

    tomorrow = timezone.localdate() + timedelta(days=1)
    errors = errors_of(file=csv(f"it,tickets-2-days,{tomorrow.replace(day=1)},{tomorrow},92"))
    assert errors == [f"values.csv:2: period_end {tomorrow} is in the future: give values of periods that have ended"]
    assert kpi.values.count() == 1


def test_stored_values_that_overlap_each_other_do_not_break_the_next_import(kpi):
    """Two stored values may overlap (written by hand); the file is only checked against them."""
    KpiValue.objects.create(kpi=kpi, period_start=date(2026, 3, 15), period_end=date(2026, 4, 14), value=90)

    summary = kpi_values_import(file=csv("it,tickets-2-days,2026-05-01,2026-05-31,93"))
    assert summary.created == 1
    assert errors_of(file=csv("it,tickets-2-days,2026-04-10,2026-04-20,93")) == [
        "values.csv:2: period 2026-04-10 – 2026-04-20 of KPI 'tickets-2-days' overlaps the stored value for"
        " 2026-03-15 – 2026-04-14 (only an identical period replaces it)"
    ]
