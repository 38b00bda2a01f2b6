from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from simple_history.models import HistoricalRecords

from departments.models import Delegate, Department
from improvements.models import ActionItem
from kpis.models import KpiBreach
from kpis.services import CsvFile, kpi_breaches_raise, kpi_values_import
from tests.factories import EmployeeFactory, make_kpi, upload

HEADER = "department_code,kpi_code,period_start,period_end,value\n"
TODAY = date(2026, 5, 10)


def import_rows(*lines: str, **kwargs):
    return kpi_values_import(file=CsvFile("values.csv", (HEADER + "\n".join(lines)).encode()), **kwargs)


@pytest.fixture
def kpi(org):
    responsiveness = org.it.parameters.get(code="responsiveness")
    return make_kpi(
        org.it, parameter=responsiveness, values=[(date(2026, 3, 1), date(2026, 3, 31), 93)], agreed=90, warning=92
    )


def test_a_latest_value_below_the_agreed_level_raises_an_action_for_the_head_and_one_email(
    kpi, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_rows("it,tickets-2-days,2026-04-01,2026-04-30,84.5")

    breach = KpiBreach.objects.get()
    assert (breach.kpi, breach.period_start, breach.value, breach.agreed) == (kpi, date(2026, 4, 1), 84.5, 90)
    item = breach.action_item
    assert item.title == "Bring “Tickets resolved within 2 working days” back to its agreed level"
    assert "84.5 %" in item.change and "Apr 2026" in item.change and "at least 90 %" in item.change
    assert list(item.owners.all()) == [org.head] and list(item.parameters.all()) == [kpi.parameter]
    assert item.created_by is None and item.department == org.it
    assert item.due_on - item.created_at.date() == timedelta(days=30)
    assert [message.to for message in mail.outbox] == [[org.head.email]]
    assert "84.5 %" in mail.outbox[0].body and f"/actions/{item.pk}/" in mail.outbox[0].body
    assert breach.notified_at is not None


def test_a_reimport_or_a_rerun_never_raises_the_same_period_twice(kpi, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_rows("it,tickets-2-days,2026-04-01,2026-04-30,84.5")
    with django_capture_on_commit_callbacks(execute=True):
        import_rows("it,tickets-2-days,2026-04-01,2026-04-30,80")  # replaced, still below
    assert kpi_breaches_raise(kpi_ids=[kpi.pk], today=TODAY) == 0

    assert KpiBreach.objects.count() == 1 and ActionItem.objects.count() == 1 and len(mail.outbox) == 1


def test_only_the_latest_value_counts_and_meeting_or_warning_raises_nothing(kpi, org):
    import_rows(
        "it,tickets-2-days,2026-01-01,2026-01-31,70",  # below, but not the latest
        "it,tickets-2-days,2026-04-01,2026-04-30,91",  # warning: meets the agreed level only just
    )
    assert kpi_breaches_raise(kpi_ids=[kpi.pk], today=TODAY) == 0
    assert not KpiBreach.objects.exists() and not mail.outbox


def test_a_lower_is_better_kpi_breaches_above_its_agreed_level(org):
    kpi = make_kpi(
        org.it,
        code="first-answer",
        unit="hours",
        direction="lower",
        agreed=4,
        values=[(date(2026, 4, 1), date(2026, 4, 30), "4.5")],
    )
    assert kpi_breaches_raise(kpi_ids=[kpi.pk], today=TODAY) == 1
    assert "4.5 h" in KpiBreach.objects.get().action_item.change and "at most 4 h" in mail.outbox[0].body


def test_without_a_head_the_delegates_own_it_and_without_either_hr_sees_the_breach(org, client):
    delegate = EmployeeFactory(department=org.it)
    Delegate.objects.create(department=org.it, employee=delegate)
    Department.objects.filter(pk=org.it.pk).update(head=None)
    kpi = make_kpi(org.it, values=[(date(2026, 4, 1), date(2026, 4, 30), 80)])
    kpi_breaches_raise(kpi_ids=[kpi.pk], today=TODAY)
    assert list(KpiBreach.objects.get().action_item.owners.all()) == [delegate]
    assert mail.outbox[0].to == [delegate.email]

    Department.objects.filter(pk=org.sales.pk).update(head=None)
    orders = make_kpi(
        org.sales, code="orders", name="Orders confirmed in a day", values=[(date(2026, 4, 1), date(2026, 4, 30), 50)]
    )
    kpi_breaches_raise(kpi_ids=[orders.pk], today=TODAY)
    breach = KpiBreach.objects.get(kpi=orders)
    assert breach.action_item is None and breach.notified_at is None and len(mail.outbox) == 1

    client.force_login(org.hr.user)
    page = client.get("/hr/kpis/").content.decode()
    assert "Breaches nobody owns" in page and "Orders confirmed in a day" in page and "50 %" in page


def test_an_upload_records_the_uploader_in_the_values_history(kpi, org, client):
    client.force_login(org.hr.user)
    client.post(
        "/kpis/upload/", {"kpi_values": upload("v.csv", HEADER + "it,tickets-2-days,2026-04-01,2026-04-30,93")}
    )
    assert client.post("/kpis/upload/confirm/").status_code == 302

    assert kpi.values.get(period_start=date(2026, 4, 1)).history.get().history_user == org.hr.user


def test_an_action_raised_inside_someones_request_is_recorded_in_nobodys_name(kpi, org, rf):
    """Without a broker the task runs in the uploader's request, where django-simple-history's
    middleware would name them as the author of the head's action item."""
    import_rows("it,tickets-2-days,2026-04-01,2026-04-30,80")
    request = rf.get("/")
    request.user = org.hr.user
    HistoricalRecords.context.request = request
    try:
        kpi_breaches_raise(kpi_ids=[kpi.pk], today=TODAY)
        assert HistoricalRecords.context.request is request  # given back afterwards
    finally:
        del HistoricalRecords.context.request

    item = KpiBreach.objects.get().action_item
    records = list(item.history.all())
    assert records and {record.history_user for record in records} == {None}


def test_a_failed_email_leaves_no_breach_so_the_next_run_raises_it(kpi, org, monkeypatch):
    import_rows("it,tickets-2-days,2026-04-01,2026-04-30,80")

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("kpis.services.send_mail", broken)
    with pytest.raises(ConnectionError):
        kpi_breaches_raise(kpi_ids=[kpi.pk], today=TODAY)
    assert not KpiBreach.objects.exists() and not ActionItem.objects.exists()

    monkeypatch.undo()
    assert kpi_breaches_raise(kpi_ids=[kpi.pk], today=TODAY) == 1


def test_the_kpi_page_links_the_breach_action_for_those_who_follow_the_plan_only(kpi, org, as_):
    import_rows("it,tickets-2-days,2026-04-01,2026-04-30,80")
    kpi_breaches_raise(kpi_ids=[kpi.pk], today=TODAY)
    item = KpiBreach.objects.get().action_item
    link = f'href="/departments/it/actions/{item.pk}/"'
    assert link in as_(org.head).get("/departments/it/kpis/").content.decode()
    assert link in as_(org.hr).get("/departments/it/kpis/").content.decode()
    assert link not in as_(org.colleague).get("/departments/it/kpis/").content.decode()


def test_the_daily_sweep_raises_what_an_import_left_behind_once(kpi, org):
    from kpis.tasks import kpi_breaches_sweep_task

    import_rows("it,tickets-2-days,2026-04-01,2026-04-30,80")  # its task never ran (no commit here)
    assert kpi_breaches_sweep_task() == 1
    assert kpi_breaches_sweep_task() == 0
    assert KpiBreach.objects.count() == 1 and len(mail.outbox) == 1
