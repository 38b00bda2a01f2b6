"""Attack 2: a copy of the database while a cycle is open. Drafts and answers that wait to be
released must not be readable from it: not from a dump of every table, not from the database's
files (dead row versions and TOAST included), not from the write-ahead log."""

from __future__ import annotations

from django.db import connection

from surveys.models import Invitation, Response
from tests.scenarios import PROVIDERS, build_scenario


def _every_row_as_text() -> str:
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


def _every_file(start_lsn: str) -> bytes:
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

    dump = _every_row_as_text()
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

    files = _every_file(start_lsn)
    readable = [secret for secret in drafts + waiting if secret.encode() in files]
    assert not readable, f"{len(readable)} drafts or waiting answers are readable in the database's files or WAL"
    # The test would see them if they were there: released answers are stored in clear.
    assert all(comment.encode() in files for comment in released if comment)
    assert Invitation.objects.filter(cycle=scenario.cycle).exclude(answers_sealed=None).count() == len(waiting)
