"""Thin Celery tasks of the audits app (beat: survey_portal/settings.py, CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from surveys.tasks import RETRY

from . import services


@shared_task(**RETRY)
def overdue_digest_task() -> int:
    """Daily: HR's digest of newly overdue audits, each listed once (services.overdue_digest_send)."""
    return services.overdue_digest_send()


@shared_task(**RETRY)
def findings_tell_heads_task() -> int:
    """Daily: each head hears of the action items their department's audits raised
    (services.findings_tell_heads)."""
    return services.findings_tell_heads()
