"""Thin Celery tasks of the recognition app (beat: survey_portal/settings.py, CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from surveys.tasks import RETRY

from . import notes


@shared_task(**RETRY)
def notes_digest_task() -> int:
    """Weekly: each head who chose it gets the week's thank-you notes in one email, once a week
    (notes.notes_digest_send claims each head through last_digest_at). Idempotent."""
    return notes.notes_digest_send()
