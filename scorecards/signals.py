"""Reactions to the surveys app: each receiver only enqueues a task, after commit."""

from __future__ import annotations

from django.dispatch import receiver

from survey_portal.celery import enqueue_on_commit
from surveys.signals import cycle_finished, cycle_published

from .tasks import awards_evaluate_task, cycle_aggregate_task


@receiver(cycle_finished, dispatch_uid="scorecards: aggregate a finished cycle")
def aggregate_finished_cycle(sender, *, cycle_id: int, **kwargs) -> None:
    enqueue_on_commit(cycle_aggregate_task, cycle_id)


@receiver(cycle_published, dispatch_uid="scorecards: evaluate the awards of a published cycle")
def evaluate_published_cycle(sender, *, cycle_id: int, **kwargs) -> None:
    enqueue_on_commit(awards_evaluate_task, cycle_id)
