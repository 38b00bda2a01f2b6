"""Thin Celery tasks of the improvements app (beat: survey_portal/settings.py, CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import reminders

RETRY = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**RETRY)
def action_reminders_task() -> int:
    """Daily: remind owners of the action items due in 3 days or overdue since yesterday, each
    reminder once (reminders.action_reminders_send). Idempotent: a rerun sends nothing new."""
    return reminders.action_reminders_send(today=timezone.localdate())
