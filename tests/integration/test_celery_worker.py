"""Tasks through a real Celery worker process, Redis and the database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from concerns import services
from concerns.models import Concern, ConcernReminder
from concerns.tasks import anonymous_release_task, concern_reminders_task
from scorecards.models import CycleResult, ParameterScore
from scorecards.tasks import cycle_aggregate_task
from tests.factories import DepartmentFactory, EmployeeFactory, generate, make_concern, make_org
from tests.processes import wait_for

pytestmark = pytest.mark.celery_worker


def test_a_worker_aggregates_a_cycle_sent_through_the_broker(celery_worker):
    make_org()
    generated = generate("Q1 2026", seed=1, aggregate=False)  # its on-commit task goes to the worker
    cycle = generated.cycle

    wait_for(lambda: CycleResult.objects.filter(cycle=cycle, computed_at__isnull=False).exists())
    cycle_aggregate_task.delay(cycle.pk)  # and once more, on demand
    wait_for(lambda: CycleResult.objects.get(cycle=cycle).runs >= 2)

    fin_acc = ParameterScore.objects.get(cycle=cycle, department__code="fin", code="acc")
    scores = generated.scores("fin", "acc")
    assert fin_acc.n == len(scores)
    assert fin_acc.mean == pytest.approx(sum(scores) / len(scores))


def test_a_worker_releases_anonymous_concerns_and_sends_their_reminders(celery_worker, settings):
    settings.CONCERNS_RELEASE_AT_ONCE = False
    it = DepartmentFactory(code="it", name="IT")
    it.head = EmployeeFactory(department=it)
    it.save()
    raiser = EmployeeFactory(department=DepartmentFactory(code="sales", name="Sales"))
    services.concern_raise(
        employee=raiser, department=it, parameter=None, subject="Slow", description="Slow.", anonymous=True
    )
    anonymous_release_task.delay()
    wait_for(lambda: Concern.objects.filter(subject="Slow").exists())

    overdue = make_concern(it, raised_on=services.today() - timedelta(days=30), raised_by=raiser)
    concern_reminders_task.delay()
    wait_for(lambda: ConcernReminder.objects.filter(concern=overdue, kind="acknowledge-hr").exists())
    assert ConcernReminder.objects.filter(concern=overdue).count() == 8  # both clocks, every step, once
