"""Thin Celery tasks for the scorecards: take ids, call the service."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError
from django.db.models import F, Q

from surveys.models import Cycle

from . import awards, retention, services

AGGREGATE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    # Retried: a database or network hiccup. Not retried: a bug, which would fail again.
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**AGGREGATE)
def cycle_aggregate_task(cycle_id: int) -> dict:
    """Recompute one cycle's scorecards. Idempotent and serialised per cycle, so retries are safe."""
    if not Cycle.objects.filter(pk=cycle_id).exists():
        return {"cycle_id": cycle_id, "skipped": "no such cycle"}
    return services.cycle_aggregate(cycle_id=cycle_id).as_dict()


@shared_task(**AGGREGATE)
def missed_aggregations_task() -> int:
    """Periodic (beat, SCORECARD_REFRESH_MINUTES): the sweep for aggregations that were never
    queued or never ran (the broker was down when a cycle closed or past results were imported):
    every finished cycle whose results are missing or older than its closing is aggregated again.
    Open cycles have no results (services.cycle_aggregate)."""
    stale = Cycle.objects.finished().filter(
        Q(result__isnull=True) | Q(result__computed_at__isnull=True) | Q(result__computed_at__lt=F("closed_at")),
        purged_at__isnull=True,
    )
    cycle_ids = sorted(stale.values_list("pk", flat=True))
    for cycle_id in cycle_ids:
        cycle_aggregate_task.delay(cycle_id)
    return len(cycle_ids)


@shared_task(**AGGREGATE)
def responses_purge_task() -> dict:
    """Daily (beat): delete responses older than RESPONSE_RETENTION_YEARS; results are kept."""
    return retention.responses_purge()


@shared_task(**AGGREGATE)
def awards_evaluate_task(cycle_id: int) -> dict:
    """Evaluate the awards earned by rule in a published cycle. Idempotent and atomic (awards_evaluate)."""
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return {"cycle_id": cycle_id, "skipped": "no such cycle"}
    return awards.awards_evaluate(cycle=cycle).as_dict()
