"""Attacks on the survey pages and the past-results import: refused with a clear message, nothing written."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from surveys import services
from surveys.models import Cycle, Invitation
from tests.factories import JSON, answers, cycle_post, make_cycle

HEADERS_IN_A_NAME = "Q1 survey\r\nBcc: everyone@example.com"


# --- a cycle's name goes into email subjects: one line -----------------------------------------


def test_a_cycle_name_with_a_line_break_is_refused_and_nothing_is_created(login, org, database_rows):
    client = login(org.hr)
    before = database_rows()

    response = client.post("/hr/cycles/new/", cycle_post(org, name=HEADERS_IN_A_NAME))

    assert response.status_code == 200
    assert "“Name” contains a line break, which is not allowed here." in response.content.decode()
    assert database_rows() == before


def test_a_draft_cannot_be_renamed_with_a_line_break_so_launching_it_opens_and_emails_as_usual(
    login, org, database_rows, django_capture_on_commit_callbacks
):
    cycle = make_cycle(org, name="Q1 survey")
    client = login(org.hr)
    edit = cycle_post(org, name=HEADERS_IN_A_NAME, departments=[org.it.pk])
    before = database_rows()

    refused = client.post(f"/hr/cycles/{cycle.pk}/edit/", edit)

    assert "contains a line break" in refused.content.decode()
    assert database_rows() == before
    with django_capture_on_commit_callbacks(execute=True):
        launched = client.post(f"/hr/cycles/{cycle.pk}/launch/")
    assert launched.status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).status == "open"
    assert mail.outbox and all("\n" not in m.subject and "Bcc" not in m.subject for m in mail.outbox)


def test_a_repeat_named_with_a_line_break_is_refused(login, org, database_rows):
    cycle = make_cycle(org, status="open")
    services.cycle_close(cycle_id=cycle.pk)
    client = login(org.hr)
    before = database_rows()

    response = client.post(
        f"/hr/cycles/{cycle.pk}/repeat/", {"period": "quarterly", "name": "Next\r\nBcc: all@example.com"}
    )

    assert "“Name of the new cycle” contains a line break" in response.content.decode()
    assert database_rows() == before


def test_a_name_saved_before_the_rule_still_launches_and_closes_with_one_line_subjects(
    login, org, django_capture_on_commit_callbacks
):
    """The attack of record: the name was accepted, launching returned 500 with the cycle already
    open, and so did Close now. Emails now put the name on one line."""
    cycle = make_cycle(org, name="Q1 survey")
    Cycle.objects.filter(pk=cycle.pk).update(name=HEADERS_IN_A_NAME)
    client = login(org.hr)

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/hr/cycles/{cycle.pk}/launch/").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/hr/cycles/{cycle.pk}/close/").status_code == 302

    assert Cycle.objects.get(pk=cycle.pk).status == "closed"
    subjects = [m.subject for m in mail.outbox]
    assert subjects and all("\r" not in s and "\n" not in s for s in subjects)
    assert "Q1 survey Bcc: everyone@example.com: rate the departments you work with" in subjects


# --- the survey's comments -----------------------------------------------------------------------


@pytest.mark.parametrize("action", ["submit", "draft"])
@pytest.mark.parametrize("headers", [{}, JSON])
def test_a_comment_with_nul_is_refused_and_nothing_is_stored(
    login, org, open_cycle, invitation, database_rows, action, headers
):
    client = login(org.outsider)
    data = answers(action=action, comment_good="Quick\x00", responsiveness=4, quality=5)
    before = database_rows()

    response = client.post(f"/surveys/{open_cycle.pk}/it/", data, **headers)

    page = response.json()["form"] if headers else response.content.decode()
    assert response.status_code == (400 if headers else 200)
    assert "“What do they do well?” contains a NUL character (U+0000)" in page
    assert "Please correct the comment marked below." in page
    if headers:
        assert response.json()["error"] == "Nothing was saved: please correct the comment marked."
    assert database_rows() == before
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"


def test_a_comment_keeps_its_line_breaks_and_tabs(login, org, open_cycle, invitation):
    data = answers(comment_good="Quick.\r\n\tAnd kind.", responsiveness=4, quality=5)

    assert login(org.outsider).post(f"/surveys/{open_cycle.pk}/it/", data).status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).status == "completed"


# --- import_responses ------------------------------------------------------------------------------

HEADER = "response_id,rater_department,provider_department,parameter,score,comment_good,comment_improve\n"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (HEADER + "a,sales,it,responsiveness,4,Qu\x00ick,\n", "past.csv:2: comment_good contains a NUL character"),
        (HEADER + "a,sales\x00,it,responsiveness,4,,\n", "past.csv:2: rater_department contains a NUL character"),
        (HEADER + 'a,sales,it,responsiveness,4,"Quick,\nb,hr,it,quality,5,,\n', "past.csv:2: a quoted value"),
        (HEADER + "a,sales,it,responsiveness,4,Bell\x07,\n", "past.csv:2: comment_good contains an invisible"),
    ],
)
def test_the_import_responses_command_reports_file_line_column_and_writes_nothing(
    tmp_path, capsys, org, database_rows, text, error
):
    (tmp_path / "past.csv").write_bytes(text.encode())
    before = database_rows()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_responses", str(tmp_path / "past.csv"), cycle="Q3 2025", opens="2025-09-01", closes="2025-09-14"
        )

    assert error in capsys.readouterr().err
    assert database_rows() == before


def test_the_past_cycles_name_is_one_line_too(tmp_path, capsys, org, database_rows):
    (tmp_path / "past.csv").write_text(HEADER + "a,sales,it,responsiveness,4,,\n")
    before = database_rows()

    with pytest.raises(CommandError):
        call_command(
            "import_responses",
            str(tmp_path / "past.csv"),
            cycle="Q3\r\nBcc: x",
            opens="2025-09-01",
            closes="2025-09-14",
        )

    assert "--cycle: the name contains a line break, which is not allowed" in capsys.readouterr().err
    assert database_rows() == before


# --- GET parameters -------------------------------------------------------------------------------


def test_a_bad_page_or_part_in_the_address_shows_the_default_and_says_so(login, org, open_cycle):
    client = login(org.hr)

    listing = client.get(reverse("surveys:cycle_list"), {"page": "²"})
    detail = client.get(reverse("surveys:cycle_detail", args=[open_cycle.pk]), {"partial": "participation\x00"})

    assert listing.status_code == detail.status_code == 200
    assert "The page number in the address is not valid, so it was ignored." in listing.content.decode()
    assert "The part of the page in the address is not valid" in detail.content.decode()
    assert "<html" in detail.content.decode()  # the whole page, not the polled fragment
