"""Failures of real processes: a worker killed mid-aggregation, Redis down during submissions, a
database restart during submissions. Nothing is lost, duplicated or half-written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import psycopg2
import pytest
from django.db import connection

from departments.models import Dependency
from scorecards.models import CycleResult, DepartmentScore, HeatmapCell, ParameterScore, Participation
from scorecards.services import cycle_aggregate
from surveys.models import Answer, CycleParameter, Invitation, Response
from surveys.sealing import unseal
from tests.factories import EmployeeFactory, generate, make_cycle, make_org
from tests.processes import ROOT, RedisServer, Visitor, WebServer, Worker, database_url, wait_for

RESULT_MODELS = (ParameterScore, DepartmentScore, HeatmapCell, Participation)
# A task whose worker died comes back after 3 s (production: after the 2-hour visibility timeout,
# or sooner through the periodic sweep), looked for every second.
FAST_REDELIVERY = {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_RESTORE_INTERVAL": "1", "CELERY_RESTORE_THROTTLE": "1"}


def needs_postgresql():
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL (set DATABASE_URL): a database shared with other processes"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def needs(binary: str):
    if not shutil.which(binary):
        pytest.skip(f"needs {binary} on the PATH")


def results_snapshot(cycle) -> dict:
    """Every stored figure of a cycle, without ids: what "identical rows" compares."""
    return {
        model.__name__: sorted(
            tuple(row[f.attname] for f in model._meta.concrete_fields if not f.primary_key)
            for row in model.objects.filter(cycle=cycle).values()
        )
        for model in RESULT_MODELS
    }


@pytest.mark.celery_worker
def test_a_worker_killed_mid_aggregation_is_replaced_and_its_rows_match_a_clean_run(transactional_db):
    needs_postgresql()
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: a real Celery worker talks to Redis")
    from survey_portal.celery import app

    queue = f"test-kill-{os.getpid()}"
    saved, app.conf.task_default_queue = app.conf.task_default_queue, queue
    try:
        make_org()
        cycle = generate("Q1 2026", seed=1, aggregate=False).cycle  # its aggregation waits in the queue
        question = CycleParameter.objects.filter(cycle=cycle).select_related("department").first()

        # Another transaction holds the key of one of the rows the aggregation will insert: the
        # worker gets through its reads and computation, then waits in the middle of its writes.
        blocker = psycopg2.connect(database_url())
        with blocker.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ParameterScore._meta.db_table} (cycle_id, department_id, parameter_id, code, name, "
                "position, target, weight, n, suppressed) VALUES (%s, %s, %s, %s, 'x', 0, 4, 1, 0, true)",
                [cycle.pk, question.department_id, question.pk, question.code],
            )
        worker = Worker(queue)
        worker.start(**FAST_REDELIVERY)
        watcher = psycopg2.connect(database_url())
        watcher.autocommit = True

        def worker_waits_mid_write():
            with watcher.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s "
                    "AND pid <> pg_backend_pid()",
                    [f"%COPY {ParameterScore._meta.db_table}%"],
                )
                return cursor.fetchone()[0]

        wait_for(worker_waits_mid_write, timeout=30)
        watcher.close()
        worker.kill()  # SIGKILL, main process and pool at once: no goodbye, no ack
        blocker.rollback()
        blocker.close()
        assert not ParameterScore.objects.filter(cycle=cycle).exists()  # its transaction died with it
        assert not CycleResult.objects.filter(cycle=cycle, computed_at__isnull=False).exists()

        replacement = Worker(queue)
        replacement.start(**FAST_REDELIVERY)
        try:
            # The unacknowledged task comes back once its visibility timeout has passed.
            wait_for(lambda: CycleResult.objects.filter(cycle=cycle, computed_at__isnull=False).exists(), timeout=60)
        finally:
            replacement.stop()
        after_crash = results_snapshot(cycle)

        for model in RESULT_MODELS:
            model.objects.filter(cycle=cycle).delete()
        cycle_aggregate(cycle_id=cycle.pk)  # a clean run
        assert results_snapshot(cycle) == after_crash
        assert sum(len(rows) for rows in after_crash.values()) > 20
    finally:
        app.conf.task_default_queue = saved


def _survey_org(people: int):
    """IT, rated by `people` Sales employees in an open cycle; and an HR admin."""
    from tests.factories import DepartmentFactory, ServiceParameterFactory, make_hr

    it, sales, hr = (DepartmentFactory(code=c, name=c.upper()) for c in ("it", "sales", "hr"))
    for code in ("speed", "care"):
        ServiceParameterFactory(department=it, code=code, name=code.title())
    Dependency.objects.create(consumer=sales, provider=it)
    employees = [EmployeeFactory(department=sales) for _ in range(people)]
    admin = make_hr(EmployeeFactory(department=hr))

    cycle = make_cycle(SimpleNamespace(it=it, sales=sales), status="open", score_threshold=3, comment_threshold=3)
    return cycle, employees, admin


ANSWERS = {
    "it-q_speed": "4",
    "it-q_care": "na",
    "it-comment_good": "Quick",
    "it-comment_improve": "",
    "action": "submit",
}


def test_submissions_are_stored_while_redis_is_down_and_a_sweep_aggregates_once_it_is_back(transactional_db):
    needs_postgresql()  # gunicorn and the worker share the test database with this process
    needs("redis-server")
    redis = RedisServer()
    redis.start()
    queue = f"test-redis-{os.getpid()}"
    web = WebServer(REDIS_URL=redis.url, CELERY_QUEUE=queue)
    web.start()
    worker = Worker(queue)
    try:
        cycle, employees, admin = _survey_org(12)
        redis.stop()  # the broker is gone while people answer

        statuses = []
        for employee in employees:
            status, location, _ = Visitor(web, employee.user).form_post(
                f"/surveys/{cycle.pk}/it/", ANSWERS, page=f"/surveys/{cycle.pk}/"
            )
            statuses.append((status, location))
        assert statuses == [(302, "/my/surveys/")] * 12  # every answer acknowledged
        # HR closes the cycle: the close is saved though its aggregation task cannot be queued.
        status, location, _ = Visitor(web, admin.user).form_post(
            f"/hr/cycles/{cycle.pk}/close/", {}, page=f"/hr/cycles/{cycle.pk}/"
        )
        assert (status, location) == (302, f"/hr/cycles/{cycle.pk}/")
        health = Visitor(web).request("GET", "/healthz")
        assert health[0] == 200 and '"broker": "unavailable"' in health[2]

        assert Invitation.objects.filter(cycle=cycle, status="completed").count() == 12
        assert Response.objects.filter(cycle=cycle).count() == 12  # all released at closing
        assert not CycleResult.objects.filter(cycle=cycle).exists()  # its aggregation never left

        redis.start()  # back, empty: every task sent while it was down is gone
        worker.start(REDIS_URL=redis.url)
        # What beat does every SCORECARD_REFRESH_MINUTES: publish the sweep.
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "survey_portal", "call", "scorecards.tasks.missed_aggregations_task"],
            cwd=ROOT, env=os.environ | {"REDIS_URL": redis.url, "CELERY_QUEUE": queue, "DATABASE_URL": database_url()},
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        wait_for(lambda: DepartmentScore.objects.filter(cycle=cycle, department__code="it", n=12).exists(), timeout=60)
        assert Response.objects.filter(cycle=cycle).count() == 12  # nothing lost, nothing twice
    finally:
        worker.stop()
        web.stop()
        redis.stop()


def test_a_database_restart_during_submissions_leaves_no_half_written_response(transactional_db):
    needs_postgresql()
    needs("pg_ctlcluster")
    web = WebServer(REDIS_URL="")
    web.start(workers=3)
    try:
        cycle, employees, _ = _survey_org(60)
        visitors = [Visitor(web, e.user) for e in employees]
        restarted = threading.Event()

        def restart_postgres():
            time.sleep(0.4)
            version = sorted(os.listdir("/etc/postgresql"))[-1]
            subprocess.run(  # noqa: S603 - fixed arguments
                [shutil.which("pg_ctlcluster"), "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
            restarted.set()

        def submit(visitor):
            return visitor.form_post(f"/surveys/{cycle.pk}/it/", ANSWERS, page=f"/surveys/{cycle.pk}/")[0]

        restarter = threading.Thread(target=restart_postgres)
        restarter.start()
        with ThreadPoolExecutor(max_workers=6) as pool:
            first = list(pool.map(submit, visitors))
        restarter.join()
        assert restarted.is_set()
        # Each request either succeeded or failed cleanly: a redirect, a 503 "not saved", or no answer.
        print("statuses while the database restarted:", sorted(Counter(first).items()))
        assert set(first) <= {302, 503, 0, 500} and 302 in first, first
        assert 500 not in first or os.environ.get("ALLOW_500"), first

        connection.close()  # this process's connection died with the server too
        wait_for(lambda: web_healthy(web), timeout=60)
        # People whose submit failed send it again; those whose submit was saved are told so.
        second = [submit(v) for v, status in zip(visitors, first, strict=True) if status != 302]
        assert all(status == 302 for status in second), second

        completed = Invitation.objects.filter(cycle=cycle, status="completed").count()
        pending = Invitation.objects.filter(cycle=cycle).exclude(answers_sealed=None)
        released = Response.objects.filter(cycle=cycle)
        assert completed == 60 == pending.count() + released.count()
        assert all(len(unseal(p.answers_sealed).scores) == 2 for p in pending)
        assert Answer.objects.filter(response__cycle=cycle).count() == 2 * released.count()
    finally:
        web.stop()


def web_healthy(web) -> bool:
    status, _, _ = Visitor(web).request("GET", "/healthz")
    return status == 200
