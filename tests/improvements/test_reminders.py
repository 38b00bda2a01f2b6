"""Reminders to owners: 3 days before the due date and the day after it, each sent once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from improvements.models import ActionReminder
from improvements.reminders import action_reminders_send
from improvements.tasks import action_reminders_task

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://portal.example"


def test_owners_are_reminded_three_days_before_the_due_date_once(org, make_action):
    item = make_action(due_on=TODAY() + timedelta(days=3))

    assert action_reminders_send(today=TODAY()) == 1
    assert action_reminders_send(today=TODAY()) == 0  # the second run sends nothing
    assert action_reminders_send(today=TODAY() + timedelta(days=1)) == 0  # nor does the next day's

    [message] = mail.outbox
    assert message.to == [org.colleague.email]
    assert message.subject == f"Action due in 3 days: {item.title}"
    assert f"https://portal.example/departments/it/actions/{item.pk}/" in message.body


def test_owners_are_reminded_the_day_after_the_due_date_if_it_is_not_done(org, make_action):
    item = make_action(due_on=TODAY() - timedelta(days=1), status="in_progress", owners=[org.colleague, org.head])

    assert action_reminders_send(today=TODAY()) == 1
    assert action_reminders_send(today=TODAY()) == 0
    [message] = mail.outbox
    assert sorted(message.to) == sorted([org.colleague.email, org.head.email])
    assert message.subject == f"Action overdue: {item.title}" and "still in progress" in message.body
    assert list(ActionReminder.objects.values_list("kind", "due_on")) == [("after", item.due_on)]


def test_each_item_gets_both_reminders_over_its_life(org, make_action):
    make_action(due_on=TODAY() + timedelta(days=2))
    sent = [action_reminders_send(today=TODAY() + timedelta(days=day)) for day in range(8)]
    assert sent == [1, 0, 0, 1, 0, 0, 0, 0]
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Action due in 2 days", "Action overdue"]


def test_a_new_due_date_earns_new_reminders(org, make_action):
    item = make_action(due_on=TODAY() + timedelta(days=1))
    action_reminders_send(today=TODAY())
    item.due_on = TODAY() + timedelta(days=3)
    item.save()
    assert action_reminders_send(today=TODAY()) == 1
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("status", ["done", "dropped"])
def test_finished_items_are_not_reminded(org, make_action, status):
    make_action(due_on=TODAY() - timedelta(days=1), status=status, dropped_reason="Not needed.")
    make_action(due_on=TODAY() + timedelta(days=2), status=status, dropped_reason="Not needed.")
    assert action_reminders_send(today=TODAY()) == 0 and mail.outbox == []


def test_items_far_from_their_date_are_not_reminded(org, make_action):
    make_action(due_on=TODAY() + timedelta(days=4))
    make_action(due_on=TODAY() - timedelta(days=8))
    assert action_reminders_send(today=TODAY()) == 0


def test_the_head_is_told_when_no_owner_is_left(org, make_action):
    make_action(due_on=TODAY() + timedelta(days=1))
    org.colleague.active = False
    org.colleague.save()
    action_reminders_send(today=TODAY())
    assert [m.to for m in mail.outbox] == [[org.head.email]]


def test_a_failed_send_is_unclaimed_so_that_the_retry_sends_it(org, make_action, monkeypatch):
    make_action(due_on=TODAY() + timedelta(days=1))

    def broken(*args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr("improvements.reminders.send_mail", broken)
    with pytest.raises(ConnectionError):
        action_reminders_send(today=TODAY())
    assert not ActionReminder.objects.exists()
    monkeypatch.undo()
    assert action_reminders_send(today=TODAY()) == 1


def test_the_daily_task_sends_what_is_due_today(org, make_action):
    make_action(due_on=TODAY() + timedelta(days=3))
    assert action_reminders_task.delay().get() == 1
    assert action_reminders_task.delay().get() == 0
    assert len(mail.outbox) == 1


def test_the_task_is_scheduled_daily(settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("action_reminders_task"))
    assert entry["task"] == "improvements.tasks.action_reminders_task"
    assert entry["schedule"].hour == {7}
