"""Thin Celery tasks: take ids, call a service. Retries with backoff and jitter; acks late."""

from __future__ import annotations

from celery import shared_task

from . import notifications, services

RETRY = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(**RETRY)
def cycles_advance_task() -> dict:
    """Every minute (beat): open and close cycles on time, and queue the reminders that are due."""
    summary = services.cycles_advance()
    due = notifications.reminders_due()
    for cycle_id, kind in due:
        reminders_send_task.delay(cycle_id, kind)
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
