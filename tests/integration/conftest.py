"""A real Celery worker process, on a queue of its own, against Redis and the test database.

Tests marked `celery_worker` send tasks through the broker to this worker; they need REDIS_URL
(skipped, saying so, without it; CI sets it) and committed data (transactional tests).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or ""
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    at = "@" if user else ""
    return f"postgres://{user}{password}{at}{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"


class Worker:
    """Start, stop or kill the worker process; every start reads the same queue."""

    def __init__(self, queue: str):
        self.queue, self.process, self.log = queue, None, ROOT / "var" / f"worker-{queue}.log"

    def start(self, *, concurrency: int = 1) -> None:
        from survey_portal.celery import app

        name = f"{self.queue}-{uuid.uuid4().hex[:6]}@%h"
        env = os.environ | {"DATABASE_URL": _database_url(), "CELERY_QUEUE": self.queue, "PYTHONUNBUFFERED": "1"}
        self.log.parent.mkdir(exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - our own worker, fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "survey_portal",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "-Q",
                self.queue,
                "-n",
                name,
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        hostname = name.replace("%h", os.uname().nodename)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited: see {self.log}")
            if app.control.ping(destination=[hostname], timeout=1):
                return
        raise RuntimeError(f"the worker did not answer within 60 s: see {self.log}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and its pool children, at once."""
        os.killpg(self.process.pid, 9)
        self.process.wait()


@pytest.fixture
def celery_worker(request, transactional_db):
    if not os.environ.get("REDIS_URL"):
        message = "needs REDIS_URL: a real Celery worker talks to Redis"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must set it")
        pytest.skip(message)
    from survey_portal.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    worker = Worker(queue)
    worker.start()
    yield worker
    worker.stop()
    app.conf.task_default_queue = saved


def wait_for(condition, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s")
