"""Attack 2: a copy of the database while a cycle is open. Drafts and answers that wait to be
released must not be readable from it: not from a dump of every table, not from the database's
files (dead row versions and TOAST included), not from the write-ahead log."""

from __future__ import annotations

from django.db import connection

from surveys.models import Invitation, Response
from tests.scenarios import PROVIDERS, build_scenario, every_file, every_row_as_text


def test_a_copy_of_the_database_reads_no_draft_and_no_waiting_answer(postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        start_lsn = cursor.fetchone()[0]
    scenario = build_scenario()
    invitations = scenario.invitations()
    scenario.rng.shuffle(invitations)
    drafts = [scenario.answer(i, action="draft")["comment"] for i in invitations[:6]]
    submitted = [scenario.answer(i)["comment"] for i in invitations[6:20]]
    released = set(Response.objects.filter(cycle=scenario.cycle).values_list("comment_good", flat=True))
    waiting = [comment for comment in submitted if comment not in released]
    assert drafts and waiting, "the scenario leaves drafts and answers waiting"

    dump = every_row_as_text()
    readable = [secret for secret in drafts + waiting if secret in dump]
    assert not readable, f"{len(readable)} drafts or waiting answers are readable in a dump of the tables"
    # Nor their scores: no row of an invitation or a waiting answer names a question.
    for model in (Invitation,):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT t::text FROM {model._meta.db_table} t")
            rows = "\n".join(row for (row,) in cursor.fetchall())
        for codes in PROVIDERS.values():
            for code in codes:
                assert f'"{code}"' not in rows, f"{model.__name__} rows name the question {code!r}"

    files = every_file(start_lsn)
    readable = [secret for secret in drafts + waiting if secret.encode() in files]
    assert not readable, f"{len(readable)} drafts or waiting answers are readable in the database's files or WAL"
    # The test would see them if they were there: released answers are stored in clear.
    assert all(comment.encode() in files for comment in released if comment)
    assert Invitation.objects.filter(cycle=scenario.cycle).exclude(answers_sealed=None).count() == len(waiting)
