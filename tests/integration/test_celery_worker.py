"""Tasks through a real Celery worker process, Redis and the database."""

from __future__ import annotations

import pytest

from scorecards.models import CycleResult, ParameterScore
from scorecards.tasks import cycle_aggregate_task
from tests.factories import generate, make_org
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
