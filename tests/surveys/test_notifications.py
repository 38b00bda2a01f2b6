from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.utils import timezone

from surveys import notifications, services
from surveys.models import Notification
from tests.factories import ALL_GOOD, make_cycle


class BrokenBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_opening_emails_one_invitation_per_person_listing_their_departments(org, django_capture_on_commit_callbacks):
    cycle = make_cycle(org, intro="Please take part.")

    with django_capture_on_commit_callbacks(execute=True):  # the email task is queued on commit
        services.cycle_open(cycle_id=cycle.pk)

    assert recipients() == ["hr@example.com", "outsider@example.com", "sales.head@example.com"]
    message = next(m for m in mail.outbox if m.to == ["outsider@example.com"])
    assert message.subject == "Q1 survey: rate the departments you work with"
    assert "  - IT" in message.body and "Please take part." in message.body
    assert "http://127.0.0.1:8000/my/surveys/" in message.body
    assert "anonymous" in message.body


def test_a_rerun_sends_nothing_twice(org, open_cycle):
    assert notifications.invitations_send(cycle_id=open_cycle.pk) == 3
    mail.outbox.clear()

    assert notifications.invitations_send(cycle_id=open_cycle.pk) == 0
    assert notifications.reminders_send(cycle_id=open_cycle.pk, kind="reminder-after-open") == 3
    assert notifications.reminders_send(cycle_id=open_cycle.pk, kind="reminder-after-open") == 0
    assert len(mail.outbox) == 3


def test_reminders_go_only_to_people_with_something_left_to_rate(org, open_cycle, invitation):
    services.response_submit(invitation=invitation, scores=ALL_GOOD)
    other = open_cycle.invitations.get(employee=org.hr)
    services.invitation_decline(invitation=other)
    mail.outbox.clear()

    notifications.reminders_send(cycle_id=open_cycle.pk, kind="reminder-before-close")

    assert recipients() == ["sales.head@example.com"]
    assert "You still have 1 department to rate" in mail.outbox[0].body


def test_reminders_fall_due_on_their_schedule(org):
    now = timezone.now()
    cycle = make_cycle(org, status="open", closes_at=now + timedelta(days=10))

    assert notifications.reminders_due(now=now) == []
    assert notifications.reminders_due(now=now + timedelta(days=3, minutes=1)) == [(cycle.pk, "reminder-after-open")]
    assert notifications.reminders_due(now=now + timedelta(days=8, minutes=1)) == [
        (cycle.pk, "reminder-after-open"),
        (cycle.pk, "reminder-before-close"),
    ]
    assert notifications.reminders_due(now=now + timedelta(days=11)) == []


def test_the_periodic_task_sends_each_due_reminder_once(org, open_cycle):
    from surveys.tasks import cycles_advance_task

    mail.outbox.clear()
    open_cycle.opened_at = timezone.now() - timedelta(days=4)
    open_cycle.save()

    cycles_advance_task.delay()
    cycles_advance_task.delay()

    reminded = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Reminder"))
    assert reminded == ["hr@example.com", "outsider@example.com", "sales.head@example.com"]
    assert Notification.objects.filter(kind="reminder-after-open", sent_at__isnull=False).count() == 3


def test_the_periodic_task_sends_invitations_whose_task_was_lost(org, open_cycle):
    """The open_cycle fixture opened the cycle in a test transaction: its on-commit send never ran,
    as when the broker is down at opening. The next tick sends each invitation, once."""
    from surveys.tasks import cycles_advance_task

    mail.outbox.clear()
    cycles_advance_task.delay()
    cycles_advance_task.delay()

    assert recipients() == ["hr@example.com", "outsider@example.com", "sales.head@example.com"]
    assert all("rate the departments you work with" in m.subject for m in mail.outbox)


def test_closing_sends_a_notice_to_everyone_invited(org, open_cycle, invitation, django_capture_on_commit_callbacks):
    services.response_submit(invitation=invitation, scores=ALL_GOOD)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_close(cycle_id=open_cycle.pk)

    assert recipients() == ["hr@example.com", "outsider@example.com", "sales.head@example.com"]
    assert all("has closed" in m.subject for m in mail.outbox)


def test_a_failed_send_is_not_recorded_so_the_retry_sends_it(org, open_cycle):
    mail.outbox.clear()
    with (
        override_settings(EMAIL_BACKEND="tests.surveys.test_notifications.BrokenBackend"),
        pytest.raises(ConnectionRefusedError),
    ):
        notifications.reminders_send(cycle_id=open_cycle.pk, kind="reminder-manual-2027-01-01")
    assert not Notification.objects.filter(kind="reminder-manual-2027-01-01").exists()

    assert notifications.reminders_send(cycle_id=open_cycle.pk, kind="reminder-manual-2027-01-01") == 3


def test_hr_can_send_a_reminder_now_but_a_double_click_sends_one(login, org, open_cycle):
    mail.outbox.clear()
    client = login(org.hr)

    client.post(f"/hr/cycles/{open_cycle.pk}/remind/")
    client.post(f"/hr/cycles/{open_cycle.pk}/remind/")

    assert len(mail.outbox) == 3
