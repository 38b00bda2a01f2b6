"""Thin Celery tasks: take ids, call a service. Retries with backoff and jitter; acks late."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import notifications, services
from .models import Cycle

RETRY = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**RETRY)
def responses_release_task(cycle_id: int, department_id: int, rater_department_id: int) -> int:
    """Release one pair's waiting answers when due (services.responses_release). Idempotent: a
    rerun, or a run after closing released them, finds too few waiting and does nothing."""
    return services.responses_release(
        cycle_id=cycle_id, department_id=department_id, rater_department_id=rater_department_id
    )


@shared_task(**RETRY)
def cycles_advance_task() -> dict:
    """Every minute (beat): open and close cycles on time, and send what is due.

    Also the sweep for emails whose task was lost (the broker was down when a cycle opened or
    closed): sending is recorded per person, so asking again sends only what was not sent.
    """
    summary = services.cycles_advance()
    due = notifications.reminders_due()
    for cycle_id, kind in due:
        reminders_send_task.delay(cycle_id, kind)
    for cycle_id in Cycle.objects.open().values_list("pk", flat=True):
        invitations_send_task.delay(cycle_id)
    week_ago = timezone.now() - timedelta(days=7)
    for cycle_id in (
        Cycle.objects.finished().filter(imported=False, closed_at__gte=week_ago).values_list("pk", flat=True)
    ):
        closing_notice_send_task.delay(cycle_id)
    return summary | {"reminders": len(due)}


@shared_task(**RETRY)
def invitations_send_task(cycle_id: int) -> int:
    return notifications.invitations_send(cycle_id=cycle_id)


@shared_task(**RETRY)
def reminders_send_task(cycle_id: int, kind: str) -> int:
    return notifications.reminders_send(cycle_id=cycle_id, kind=kind)


@shared_task(**RETRY)
def closing_notice_send_task(cycle_id: int) -> int:
    return notifications.closing_notice_send(cycle_id=cycle_id)
