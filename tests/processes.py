"""Real processes for the integration tests: a Celery worker on a queue of its own, Redis, gunicorn,
and a visitor speaking HTTP to them, all against the test database."""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
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

    def start(self, *, concurrency: int = 1, **extra_env: str) -> None:
        from survey_portal.celery import app

        name = f"{self.queue}-{uuid.uuid4().hex[:6]}@%h"
        env = (
            os.environ
            | {"DATABASE_URL": database_url(), "CELERY_QUEUE": self.queue, "PYTHONUNBUFFERED": "1"}
            | extra_env
        )
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
            if "REDIS_URL" in extra_env:  # another broker than this process's: read the log instead
                if "ready." in self.log.read_text(errors="replace"):
                    return
                time.sleep(0.5)
            elif app.control.ping(destination=[hostname], timeout=1):
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


def wait_for(condition, timeout: float = 30.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A Redis of the test's own, on a free port, that the test can stop and start again."""

    def __init__(self):
        self.port, self.process = free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _port_open(self.port), timeout=10, interval=0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        wait_for(lambda: not _port_open(self.port), timeout=10, interval=0.1)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class WebServer:
    """The site under gunicorn (as bin/web runs it), on a free port, against the test database."""

    def __init__(self, **env: str):
        self.port, self.process, self.env = free_port(), None, env
        self.log = ROOT / "var" / f"web-{self.port}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, workers: int = 2) -> None:
        from django.conf import settings

        env = (
            os.environ
            | {
                "DATABASE_URL": database_url(),
                "DJANGO_SECRET_KEY": settings.SECRET_KEY,
                "DJANGO_DEBUG": "false",
                "DJANGO_HTTPS": "false",
                "ALLOWED_HOSTS": "127.0.0.1",
                "PYTHONUNBUFFERED": "1",
            }
            | self.env
        )
        self.log.parent.mkdir(exist_ok=True)
        self.process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [sys.executable, "-m", "gunicorn", "survey_portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--timeout", "30"],
            cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_for(lambda: _port_open(self.port), timeout=60, interval=0.2)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A person's browser, reduced to cookies and forms, talking to a WebServer over HTTP."""

    def __init__(self, web: WebServer, user=None):
        self.web, self.jar = web, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        if user is not None:
            from django.test import Client

            client = Client()
            client.force_login(user)  # a real session row in the test database
            self._set_cookie("sessionid", client.cookies["sessionid"].value)

    def _set_cookie(self, name: str, value: str) -> None:
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}
            )
        )

    def request(self, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, Location, body); a dropped connection is status 0."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.web.base + path, data=body, method=method)  # noqa: S310 - our server
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers.get("Location", ""), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException):
            return 0, "", ""

    def form_post(self, path: str, data: dict, *, page: str | None = None) -> tuple[int, str, str]:
        """GET the page holding the form (`page`, or `path` itself) for its CSRF token, then POST it."""
        status, _, html = self.request("GET", page or path)
        if status != 200:
            return status, "", html
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return self.request("POST", path, data | {"csrfmiddlewaretoken": token.group(1) if token else ""})
