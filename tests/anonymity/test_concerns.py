"""The attacks on anonymity, against anonymous concerns: an attacker with a copy of the database
(every row, the files and the write-ahead log, transaction ids) and the logs tries to tie an
anonymous concern, or a raiser's message, to the person who wrote it."""

from __future__ import annotations

import logging
import re
from datetime import time

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from concerns import services
from concerns.models import Concern, ConcernMessage, Deposit
from survey_portal import middleware
from tests.factories import DepartmentFactory, EmployeeFactory, ServiceParameterFactory, make_hr
from tests.scenarios import every_file, every_row_as_text, make_client


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'")
        return [name for (name,) in cursor.fetchall()]


def _written_since(xid: int) -> dict[str, int]:
    """Rows (live versions) written by a transaction after `xid`, per table."""
    written = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE xmin::text::bigint > %s", [xid])
            count = cursor.fetchone()[0]
            if count:
                written[table] = count
    return written


def _xid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        return cursor.fetchone()[0]


def _world():
    it = DepartmentFactory(code="it", name="IT")
    ServiceParameterFactory(department=it, code="resp", name="Responsiveness")
    it.head = EmployeeFactory(department=it)
    it.save()
    sales = DepartmentFactory(code="sales", name="Sales")
    people = [EmployeeFactory(department=sales) for _ in range(6)]
    make_hr(EmployeeFactory(department=DepartmentFactory(code="people", name="People")))
    return it, people


def _raise(client, it, subject: str, **extra) -> str:
    response = client.post(
        reverse("concerns:raise"),
        {
            "department": it.pk,
            "subject": subject,
            "description": f"{subject}: details only the raiser knows",
            "anonymous": "yes",
        }
        | extra,
    )
    assert response.status_code == 200, response.content
    return re.search(r'data-receipt="([0-9A-Z-]+)"', response.content.decode()).group(1)


def test_an_anonymous_concern_leaves_nothing_that_points_to_its_raiser(postgresql, settings, caplog, monkeypatch):
    settings.CONCERNS_RELEASE_AT_ONCE = False
    monkeypatch.setattr(middleware, "TOUCH_EVERY", 0)  # every other request writes its session
    it, people = _world()
    clients = [make_client(person) for person in people]
    for client in clients:
        client.get(reverse("concerns:raise"))  # signed in and active: their sessions are written
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        start_lsn = cursor.fetchone()[0]

    # Raising writes one sealed deposit and nothing else: no session, no user, no log of who.
    caplog.set_level(logging.DEBUG)
    codes = []
    for number, client in enumerate(clients[:3]):
        before = _xid()
        codes.append(_raise(client, it, f"secret-subject-{number}", share_department="on"))
        assert _written_since(before) == {Deposit._meta.db_table: 1}
    before = _xid()
    client = clients[0]
    response = client.post(reverse("concerns:receipt"), {"code": codes[0], "action": "open"})
    assert response.status_code == 200 and _written_since(before) == {}  # reading writes nothing

    # While they wait, a copy reads neither their text nor anything about them.
    files = every_file(start_lsn)
    assert not [n for n in range(3) if f"secret-subject-{n}".encode() in files]
    assert not [n for n in range(3) if f"secret-subject-{n}" in every_row_as_text()]

    assert services.anonymous_release() == 3
    # The release wrote them all in one transaction: the same transaction id on every row.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT xmin::text FROM {Concern._meta.db_table}")
        assert len(cursor.fetchall()) == 1
    # A raiser's message goes the same way.
    client.post(reverse("concerns:receipt"), {"code": codes[1], "action": "message", "message-text": "secret-reply"})
    services.anonymous_release()

    dump = every_row_as_text()
    concern_rows = "\n".join(str(row) for row in Concern.objects.values())
    message_rows = "\n".join(str(row) for row in ConcernMessage.objects.values())
    for person in people:
        for trace in (person.email, person.user.get_full_name()):
            assert trace not in concern_rows + message_rows
    for code in codes:
        assert code not in dump and code.replace("-", "") not in dump
    # Dates, never times: every moment on the raiser's rows is a midnight computed from the date.
    for concern in Concern.objects.all():
        # Sales has 6 people, at least the threshold: its name was kept, as the raisers asked.
        assert concern.raised_by_id is None and concern.raiser_department.code == "sales"
        for moment in (concern.acknowledge_by, concern.answer_by):
            assert timezone.localtime(moment).time() == time(0)
    assert ConcernMessage.objects.get().written_at is None
    # The logs name no person and no code.
    logged = "\n".join(record.getMessage() + str(vars(record)) for record in caplog.records)
    for person in people:
        assert person.email not in logged and f"'user': {person.user.pk}" not in logged
    for code in codes:
        assert code not in logged


def test_the_release_does_not_keep_the_order_in_which_raisers_wrote(postgresql, settings):
    """Deposits' transaction ids (dead rows, the WAL) give the order in which people wrote: the
    release must not write their messages in that order, or the two line up."""
    settings.CONCERNS_RELEASE_AT_ONCE = False
    it, people = _world()
    people += [EmployeeFactory(department=people[0].department) for _ in range(4)]
    codes = [_raise(make_client(person), it, f"subject-{n}") for n, person in enumerate(people)]
    services.anonymous_release()
    for n, (person, code) in enumerate(zip(people, codes, strict=True)):  # one message each, in turn
        make_client(person).post(
            reverse("concerns:receipt"), {"code": code, "action": "message", "message-text": f"first-{n}"}
        )
    make_client(people[0]).post(
        reverse("concerns:receipt"), {"code": codes[0], "action": "message", "message-text": "second-0"}
    )
    services.anonymous_release()

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT text FROM {ConcernMessage._meta.db_table} ORDER BY ctid")
        stored = [text for (text,) in cursor.fetchall()]
    written = [f"first-{n}" for n in range(len(people))]
    # 10 raisers: the order they wrote in comes back once in 10! releases.
    assert [text for text in stored if text.startswith("first-")] != written
    # One raiser's own messages keep their order.
    assert stored.index("first-0") < stored.index("second-0")
