"""Reminders to the owners of action items: one 3 days before the due date, one the day after it if
the item is still planned or in progress.

Each is claimed in ActionReminder, unique per (item, kind, due date), before it is sent: a rerun, a
retried task or two workers at once send it once; a new due date earns new reminders. A message
whose sending raised is un-claimed, so the retry sends it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext

from .models import ActionItem, ActionReminder
from .services import item_url

BEFORE_DAYS = 3
# Overdue items are reminded once, from the day after their date; a run missed for up to a week
# (the beat down) still sends, while older items are no news to anyone.
AFTER_DAYS, AFTER_UNTIL_DAYS = 1, 7


def due_reminders(today: date) -> list[tuple[ActionItem, str]]:
    """(item, kind) for every reminder due on `today` that was not sent for the item's due date."""
    before = Q(due_on__gte=today, due_on__lte=today + timedelta(days=BEFORE_DAYS))
    after = Q(due_on__lte=today - timedelta(days=AFTER_DAYS), due_on__gte=today - timedelta(days=AFTER_UNTIL_DAYS))
    items = (
        ActionItem.objects.current()
        .filter(before | after, department__active=True)
        .select_related("department__head__user")
        .prefetch_related("owners__user")
        .order_by("due_on", "pk")
    )
    sent = set(ActionReminder.objects.filter(action__in=items).values_list("action_id", "kind", "due_on"))
    due = []
    for item in items:
        kind = "before" if item.due_on >= today else "after"
        if (item.pk, kind, item.due_on) not in sent:
            due.append((item, kind))
    return due


def recipients(item: ActionItem) -> list[str]:
    """Its active owners; the head when none is left."""
    emails = [owner.email for owner in item.owners.all() if owner.active and owner.user.is_active and owner.email]
    head = item.department.head
    if not emails and head is not None and head.active and head.email:
        emails = [head.email]
    return sorted(set(emails))


def action_reminders_send(*, today: date) -> int:
    """Send every reminder due on `today`, each once per (item, kind, due date). Idempotent: a
    second run the same day sends nothing. Returns how many emails were sent."""
    sent = 0
    for item, kind in due_reminders(today):
        to = recipients(item)
        if not to:
            continue
        try:
            with transaction.atomic():
                claim = ActionReminder.objects.create(action=item, kind=kind, due_on=item.due_on)
        except IntegrityError:
            continue  # another run sent it
        days = (item.due_on - today).days
        if days == 0:
            when = gettext("today")
        elif kind == "before":
            when = ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}
        else:
            when = ngettext("%(count)d day ago", "%(count)d days ago", -days) % {"count": -days}
        if kind == "before":
            subject = gettext("Action due %(when)s: %(title)s") % {"when": when, "title": item.title}
        else:
            subject = gettext("Action overdue: %(title)s") % {"title": item.title}
        body = render_to_string(
            "improvements/email_reminder.txt",
            {"item": item, "kind": kind, "when": when, "link": settings.SITE_URL + item_url(item)},
        )
        try:
            send_mail(" ".join(subject.split()), body, None, to)
        except Exception:
            claim.delete()
            raise
        sent += 1
    return sent
