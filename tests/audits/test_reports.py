from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from audits.models import Audit
from audits.reports import department_audits
from tests.factories import EmployeeFactory, make_audit, make_audit_template, submit_audit


@pytest.fixture
def template(org):
    return make_audit_template(org.it)


def completed(template, auditor, requested_on, scores, notes=None):
    audit = make_audit(template, auditor, scheduled_on=requested_on - timedelta(days=3))
    submit_audit(audit, scores, requested_on=requested_on, notes=notes)
    return audit


def test_outside_hr_an_audit_shows_its_month_never_its_date_or_auditor(org, template):
    day = timezone.localdate() - timedelta(days=40)
    completed(template, org.outsider, day, [1, 5], notes=["", "Quick and kind."])

    seen = department_audits(org.it, until=None, for_hr=False)

    (view,) = seen.audits
    assert view.month == day.replace(day=1)
    assert view.date is None and view.auditor_name is None
    assert view.overall == pytest.approx(100)
    assert view.notes == [("Quality of work", "Check 2: quality", "Quick and kind.")]
    assert set(view.by_parameter) == set(org.it.parameters.values_list("pk", flat=True))


def test_hr_sees_the_date_and_the_auditor(org, template):
    day = timezone.localdate() - timedelta(days=2)
    completed(template, org.outsider, day, [0, 3])

    (view,) = department_audits(org.it, until=None, for_hr=True).audits

    assert view.date == day and view.auditor_name == org.outsider.full_name
    assert view.overall == pytest.approx((0 + 50 * 2) / 3, abs=0.01)


def test_audits_in_progress_and_cancelled_ones_do_not_exist_for_the_report(org, template):
    make_audit(template, org.outsider)
    cancelled = make_audit(template, org.outsider)
    cancelled.status = Audit.Status.CANCELLED
    cancelled.save()

    assert department_audits(org.it, until=None, for_hr=True).audits == []
    html = render_to_string(
        "audits/_scorecard_section.html",
        {"department_audits": department_audits(org.it, until=None, for_hr=False), "for_hr": False},
    )
    assert "No completed audits yet. HR schedules mystery-shopping audits." in html


def test_newest_first_until_the_month_asked_and_the_latest_score_per_parameter(org, template):
    today = timezone.localdate()
    responsiveness = org.it.parameters.get(code="responsiveness")
    old = date(today.year - 1, 3, 10)
    middle = date(today.year - 1, 6, 28)
    completed(template, org.outsider, old, [0, 1])
    completed(template, org.outsider_head, middle, [1, 3])
    completed(template, org.outsider, today, [0, 5])

    until_june = department_audits(org.it, until=date(today.year - 1, 6, 1), for_hr=False)
    assert [view.month for view in until_june.audits] == [middle.replace(day=1), old.replace(day=1)]
    assert until_june.latest_by_parameter[responsiveness.pk] == (100.0, middle.replace(day=1))

    every = department_audits(org.it, until=None, for_hr=False)
    assert every.audits[0].month == today.replace(day=1)
    assert every.latest_by_parameter[responsiveness.pk] == (0.0, today.replace(day=1))


def test_the_section_names_no_auditor_and_no_day_for_the_department(org, template):
    day = timezone.localdate() - timedelta(days=1)
    completed(template, org.outsider, day, [1, 4], notes=["Greeted at once.", ""])
    completed(template, org.outsider_head, day - timedelta(days=1), [0, 2])

    html = render_to_string(
        "audits/_scorecard_section.html",
        {"department_audits": department_audits(org.it, until=None, for_hr=False), "for_hr": False},
    )

    assert "Mystery-shopping audits" in html and "Greeted at once." in html
    assert day.strftime("%B %Y") in html
    for person in (org.outsider, org.outsider_head):
        assert person.full_name not in html and person.email not in html
    assert day.isoformat() not in html and f"{day.day} {day:%b} {day.year}" not in html
    hr_html = render_to_string(
        "audits/_scorecard_section.html",
        {"department_audits": department_audits(org.it, until=None, for_hr=True), "for_hr": True},
    )
    assert org.outsider.full_name in hr_html


def test_the_report_costs_the_same_queries_whatever_the_number_of_audits(org, template, django_assert_num_queries):
    day = timezone.localdate() - timedelta(days=5)
    completed(template, org.outsider, day, [1, 4], notes=["a", "b"])
    with django_assert_num_queries(3):
        department_audits(org.it, until=None, for_hr=True)
    for n in range(8):
        completed(
            template,
            EmployeeFactory(department=org.sales),
            day - timedelta(days=30 * n),
            [n % 2, 1 + n % 5],
            ["x", "y"],
        )
    with django_assert_num_queries(3):
        seen = department_audits(org.it, until=None, for_hr=True)
    assert len(seen.audits) == 9
