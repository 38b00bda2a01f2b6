"""Sending thank-you notes: the form's refusals, the daily limit, the emails, the heads' digest."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from recognition import notes
from recognition.models import NotePreference, ThankYouNote
from recognition.note_forms import UNNAMED_NOTICE

THANK = reverse("recognition:thank")


def post(org, **changes):
    return {
        "department": "it",
        "colleagues": [org.colleague.pk],
        "parameter": org.it.parameters.order_by("position").first().pk,
        "message": "You replaced my laptop within the hour.",
        "show_name": "on",
    } | changes


def test_the_form_says_plainly_that_an_unnamed_note_still_records_the_sender(login, org):
    page = login(org.outsider).get(THANK + "?department=it").content.decode()
    assert str(UNNAMED_NOTICE) in page
    # The chosen department's people, as a group of checkboxes with a legend.
    assert "<legend" in page and f'name="colleagues" value="{org.colleague.pk}"' in page


def test_an_employee_thanks_a_colleague_and_goes_back_to_next(login, org, django_capture_on_commit_callbacks):
    client = login(org.outsider)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(THANK, post(org, next="/departments/"))
    assert response.status_code == 302 and response["Location"] == "/departments/"
    note = ThankYouNote.objects.get()
    assert note.sender == org.outsider and list(note.colleagues.all()) == [org.colleague]
    assert note.parameter.department == org.it
    # The colleague, and IT's head: one email each.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org.colleague.email, org.head.email])
    assert org.outsider.full_name in mail.outbox[0].body


def test_next_off_the_site_is_dropped_for_the_wall(login, org):
    response = login(org.outsider).post(THANK, post(org, next="//evil.example/"))
    assert response["Location"] == reverse("recognition:wall")


def test_the_eleventh_note_of_the_day_is_refused_and_nothing_is_written(login, org, database_rows):
    client = login(org.outsider)
    for _ in range(notes.NOTES_PER_DAY):
        assert client.post(THANK, post(org)).status_code == 302
    assert ThankYouNote.objects.filter(sender=org.outsider).count() == 10
    before = database_rows()
    response = client.post(THANK, post(org))
    assert response.status_code == 200 and notes.TOO_MANY_NOTES in response.content.decode()
    assert database_rows() == before


def test_yesterdays_notes_do_not_count_towards_today(login, org, make_note):
    for _ in range(notes.NOTES_PER_DAY):
        make_note()
    ThankYouNote.objects.update(created_at=timezone.now() - timedelta(days=1, hours=1))
    assert login(org.outsider).post(THANK, post(org)).status_code == 302


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"department": "sales", "colleagues": [], "parameter": ""}, "You cannot thank your own department"),
        ({"colleagues": ["outsider"]}, "not one of the available choices"),  # yourself: not offered
        ({"colleagues": ["outsider_head"]}, "not one of the available choices"),  # of another department
        ({"parameter": "sales_parameter"}, "not one of the available choices"),
    ],
)
def test_refused_notes_say_why_and_write_nothing(login, org, database_rows, changes, error):
    ids = {
        "outsider": org.outsider.pk,
        "outsider_head": org.outsider_head.pk,
        "sales_parameter": org.sales.parameters.first().pk,
    }
    changes = {
        key: ([ids.get(v, v) for v in value] if isinstance(value, list) else ids.get(value, value))
        for key, value in changes.items()
    }
    client = login(org.outsider)
    before = database_rows()
    response = client.post(THANK, post(org, **changes))
    assert response.status_code == 200 and error in response.content.decode()
    assert database_rows() == before


def test_the_service_refuses_yourself_and_another_departments_people(org):
    with pytest.raises(notes.NoteError, match="yourself"):
        notes.note_send(sender=org.colleague, department=org.sales, colleagues=[org.colleague], message="x")
    with pytest.raises(notes.NoteError, match="must work in IT"):
        notes.note_send(sender=org.outsider, department=org.it, colleagues=[org.hr], message="x")
    with pytest.raises(notes.NoteError, match="own department"):
        notes.note_send(sender=org.outsider, department=org.sales, message="x")
    assert not ThankYouNote.objects.exists()


def test_without_script_choosing_the_department_shows_its_people(login, org):
    page = login(org.outsider).post(THANK, {"department": "it", "choose": "1", "message": "Kept"}).content.decode()
    assert org.colleague.full_name in page and "Kept" in page and not ThankYouNote.objects.exists()


def test_a_head_who_chose_the_digest_gets_no_email_per_note(org, django_capture_on_commit_callbacks):
    NotePreference.objects.create(employee=org.head, weekly_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_send(sender=org.outsider, department=org.it, message="Thanks, IT.")
    assert mail.outbox == []


def test_an_unnamed_note_never_names_its_sender_in_emails(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notes.note_send(
            sender=org.outsider, department=org.it, colleagues=[org.colleague], message="Thanks", show_name=False
        )
    assert len(mail.outbox) == 2
    assert all(org.outsider.full_name not in m.body for m in mail.outbox)


def test_the_weekly_digest_goes_once_a_week_with_the_weeks_visible_notes(org, make_note):
    NotePreference.objects.create(employee=org.head, weekly_digest=True)
    make_note(message="Shown in the digest")
    make_note(message="Hidden one", hidden_at=timezone.now())
    make_note(department=org.hr_dept, message="Another department's")
    assert notes.notes_digest_send() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [org.head.email]
    body = mail.outbox[0].body
    assert "Shown in the digest" in body and "Hidden one" not in body and "Another department" not in body
    assert notes.notes_digest_send() == 0  # the same week: nothing more
    later = timezone.now() + timedelta(days=7, minutes=1)
    make_note(message="Next week's")
    ThankYouNote.objects.filter(message="Next week's").update(created_at=later - timedelta(hours=1))
    assert notes.notes_digest_send(now=later) == 1
    assert "Next week's" in mail.outbox[-1].body and "Shown in the digest" not in mail.outbox[-1].body


def test_the_digest_task_runs_the_service(org, make_note):
    from recognition.tasks import notes_digest_task

    NotePreference.objects.create(employee=org.head, weekly_digest=True)
    make_note()
    assert notes_digest_task.delay().get() == 1


def test_a_head_chooses_the_weekly_digest(login, org):
    client = login(org.head)
    assert client.post(reverse("recognition:preferences"), {"weekly_digest": "yes"}).status_code == 302
    assert NotePreference.objects.get(employee=org.head).weekly_digest
    client.post(reverse("recognition:preferences"), {"weekly_digest": "no"})
    assert not NotePreference.objects.get(employee=org.head).weekly_digest


def test_the_preferences_are_for_heads_only(login, org):
    assert login(org.colleague).get(reverse("recognition:preferences")).status_code == 403


def test_the_daily_limit_counts_the_organisations_day_whatever_time_zone_the_sender_picks(
    login, org, make_note, settings
):
    now = timezone.now()
    zones = [f"Etc/GMT{offset:+d}" for offset in range(-14, 13)]

    def hour_in(name: str) -> int:
        return timezone.localtime(now, zoneinfo.ZoneInfo(name)).hour

    settings.TIME_ZONE = next(name for name in zones if 3 <= hour_in(name) <= 20)  # the day began hours ago
    for _ in range(10):
        make_note()
    ThankYouNote.objects.update(created_at=now - timedelta(hours=1))  # sent earlier today
    client = login(org.outsider)
    # The sender picks a zone whose day began less than an hour ago: its "today" holds none of the ten.
    assert (
        client.post(reverse("time_zone"), {"time_zone": next(n for n in zones if hour_in(n) == 0)}).status_code == 204
    )
    response = client.post(THANK, post(org))
    assert response.status_code == 200 and notes.TOO_MANY_NOTES in response.content.decode()
    assert ThankYouNote.objects.count() == 10
