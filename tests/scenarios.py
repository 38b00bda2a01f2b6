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

from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from improvements.models import ActionItem
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

    def answer(
        self,
        invitation: Invitation,
        *,
        action: str = "submit",
        comment: str | None = None,
        feedback: str | None = None,
    ) -> dict:
        """One department's form on the survey page, sent as its script sends it (with `feedback`,
        the answer to the action-feedback question, where the cycle asks it)."""
        code = invitation.department.code
        scores = {p: self.rng.randint(1, 5) for p in PROVIDERS[code]}
        comment = comment if comment is not None else f"comment-{uuid.uuid4().hex}"
        data = {f"{code}-q_{p}": str(s) for p, s in scores.items()}
        data |= {f"{code}-comment_good": comment, f"{code}-comment_improve": "", "action": action}
        if feedback is not None:
            data[f"{code}-action_feedback"] = feedback
        response = make_client(invitation.employee).post(
            reverse("surveys:answer", args=[self.cycle.pk, code]), data, HTTP_ACCEPT="application/json"
        )
        assert response.status_code == 200, response.content
        answered = {"scores": scores, "comment": comment, "feedback": feedback}
        if action == "submit":
            self.submitted[invitation.pk] = answered
        return answered

    def hr_client(self) -> Client:
        return make_client(self.hr)


def build_scenario(*, seed: int = 7, changes_done: tuple[str, ...] = ()) -> Scenario:
    """The attacked cycle, open. `changes_done`: departments that finished an action item since a
    previous cycle, so that the cycle asks the action-feedback question about them."""
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
    if changes_done:
        Cycle.objects.create(
            name="Last quarter",
            status=Cycle.Status.CLOSED,
            opens_at=now - timedelta(days=90),
            closes_at=now - timedelta(days=76),
        )
    for code in changes_done:
        ActionItem.objects.create(
            department=departments[code],
            title="Publish response times",
            change="Response times are published.",
            due_on=timezone.localdate(),
            status=ActionItem.Status.DONE,
            completed_on=timezone.localdate() - timedelta(days=30),
        )
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


def every_row_as_text() -> str:
    """What pg_dump would write: every row of every table of the database, as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables"
            " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        tables = [name for (name,) in cursor.fetchall()]
        text = []
        for table in tables:
            cursor.execute(f"SELECT t::text FROM {table} t")
            text += [row for (row,) in cursor.fetchall()]
    return "\n".join(text)


def table_file(model) -> bytes:
    """The bytes of one table's heap file, after a checkpoint has written its rows there."""
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_read_binary_file(pg_relation_filepath(%s::regclass))", [model._meta.db_table])
        return bytes(cursor.fetchone()[0])


def every_file(start_lsn: str) -> bytes:
    """The bytes of every relation file of the database (heap, TOAST, indexes: live and dead rows)
    and of the write-ahead log written since `start_lsn`."""
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # what sits in shared buffers reaches the files
        cursor.execute(
            "SELECT pg_relation_filepath(oid) FROM pg_class WHERE pg_relation_filepath(oid) IS NOT NULL"
            " AND relkind IN ('r', 't', 'i', 'm')"
        )
        paths = [path for (path,) in cursor.fetchall()]
        cursor.execute("SELECT pg_walfile_name(%s::pg_lsn), pg_walfile_name(pg_current_wal_lsn())", [start_lsn])
        first, last = cursor.fetchone()
        cursor.execute("SELECT name FROM pg_ls_waldir() WHERE name BETWEEN %s AND %s ORDER BY name", [first, last])
        paths += [f"pg_wal/{name}" for (name,) in cursor.fetchall()]
        chunks = []
        for path in paths:
            cursor.execute("SELECT pg_read_binary_file(%s, 0, 1000000000, true)", [path])
            data = cursor.fetchone()[0]
            chunks.append(bytes(data) if data is not None else b"")
    return b"\n".join(chunks)
