"""The Celery application, and how the web app hands work to it.

Configuration lives in settings (CELERY_* names). The database is the source of truth: a task the
broker could not take is logged and left to the periodic sweeps (cycles_advance_task,
missed_aggregations_task), which find the work again from the database. No request fails, and
no answer is lost, because Redis is down.
"""

from __future__ import annotations

import logging
import os
import time

from celery import Celery
from celery.signals import task_postrun, task_prerun
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


_started: dict[str, float] = {}


@task_prerun.connect
def _task_started(task_id=None, **kwargs) -> None:
    _started[task_id] = time.perf_counter()


@task_postrun.connect
def _task_finished(task_id=None, task=None, args=None, state=None, retval=None, **kwargs) -> None:
    """One line per task run: name, arguments (ids only), outcome, duration."""
    start = _started.pop(task_id, None)
    logging.getLogger("survey_portal.task").info(
        "%s %s",
        task.name,
        state,
        extra={
            "task": task.name,
            "task_id": task_id,
            "task_args": list(args or ()),
            "state": state,
            "duration_ms": round(1000 * (time.perf_counter() - start), 1) if start else None,
            "result": retval if isinstance(retval, (int, dict)) else None,
        },
    )
