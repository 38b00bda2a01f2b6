"""The Celery application, and how the web app hands work to it.

Configuration lives in settings (CELERY_* names). The database is the source of truth: a task the
broker could not take is logged and left to the periodic sweeps (cycles_advance_task,
open_cycles_aggregate_task), which find the work again from the database. No request fails, and
no answer is lost, because Redis is down.
"""

from __future__ import annotations

import logging
import os

from celery import Celery
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_portal.settings")

app = Celery("survey_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("survey_portal.tasks")


def enqueue(task, *args) -> bool:
    """Send `task` now; if the broker is unreachable, log it and return False (a sweep will redo it)."""
    try:
        task.delay(*args)
    except (OperationalError, OSError) as error:
        logger.warning("broker unreachable, %s%r left to the periodic sweep: %s", task.name, args, error)
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """Send `task` once the current transaction commits (never a task about rows that do not exist)."""
    from django.db import transaction

    transaction.on_commit(lambda: enqueue(task, *args))
