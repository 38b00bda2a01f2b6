"""The sync task through a real Celery worker process, Redis and the database."""

from __future__ import annotations

import pytest

from departments.models import Employee
from hrsync.models import SyncRun
from hrsync.tasks import hr_sync_task
from tests.hrsync.conftest import org_files
from tests.processes import wait_for

pytestmark = pytest.mark.celery_worker


def test_a_worker_runs_the_sync_from_the_folder(celery_worker, org, hr_folder, settings):
    hr_folder(org_files(org, move={"colleague@example.com": "sales"}))
    celery_worker.stop()  # the worker reads the folder from its own environment
    celery_worker.start(HR_SYNC_DIR=settings.HR_SYNC_DIR)

    hr_sync_task.delay()

    wait_for(lambda: SyncRun.objects.exists())
    run = SyncRun.objects.get()
    assert run.status == SyncRun.Status.APPLIED, run.errors
    assert Employee.objects.get(user__username="colleague@example.com").department.code == "sales"
