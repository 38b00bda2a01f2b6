"""The scenario the attacks on anonymity (tests/anonymity) replay against a real PostgreSQL database.

`Scenario` builds an organisation and an open cycle and lets people answer through the survey form,
in random order, as real people do. The attacks then read what an attacker would: every column of
every table, transaction ids (`xmin`, `xmax`), dead row versions (pageinspect), the database's
files and its write-ahead log, and every page and export HR can open, at every step.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.models import Cycle, Invitation
from tests.factories import DepartmentFactory, DependencyFactory, EmployeeFactory, ServiceParameterFactory, make_hr

K = 5  # the scenario cycle's score threshold (and comment threshold)
PROVIDERS = {"it": ["resp", "qual"], "fin": ["resp", "acc"]}
# Rating departments and their sizes: "ops" is smaller than K, so its pairs are groups of all its raters.
RATERS = {"sales": 8, "hr": 7, "ops": 3}


def make_client(employee) -> Client:
    client = Client(headers={"X-Forwarded-Proto": "https"})
    client.force_login(employee.user)
    return client


@dataclass
class Scenario:
    cycle: Cycle
    people: list  # employees who rate
    hr: object
    rng: random.Random
    # invitation id -> what its person submitted (the truth the attacker tries to recover)
    submitted: dict[int, dict] = field(default_factory=dict)

    def invitations(self) -> list[Invitation]:
        return list(Invitation.objects.filter(cycle=self.cycle).select_related("department", "employee"))

    def answer(self, invitation: Invitation, *, action: str = "submit", comment: str | None = None) -> dict:
        """One department's form on the survey page, sent as its script sends it."""
        code = invitation.department.code
        scores = {p: self.rng.randint(1, 5) for p in PROVIDERS[code]}
        comment = comment if comment is not None else f"comment-{uuid.uuid4().hex}"
        data = {f"{code}-q_{p}": str(s) for p, s in scores.items()}
        data |= {f"{code}-comment_good": comment, f"{code}-comment_improve": "", "action": action}
        response = make_client(invitation.employee).post(
            reverse("surveys:answer", args=[self.cycle.pk, code]), data, HTTP_ACCEPT="application/json"
        )
        assert response.status_code == 200, response.content
        answered = {"scores": scores, "comment": comment}
        if action == "submit":
            self.submitted[invitation.pk] = answered
        return answered

    def hr_client(self) -> Client:
        return make_client(self.hr)


def build_scenario(*, seed: int = 7) -> Scenario:
    departments = {}
    for code in [*PROVIDERS, *RATERS]:
        departments[code] = DepartmentFactory(code=code, name=code.title())
    for code, parameters in PROVIDERS.items():
        for position, parameter in enumerate(parameters):
            ServiceParameterFactory(
                department=departments[code], code=parameter, name=parameter.title(), position=position
            )
    people = []
    for rater, size in RATERS.items():
        for department in PROVIDERS:
            DependencyFactory(consumer=departments[rater], provider=departments[department])
        people += [EmployeeFactory(department=departments[rater]) for _ in range(size)]
    # HR works in a department that rates nobody: its admin is an observer here, not a rater.
    hr = make_hr(EmployeeFactory(department=DepartmentFactory(code="people", name="People")))
    client = make_client(hr)
    now = timezone.now()
    cycle = Cycle.objects.create(
        name="Attacked cycle",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        score_threshold=K,
        comment_threshold=K,
    )
    cycle.departments.set([departments[code] for code in PROVIDERS])
    response = client.post(reverse("surveys:cycle_open", args=[cycle.pk]))
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    return Scenario(cycle=cycle, people=people, hr=hr, rng=random.Random(seed))
