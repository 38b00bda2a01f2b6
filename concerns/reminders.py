"""Reminders and escalation: the department is reminded at 50 % and 75 % of each response time, its
head is told at 100 %, and HR two working days later. Each is recorded (ConcernReminder) before it
is sent, keyed by concern, kind and clock round: a rerun, or two workers, never send one twice; a
reopened or reassigned concern starts a new round."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from departments.roles import hr_admin_emails

from . import workdays
from .models import Concern, ConcernReminder, ResponseTimes, closures_from
from .services import _email, acting_people

logger = logging.getLogger(__name__)

ESCALATE_AFTER_DAYS = 2
# (kind, share of the response time, who hears) in the order they fall due.
STEPS = (("50", 0.5, "department"), ("75", 0.75, "department"), ("100", 1.0, "head"), ("hr", None, "hr"))


def _milestones(concern: Concern, clock: str, days: int, closures) -> list[tuple[str, datetime, str]]:
    start = concern.reopened_on if clock == "answer" and concern.reopened_on else concern.clock_started_on
    found = []
    for kind, share, who in STEPS:
        span = days + ESCALATE_AFTER_DAYS if share is None else days * share
        found.append((f"{clock}-{kind}", workdays.moment_after(start, span, closures), who))
    return found


def due_reminders(now=None) -> list[tuple[Concern, str, str]]:
    """(concern, kind, who) for every reminder or escalation due now and not sent in this round."""
    now = now or timezone.now()
    times = ResponseTimes.current()
    waiting = list(Concern.objects.waiting().select_related("department__head__user"))
    if not waiting:
        return []
    closures = closures_from(min(c.clock_started_on for c in waiting))
    sent = set(ConcernReminder.objects.filter(concern__in=waiting).values_list("concern_id", "kind", "clock_round"))
    due = []
    for concern in waiting:
        clocks = [("answer", times.answer_days)]
        if concern.status == Concern.Status.OPEN:
            clocks.insert(0, ("acknowledge", times.acknowledge_days))
        for clock, days in clocks:
            for kind, moment, who in _milestones(concern, clock, days, closures):
                if moment <= now and (concern.pk, kind, concern.clock_round) not in sent:
                    due.append((concern, kind, who))
    return due


WORDS = {
    ("acknowledge", "50"): gettext_lazy("half of the time to acknowledge it has gone"),
    ("acknowledge", "75"): gettext_lazy("three quarters of the time to acknowledge it have gone"),
    ("acknowledge", "100"): gettext_lazy("the time to acknowledge it ran out"),
    ("acknowledge", "hr"): gettext_lazy("the time to acknowledge it ran out two working days ago"),
    ("answer", "50"): gettext_lazy("half of the time to answer it has gone"),
    ("answer", "75"): gettext_lazy("three quarters of the time to answer it have gone"),
    ("answer", "100"): gettext_lazy("the time to answer it ran out"),
    ("answer", "hr"): gettext_lazy("the time to answer it ran out two working days ago"),
}


def _subject(name: str, what: StrOrPromise) -> str:
    return _("Concern for %(name)s: %(what)s") % {"name": name, "what": what}


def concern_reminders_send(now=None) -> int:
    """Send every reminder and escalation that is due, each once. Returns how many were sent."""
    sent = 0
    for concern, kind, who in due_reminders(now):
        try:
            with transaction.atomic():
                ConcernReminder.objects.create(concern=concern, kind=kind, clock_round=concern.clock_round)
        except IntegrityError:
            continue  # another run sent it
        clock, step = kind.split("-")
        verb = "acknowledge" if clock == "acknowledge" else "answer"
        if who == "department":
            to = [person.email for person in acting_people(concern.department)]
        elif who == "head":
            head = concern.department.head
            to = (
                [head.email]
                if head is not None and head.active
                else [p.email for p in acting_people(concern.department)]
            )
        else:
            to = hr_admin_emails()
        what = WORDS[verb, step]
        try:
            _email(
                to=to,
                template="concerns/email_reminder.txt",
                subject=partial(_subject, concern.department.name, what),
                context={
                    "concern": concern,
                    "what": what,
                    "escalated": who != "department",
                    "link": settings.SITE_URL + concern.get_absolute_url(),
                },
            )
        except Exception:
            ConcernReminder.objects.filter(concern=concern, kind=kind, clock_round=concern.clock_round).delete()
            raise
        sent += 1
    return sent
