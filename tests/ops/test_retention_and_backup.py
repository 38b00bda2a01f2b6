"""Backup export of a cycle's responses, and the retention policy that deletes old ones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from scorecards.models import DepartmentScore, ParameterScore
from scorecards.retention import responses_purge
from scorecards.services import cycle_aggregate
from survey_portal.csvfiles import CsvFile
from surveys import services
from surveys.models import Answer, Cycle, Invitation, Response
from surveys.past_import import responses_import
from tests.factories import ALL_GOOD, generate, make_cycle


def figures(cycle) -> list:
    return sorted(
        ParameterScore.objects.filter(cycle=cycle).values_list("department__code", "code", "n", "mean", "stdev")
    )


def test_a_cycle_exported_for_backup_imports_back_with_the_same_figures(departments, tmp_path):
    original = generate("Q1 2026", seed=1).cycle
    path = tmp_path / "backup.csv"

    call_command("export_responses", "--cycle", "Q1 2026", str(path))

    restored = responses_import(
        file=CsvFile("backup.csv", path.read_bytes()),
        name="Q1 2026 restored",
        opens=date(2026, 1, 5),
        closes=date(2026, 1, 15),
    ).cycle
    cycle_aggregate(cycle_id=restored.pk)
    assert figures(restored) == figures(original)
    assert Response.objects.filter(cycle=restored).count() == Response.objects.filter(cycle=original).count()
    text = path.read_text()
    assert "@" not in text  # no email, no person: departments, codes, scores, comments


def test_the_export_explains_a_wrong_cycle(db, tmp_path):
    with pytest.raises(CommandError, match="No cycle named"):
        call_command("export_responses", "--cycle", "Nope", str(tmp_path / "x.csv"))


def test_responses_older_than_the_retention_are_deleted_and_results_kept(org, settings, tmp_path):
    settings.RESPONSE_RETENTION_YEARS = 2
    old = make_cycle(org, status="open", name="Old", score_threshold=3, comment_threshold=3)
    for employee in (org.outsider, org.outsider_head, org.hr):
        services.response_submit(invitation=Invitation.objects.get(cycle=old, employee=employee), scores=ALL_GOOD)
    services.cycle_close(cycle_id=old.pk)
    recent = make_cycle(org, status="open", name="Recent")
    services.cycle_close(cycle_id=recent.pk)
    Cycle.objects.filter(pk=old.pk).update(
        opens_at=timezone.now() - timedelta(days=3 * 365), closes_at=timezone.now() - timedelta(days=3 * 365 - 14)
    )

    assert responses_purge() == {"cycles": 1, "responses": 3}
    assert responses_purge() == {"cycles": 0, "responses": 0}  # idempotent

    old.refresh_from_db()
    assert old.purged_at is not None
    assert not Response.objects.filter(cycle=old).exists() and not Answer.objects.filter(cycle=old).exists()
    assert not Invitation.objects.filter(cycle=old).exists()
    assert Invitation.objects.filter(cycle=recent).exists()
    kept = DepartmentScore.objects.get(cycle=old, department=org.it)
    assert kept.n == 3 and kept.mean is not None  # aggregated before the purge, and kept
    cycle_aggregate(cycle_id=old.pk)  # a later run must not wipe what is left
    assert DepartmentScore.objects.get(cycle=old, department=org.it).mean == kept.mean
    with pytest.raises(CommandError, match="deleted"):
        call_command("export_responses", "--cycle", "Old", str(tmp_path / "never.csv"))


def test_an_imported_cycles_invited_counts_go_with_its_responses(org, settings):
    from surveys.models import ImportedInvitations

    settings.RESPONSE_RETENTION_YEARS = 2
    header = "response_id,rater_department,provider_department,parameter,score\n"
    rows = "".join(f"r{i},sales,it,responsiveness,4\n" for i in range(3))
    invited = CsvFile("invited.csv", b"rater_department,provider_department,invited\nsales,it,5\n")
    old = date.today() - timedelta(days=3 * 365)
    cycle = responses_import(
        file=CsvFile("old.csv", (header + rows).encode()), name="Old", opens=old, closes=old, invited=invited
    ).cycle
    assert ImportedInvitations.objects.filter(cycle=cycle).exists()

    assert responses_purge() == {"cycles": 1, "responses": 3}

    assert not ImportedInvitations.objects.filter(cycle=cycle).exists()


def test_a_retention_of_zero_keeps_everything(org, settings):
    settings.RESPONSE_RETENTION_YEARS = 0
    assert responses_purge() == {"cycles": 0, "responses": 0}
