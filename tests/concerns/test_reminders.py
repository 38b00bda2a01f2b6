"""Reminders at 50 % and 75 % of each response time, the head at 100 %, HR two working days later:
each sent once, in working days (closure dates included), and a new round after a reopening."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from concerns.models import ClosureDate, ConcernReminder
from concerns.reminders import concern_reminders_send
from departments.models import Delegate
from tests.factories import make_concern

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 30)  # acknowledge within 2 working days, answer within 10 (the defaults)


def at(day: date, hours: float = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day)) + timedelta(hours=hours)


def sent(now) -> list[tuple[str, list[str]]]:
    before = len(mail.outbox)
    concern_reminders_send(now)
    return [(message.subject, sorted(message.to)) for message in mail.outbox[before:]]


def test_each_step_is_sent_once_to_the_right_people(org):
    Delegate.objects.create(department=org.it, employee=org.colleague)
    make_concern(org.it, raised_on=MONDAY, raised_by=org.outsider)
    department = sorted([org.head.email, org.colleague.email])
    assert sent(at(MONDAY, 23)) == []  # the raise day does not count
    # Acknowledge within 2 working days of Monday: 50 % is the end of Tuesday, 75 % Wednesday noon,
    # 100 % the end of Wednesday, and HR two working days later: the end of Friday.
    first = sent(at(MONDAY + timedelta(days=2), 1))
    assert first == [("Concern for IT: half of the time to acknowledge it has gone", department)]
    assert sent(at(MONDAY + timedelta(days=2), 2)) == []  # once
    assert sent(at(MONDAY + timedelta(days=2), 13)) == [
        ("Concern for IT: three quarters of the time to acknowledge it have gone", department)
    ]
    assert sent(at(MONDAY + timedelta(days=3), 1)) == [
        ("Concern for IT: the time to acknowledge it ran out", [org.head.email])
    ]
    assert sent(at(MONDAY + timedelta(days=4), 23)) == []  # Friday: not over yet
    assert sent(at(MONDAY + timedelta(days=5), 1)) == [
        ("Concern for IT: the time to acknowledge it ran out two working days ago", [org.hr.email])
    ]
    # The answer clock (10 working days): 50 % at the end of Monday 7 December.
    assert sent(at(MONDAY + timedelta(days=7), 23)) == []
    assert sent(at(MONDAY + timedelta(days=8), 1)) == [
        ("Concern for IT: half of the time to answer it has gone", department)
    ]
    assert concern_reminders_send(at(MONDAY + timedelta(days=8), 2)) == 0
    assert ConcernReminder.objects.count() == 5


def test_a_closure_date_moves_every_step(org):
    ClosureDate.objects.create(date=MONDAY + timedelta(days=1), name="Company day")
    make_concern(org.it, raised_on=MONDAY, raised_by=org.outsider)
    assert sent(at(MONDAY + timedelta(days=2), 1)) == []  # Tuesday was closed: 50 % is end of Wednesday
    assert len(sent(at(MONDAY + timedelta(days=3), 1))) == 1


def test_an_acknowledged_concern_gets_only_answer_reminders(org):
    concern = make_concern(org.it, raised_on=MONDAY, raised_by=org.outsider)
    concern.status, concern.acknowledged_at = "acknowledged", at(MONDAY, 10)
    concern.save()
    assert sent(at(MONDAY + timedelta(days=4), 1)) == []
    # 50 % of 10 working days: end of the 5th working day, Monday 7 December.
    reminders = sent(at(MONDAY + timedelta(days=8), 1))
    assert len(reminders) == 1 and "half of the time to answer" in reminders[0][0]


def test_an_answered_concern_gets_nothing_and_a_reopened_one_starts_a_new_round(org):
    concern = make_concern(org.it, raised_on=MONDAY, raised_by=org.outsider)
    concern_reminders_send(at(MONDAY + timedelta(days=8), 1))
    count = ConcernReminder.objects.filter(concern=concern).count()
    assert count >= 4
    concern.status = "answered"
    concern.save()
    assert sent(at(MONDAY + timedelta(days=30))) == []
    from concerns import services

    services._reopen(concern, reason="Not fixed.", on=MONDAY + timedelta(days=14))
    concern.refresh_from_db()
    assert concern.clock_round == 2
    reminders = sent(at(MONDAY + timedelta(days=22), 1))  # 50 % of 10 working days after Monday 14th
    assert len(reminders) == 1 and "answer" in reminders[0][0]
