"""HR's sync pages: the last 30 runs, one run, Run now, Confirm and Discard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from departments.models import Employee
from hrsync.models import SyncRun
from tests.hrsync.conftest import org_files


def make_run(status: str, **fields) -> SyncRun:
    return SyncRun.objects.create(started_at=fields.pop("started_at", timezone.now()), status=status, **fields)


def test_the_list_explains_the_variables_when_the_sync_is_not_configured(login, org, settings):
    settings.HR_SYNC_DIR = settings.HR_SYNC_URL = ""
    page = login(org.hr).get(reverse("hrsync:runs")).content.decode()
    assert "The sync is not configured" in page and "HR_SYNC_DIR" in page and "HR_SYNC_URL" in page
    assert "Run now" not in page
    assert "The sync has not run yet" in page


def test_the_list_shows_the_last_30_runs_newest_first_with_status_in_words(login, org, hr_folder):
    start = timezone.now() - timedelta(days=40)
    for day in range(35):
        make_run(SyncRun.Status.UNCHANGED, started_at=start + timedelta(days=day))
    failed = make_run(SyncRun.Status.FAILED, errors=["employees.csv:3: bad"], started_at=timezone.now())

    response = login(org.hr).get(reverse("hrsync:runs"))

    runs = response.context["runs"]
    assert len(runs) == 30 and runs[0] == failed
    assert runs[-1].started_at == start + timedelta(days=6)
    page = response.content.decode()
    assert "Failed" in page and "1 error" in page and "No changes" in page and "Run now" in page


def test_run_now_queues_the_task_and_records_who_asked(login, org, hr_folder, django_capture_on_commit_callbacks):
    hr_folder(org_files(org, move={"colleague@example.com": "sales"}))
    client = login(org.hr)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("hrsync:run_now"))

    assert response.status_code == 302 and response["Location"] == reverse("hrsync:runs")
    run = SyncRun.objects.get()
    assert run.trigger == SyncRun.Trigger.MANUAL and run.requested_by == org.hr.user
    assert run.status == SyncRun.Status.APPLIED


def test_run_now_without_configuration_says_so_and_queues_nothing(login, org, settings):
    settings.HR_SYNC_DIR = settings.HR_SYNC_URL = ""
    response = login(org.hr).post(reverse("hrsync:run_now"), follow=True)
    assert "not configured" in response.content.decode()
    assert not SyncRun.objects.exists()


def test_a_held_run_shows_the_reasons_and_hr_confirms_it(login, org, hr_folder, django_capture_on_commit_callbacks):
    hr_folder(org_files(org, leave=("outsider@example.com",)))
    client = login(org.hr)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("hrsync:run_now"))
    run = SyncRun.objects.get()

    page = client.get(reverse("hrsync:run", args=[run.pk])).content.decode()
    assert "Held at the safety brake" in page and "more than the limit of 10 %" in page
    assert "outsider@example.com" in page and "Confirm and apply" in page

    response = client.post(reverse("hrsync:confirm", args=[run.pk]), follow=True)
    assert "The changes were applied." in response.content.decode()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.CONFIRMED and run.decided_by == org.hr.user
    assert not Employee.objects.get(user__username="outsider@example.com").active
    assert "Confirm and apply" not in response.content.decode()


def test_a_decided_run_cannot_be_confirmed_again(login, org, hr_folder):
    run = make_run(SyncRun.Status.DISCARDED, files={"employees": ["employees.csv", ""]})
    response = login(org.hr).post(reverse("hrsync:confirm", args=[run.pk]), follow=True)
    assert "no longer waits for a decision" in response.content.decode()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DISCARDED and run.decided_by is None


def test_hr_discards_a_held_run(login, org, hr_folder):
    hr_folder(org_files(org, leave=("outsider@example.com",)))
    from hrsync.services import sync_run

    run = sync_run()
    response = login(org.hr).post(reverse("hrsync:discard", args=[run.pk]), follow=True)
    assert "discarded" in response.content.decode()
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DISCARDED and run.decided_by == org.hr.user
    assert Employee.objects.get(user__username="outsider@example.com").active


@pytest.mark.parametrize("role", ["colleague", "head", "outsider"])
def test_only_hr_sees_or_acts_on_the_sync(client, org, role):
    run = make_run(SyncRun.Status.HELD, files={"employees": ["employees.csv", ""]})
    client.force_login(getattr(org, role).user)
    assert client.get(reverse("hrsync:runs")).status_code == 403
    assert client.get(reverse("hrsync:run", args=[run.pk])).status_code == 403
    for name in ("hrsync:confirm", "hrsync:discard"):
        assert client.post(reverse(name, args=[run.pk])).status_code == 403
    assert client.post(reverse("hrsync:run_now")).status_code == 403
    run.refresh_from_db()
    assert run.status == SyncRun.Status.HELD


def test_unknown_runs_are_404(login, org):
    client = login(org.hr)
    assert client.get(reverse("hrsync:run", args=[999999])).status_code == 404
    assert client.post(reverse("hrsync:confirm", args=[999999])).status_code == 404
    assert client.get(reverse("hrsync:confirm", args=[999999])).status_code == 405
