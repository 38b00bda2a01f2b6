"""Thin Celery tasks of the concerns app (beat: survey_portal/settings.py, CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from surveys.tasks import RETRY

from . import reminders, services


@shared_task(**RETRY)
def anonymous_release_task() -> int:
    """Daily: write what anonymous raisers deposited (services.anonymous_release). Idempotent."""
    return services.anonymous_release()


@shared_task(**RETRY)
def concern_reminders_task() -> int:
    """Hourly: reminders at 50 % and 75 % of each response time, the head at 100 %, HR two working
    days later; each sent once (concerns.reminders)."""
    return reminders.concern_reminders_send()
