"""Thank-you notes: what each page reads (visible notes, counts) and the services that write them
(send, hide, the heads' weekly digest). The models are in models.py; the pages in views.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.languages import in_language_of
from departments.models import Department, Employee, ServiceParameter

from .models import NotePreference, ThankYouNote

NOTES_PER_DAY = 10
TOO_MANY_NOTES_TEXT = gettext_noop(
    "You have sent %(count)s thank-you notes today, the most for one day. Send this one tomorrow."
)
TOO_MANY_NOTES = TOO_MANY_NOTES_TEXT % {"count": NOTES_PER_DAY}  # in English; translated when raised


class NoteError(Exception):
    """A note that cannot be sent, with the reason in words for the sender."""


# ---------------------------------------------------------------------------------------- reads


def notes_visible() -> QuerySet[ThankYouNote]:
    """Notes not hidden by HR: what every page and count shows."""
    return ThankYouNote.objects.filter(hidden_at=None)


def notes_for_listing(queryset: QuerySet[ThankYouNote]) -> QuerySet[ThankYouNote]:
    """What a list of notes shows, in a fixed number of queries."""
    return queryset.select_related("sender__user", "department", "parameter", "hidden_by").prefetch_related(
        "colleagues__user"
    )


def notes_received_by(employee: Employee) -> QuerySet[ThankYouNote]:
    return notes_for_listing(notes_visible().filter(colleagues=employee))


def notes_to(department: Department) -> QuerySet[ThankYouNote]:
    return notes_for_listing(notes_visible().filter(department=department))


def note_counts_by_parameter(department: Department, *, since: datetime, until: datetime) -> list[tuple[str, int]]:
    """Visible notes to the department in [since, until), counted per parameter: (name, count) in
    charter order, then ("", count) for the notes that name none. Counts only, in one GROUP BY query."""
    rows = (
        notes_visible()
        .filter(department=department, created_at__gte=since, created_at__lt=until)
        .values("parameter__position", "parameter__name")
        .annotate(n=Count("pk"))
        .order_by(F("parameter__position").asc(nulls_last=True), "parameter__name")
        .values_list("parameter__name", "n")
    )
    return [(name or "", n) for name, n in rows]


def start_of_today() -> datetime:
    """Midnight in the organisation's time zone: never the sender's, which they choose (a day that
    starts whenever they like would lift the daily limit)."""
    here = timezone.get_default_timezone()
    return timezone.make_aware(datetime.combine(timezone.localdate(timezone=here), time.min), here)


def sent_today(sender: Employee) -> int:
    return ThankYouNote.objects.filter(sender=sender, created_at__gte=start_of_today()).count()


# ------------------------------------------------------------------------------------ services


def _email(*, to: Employee, template: str, subject: Callable[[], str], context: dict) -> None:
    """One email to `to`, its `subject()` and template rendered in their language."""
    if not to.email:
        return
    with in_language_of(to.user):
        body = render_to_string(template, context | {"site": settings.SITE_URL})
        send_mail(subject(), body, None, [to.email])


def _wants_digest(head: Employee) -> bool:
    return NotePreference.objects.filter(employee=head, weekly_digest=True).exists()


def note_notify(note: ThankYouNote) -> None:
    """Email each thanked colleague, and the department's head unless they chose the weekly digest
    (or are thanked by name, so already told). The sender's name only when the note shows it."""
    colleagues = list(note.colleagues.select_related("user"))
    context = {"note": note, "wall_url": settings.SITE_URL + reverse("recognition:wall")}
    for colleague in colleagues:
        _email(
            to=colleague,
            template="recognition/email/note_colleague.txt",
            subject=lambda: _("Someone thanked you"),
            context=context | {"colleague": colleague},
        )
    head = note.department.head
    if head is None or not head.active or head in colleagues or head.pk == note.sender_id:
        return  # nobody to tell, or already told by name
    if not _wants_digest(head):
        _email(
            to=head,
            template="recognition/email/note_head.txt",
            subject=lambda: _("A thank-you note to %(department)s") % {"department": note.department.name},
            context=context | {"head": head},
        )


@transaction.atomic
def note_send(
    *,
    sender: Employee,
    department: Department,
    message: str,
    colleagues: list[Employee] | tuple[Employee, ...] = (),
    parameter: ServiceParameter | None = None,
    show_name: bool = True,
) -> ThankYouNote:
    """Write a note and, after commit, email the people it thanks. Atomic; refuses (NoteError,
    nothing written) one's own department, oneself, a colleague or parameter of another department,
    and a note past the day's limit, counted in the database so that it holds across processes."""
    if department.pk == sender.department_id:
        raise NoteError(_("You cannot thank your own department."))
    if any(c.pk == sender.pk for c in colleagues):
        raise NoteError(_("You cannot thank yourself."))
    if any(c.department_id != department.pk for c in colleagues):
        raise NoteError(_("Everyone you thank by name must work in %(department)s.") % {"department": department.name})
    if parameter is not None and parameter.department_id != department.pk:
        raise NoteError(
            _("That part of the charter is not one of %(department)s's.") % {"department": department.name}
        )
    # One sender's notes are counted one at a time: the row lock (PostgreSQL) makes two quick
    # submissions wait for each other rather than both pass the count.
    Employee.objects.select_for_update().filter(pk=sender.pk).first()
    if sent_today(sender) >= NOTES_PER_DAY:
        raise NoteError(_(TOO_MANY_NOTES_TEXT) % {"count": NOTES_PER_DAY})
    note = ThankYouNote.objects.create(
        sender=sender, department=department, parameter=parameter, message=message, show_name=show_name
    )
    if colleagues:
        note.colleagues.set(colleagues)
    transaction.on_commit(lambda: note_notify(note))
    return note


def note_hide(*, note: ThankYouNote, by, reason: str) -> bool:
    """HR hides a note, keeping who and why. False when it was already hidden (the first reason stays)."""
    return bool(
        ThankYouNote.objects.filter(pk=note.pk, hidden_at=None).update(
            hidden_at=timezone.now(), hidden_by=by, hidden_reason=reason
        )
    )


def _digest_subject(count: int) -> str:
    return _("This week's thank-you notes (%(count)s)") % {"count": count}


def notes_digest_send(*, now: datetime | None = None) -> int:
    """Send each head who chose the weekly digest the visible notes to their department since their
    last digest (a week at most), once a week: a head is claimed by a conditional update of
    last_digest_at, so a re-run in the same week sends nothing. Returns the digests sent."""
    now = now or timezone.now()
    week_ago = now - timedelta(days=7)
    sent = 0
    due = NotePreference.objects.filter(weekly_digest=True, employee__active=True).select_related("employee__user")
    for preference in due.exclude(last_digest_at__gt=week_ago):
        previous = preference.last_digest_at
        claimed = (
            NotePreference.objects.filter(pk=preference.pk, last_digest_at=previous).update(last_digest_at=now)
            if previous is not None
            else NotePreference.objects.filter(pk=preference.pk, last_digest_at=None).update(last_digest_at=now)
        )
        if not claimed:
            continue
        since = max(previous, week_ago) if previous else week_ago
        departments = Department.objects.headed_by(preference.employee.user)
        notes = list(
            notes_for_listing(
                notes_visible().filter(department__in=departments, created_at__gte=since, created_at__lt=now)
            )
        )
        if not notes:
            continue
        _email(
            to=preference.employee,
            template="recognition/email/digest.txt",
            subject=partial(_digest_subject, len(notes)),
            context={
                "head": preference.employee,
                "notes": notes,
                "wall_url": settings.SITE_URL + reverse("recognition:wall"),
            },
        )
        sent += 1
    return sent
