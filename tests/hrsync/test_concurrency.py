"""Two syncs never write at once: the second waits for the first's lock, then sees its writes."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from hrsync.models import SyncRun
from hrsync.services import sync_lock, sync_run
from tests.hrsync.conftest import org_files


@pytest.mark.django_db(transaction=True)
def test_a_run_waits_while_another_holds_the_lock(org, hr_folder):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for concurrent transactions and row locks (set DATABASE_URL)")
    hr_folder(org_files(org, move={"colleague@example.com": "sales"}))
    holding, release, finished = threading.Event(), threading.Event(), threading.Event()

    def first():
        with sync_lock():
            holding.set()
            release.wait(10)
        connection.close()

    def second():
        holding.wait(10)
        sync_run()
        finished.set()
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    holding.wait(10)
    time.sleep(0.5)
    assert not finished.is_set(), "the second run went ahead while the first held the lock"
    assert not SyncRun.objects.exists()
    release.set()
    for thread in threads:
        thread.join(20)
    assert finished.is_set()
    assert SyncRun.objects.get().status == SyncRun.Status.APPLIED


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_apply_the_files_once(org, hr_folder):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for concurrent transactions and row locks (set DATABASE_URL)")
    hr_folder(org_files(org, move={"colleague@example.com": "sales"}))
    start = threading.Barrier(2)

    def run():
        start.wait(10)
        sync_run()
        connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(SyncRun.objects.values_list("status", flat=True))
    assert statuses == [SyncRun.Status.APPLIED, SyncRun.Status.UNCHANGED]
