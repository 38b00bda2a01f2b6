"""Emails of a cycle: invitation at opening, reminders on schedule, a notice at closing.

Each message is recorded in Notification before it is sent, keyed (cycle, employee, kind): a rerun,
a retried task or two workers at once never send the same message twice. Sending is at most once:
a message whose sending raised is un-recorded, so the retry sends it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.languages import languages_by_user_id
from departments.models import Employee

from .models import Cycle, Invitation, Notification

BATCH = 200


def _recipients(cycle: Cycle, kind: str, *, pending_only: bool):
    # IN (subquery) rather than correlated EXISTS: both databases compute each set once, where
    # SQLite would otherwise scan the cycle's invitations once per employee.
    invitations = Invitation.objects.filter(cycle=cycle)
    if pending_only:
        invitations = invitations.filter(status=Invitation.Status.PENDING)
    already = Notification.objects.filter(cycle=cycle, kind=kind)
    return (
        Employee.objects.active()
        .filter(pk__in=invitations.values("employee_id"))
        .exclude(pk__in=already.values("employee_id"))
    )


def _send_once(*, cycle: Cycle, kind: str, employees, template: str, subject: Callable[[], str]) -> int:
    """`subject()` is called in each recipient's language (their profile's, else the site's)."""
    claim = uuid.uuid4()
    Notification.objects.bulk_create(
        [
            Notification(cycle=cycle, employee_id=pk, kind=kind, claim=claim)
            for pk in employees.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    mine = Notification.objects.filter(cycle=cycle, kind=kind, claim=claim)
    people = list(Employee.objects.filter(pk__in=mine.values("employee_id")).select_related("user", "department"))
    todo: dict[int, list[str]] = defaultdict(list)
    for employee_id, department_name in (
        Invitation.objects.filter(cycle=cycle, employee__in=people, status=Invitation.Status.PENDING)
        .order_by("department__name")
        .values_list("employee_id", "department__name")
    ):
        todo[employee_id].append(department_name)
    link = settings.SITE_URL + resolve_url(settings.EMPLOYEE_HOME_URL)
    languages = languages_by_user_id(e.user_id for e in people)

    def message(e: Employee) -> EmailMessage:
        with translation.override(languages[e.user_id]):
            # One line whatever the cycle's name holds: forms refuse line breaks in names, but a name
            # saved before they did must not stop a cycle's emails (a header cannot hold a line break).
            return EmailMessage(
                subject=" ".join(subject().split()),
                body=render_to_string(
                    template, {"cycle": cycle, "employee": e, "todo": todo.get(e.pk, []), "link": link}
                ),
                to=[e.email],
            )

    sent = 0
    connection = get_connection()
    for start in range(0, len(people), BATCH):
        batch = people[start : start + BATCH]
        messages = [message(e) for e in batch]
        try:
            connection.send_messages(messages)
        except Exception:
            # Not sent: un-record what this run had not sent yet, so that the retry sends it.
            mine.filter(sent_at__isnull=True).delete()
            raise
        mine.filter(employee__in=batch).update(sent_at=timezone.now())
        sent += len(batch)
    return sent


def invitations_send(*, cycle_id: int) -> int:
    """One invitation email per invited employee, listing the departments to rate."""
    cycle = Cycle.objects.get(pk=cycle_id)
    if not cycle.is_open:
        return 0
    return _send_once(
        cycle=cycle,
        kind="invitation",
        employees=_recipients(cycle, "invitation", pending_only=True),
        template="surveys/email/invitation.txt",
        subject=lambda: _("%(cycle)s: rate the departments you work with") % {"cycle": cycle.name},
    )


def reminders_send(*, cycle_id: int, kind: str) -> int:
    """Remind the people who still have a department to rate; those who finished get nothing."""
    cycle = Cycle.objects.get(pk=cycle_id)
    if not cycle.is_open:
        return 0
    return _send_once(
        cycle=cycle,
        kind=kind,
        employees=_recipients(cycle, kind, pending_only=True),
        template="surveys/email/reminder.txt",
        subject=lambda: (
            _("Reminder: %(cycle)s closes on %(date)s")
            % {"cycle": cycle.name, "date": date_format(timezone.localtime(cycle.closes_at), "d F")}
        ),
    )


def closing_notice_send(*, cycle_id: int) -> int:
    """Tell everyone who was invited that the cycle closed and what happens next."""
    cycle = Cycle.objects.get(pk=cycle_id)
    if not cycle.is_finished:
        return 0
    return _send_once(
        cycle=cycle,
        kind="closing",
        employees=_recipients(cycle, "closing", pending_only=False),
        template="surveys/email/closing.txt",
        subject=lambda: _("%(cycle)s has closed: thank you") % {"cycle": cycle.name},
    )


def reminders_due(*, now: datetime | None = None) -> list[tuple[int, str]]:
    """(cycle id, reminder kind) for every scheduled reminder whose time has come in an open cycle."""
    now = now or timezone.now()
    return [
        (cycle.pk, kind)
        for cycle in Cycle.objects.open().filter(closes_at__gt=now)
        for kind, due in cycle.reminder_times().items()
        if due <= now
    ]


def manual_reminder_kind(now: datetime | None = None) -> str:
    """HR's "send a reminder now": at most one a day, so a double click sends one."""
    return f"reminder-manual-{timezone.localdate(now):%Y-%m-%d}"
