"""The last hour before a company-wide deadline, for Locust (driven by benchmarks/load_deadline.py).

Employees open their survey list, open a department's survey, sometimes save a draft first, and
submit; department heads open their scorecard and HR the results and the participation page.
Sessions were created by the driver (benchmarks/load_people.json); every employee answers each of
their own invitations once, as people do.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlparse

from locust import FastHttpUser, between, task

PEOPLE = json.loads(Path(os.environ.get("LOAD_PEOPLE", Path(__file__).with_name("load_people.json"))).read_text())
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_employees = iter(PEOPLE["employees"])


def _next_employee() -> dict | None:
    return next(_employees, None)


def sign_in(user: FastHttpUser, session_key: str) -> None:
    """Put the session cookie the driver created in this simulated browser's cookie jar."""
    jar = user.client.cookiejar
    jar.clear()
    host = urlparse(user.host).hostname
    jar.set_cookie(
        http.cookiejar.Cookie(
            0, "sessionid", session_key, None, False, host, False, False, "/", True, False, None, False, None, None, {}
        )
    )


class Employee(FastHttpUser):
    weight = 20
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self._take_next()

    def _take_next(self) -> None:
        self.person = _next_employee()
        if self.person is not None:
            sign_in(self, self.person["session"])
            self.todo = list(self.person["invitations"])

    @task
    def answer_the_next_survey(self) -> None:
        if self.person is None:
            return
        if not self.todo:
            self._take_next()
            if self.person is None:
                return
        if len(self.todo) == len(self.person["invitations"]):
            self.client.get("/my/surveys/", name="employee: my surveys")
        cycle, code, questions = self.todo.pop()
        url = f"/surveys/{cycle}/{code}/"
        page = self.client.get(url, name="employee: survey page")
        match = TOKEN.search(page.text or "")
        if not match:
            return
        answers = {f"q_{q}": random.choice(["1", "2", "3", "4", "5", "5", "4", "na"]) for q in questions}
        form = answers | {"csrfmiddlewaretoken": match.group(1), "comment_good": "", "comment_improve": ""}
        if random.random() < 0.25:
            self.client.post(url, data=form | {"action": "draft"}, name="employee: save draft", allow_redirects=False)
        with self.client.post(
            url, data=form | {"action": "submit"}, name="employee: submit", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 302 and response.headers.get("Location") == "/my/surveys/":
                response.success()
            else:
                response.failure(f"submit answered {response.status_code}")


class Head(FastHttpUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.head = random.choice(PEOPLE["heads"])
        sign_in(self, self.head["session"])

    @task
    def scorecard(self) -> None:
        self.client.get(f"/scorecards/{self.head['department']}/", name="head: scorecard")


class HR(FastHttpUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        sign_in(self, PEOPLE["hr"]["session"])

    @task(2)
    def participation(self) -> None:
        self.client.get(f"/hr/cycles/{PEOPLE['cycle']}/?partial=participation", name="hr: live participation")

    @task(1)
    def results(self) -> None:
        self.client.get(f"/hr/results/?cycle={PEOPLE['past_cycle']}", name="hr: results dashboard")
