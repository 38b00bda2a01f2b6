"""Thin Celery task of the HR sync (beat: survey_portal/settings.py, CELERY_BEAT_SCHEDULE["hr-sync"])."""

from __future__ import annotations

from celery import shared_task

from . import services
from .models import SyncRun


@shared_task(acks_late=True, task_reject_on_worker_lost=True)
def hr_sync_task(trigger: str = SyncRun.Trigger.SCHEDULE, requested_by_id: int | None = None) -> int:
    """Nightly (or on HR's "Run now"): one sync run, recorded and emailed (services.sync_run). Not
    retried: a failed run is recorded with its reasons, and the next night's run tries again."""
    return services.sync_run(trigger=trigger, requested_by_id=requested_by_id).pk
