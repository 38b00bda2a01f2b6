"""What the homes say of measured service: an auditor's audits to do, HR's counts to follow up."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.utils import timezone
from django.utils.html import strip_tags

from tests.factories import make_audit, make_audit_template, make_kpi


def text(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def test_an_auditor_finds_their_audits_to_do_on_their_home_and_nobody_else_does(org, login):
    today = timezone.localdate()
    template = make_audit_template(org.it)
    make_audit(template, org.outsider, due_on=today + timedelta(days=5))
    late = make_audit(template, org.outsider, due_on=today + timedelta(days=1))
    late.due_on = today - timedelta(days=2)  # overdue: the form would refuse a past due date
    late.save()

    page = text(login(org.outsider).get("/my/surveys/"))
    assert "Mystery-shopping audits for you" in page
    assert page.count("Record the audit of IT") == 2 and page.count("Overdue") == 1

    for somebody in (org.head, org.colleague, org.outsider_head, org.hr):
        assert "Mystery-shopping audits for you" not in text(login(somebody).get("/my/surveys/"))


def test_hr_home_counts_kpis_below_or_missing_and_overdue_audits(org, login):
    today = timezone.localdate()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    start = last_month_end.replace(day=1)
    make_kpi(org.it, code="below", values=[(start, last_month_end, 80)])  # agreed 90, higher is better
    make_kpi(org.it, code="missing", values=[(date(2020, 1, 1), date(2020, 1, 31), 95)])
    make_kpi(org.it, code="fine", values=[(start, last_month_end, 95)])
    audit = make_audit(make_audit_template(org.it), org.outsider)
    audit.due_on = today - timedelta(days=1)
    audit.save()

    page = text(login(org.hr).get("/hr/"))
    assert "Measured service 1 KPI below the agreed level 1 missing last period's value 1 overdue audit" in page
