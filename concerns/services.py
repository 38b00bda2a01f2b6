"""Writes of the concerns app. Each service is atomic and checks the concern's state with a
conditional UPDATE or a row lock, so two people acting at once cannot both succeed.

Who may call what is decided by the views through departments.roles; these services assume it.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from accounts.languages import emails_by_language
from departments.models import Department, Employee, ServiceParameter
from improvements.models import ActionItem
from improvements.services import action_create
from survey_portal.celery import enqueue_on_commit
from surveys.models import Cycle
from surveys.sealing import UnreadableSeal, open_bytes, seal_bytes

from . import receipts, workdays
from .models import Concern, ConcernMessage, Deposit, ResponseTimes, closures_from

logger = logging.getLogger(__name__)

# Every deposit is sealed at this size, whatever it holds: its length says nothing about what, or
# how much, was written (a subject and description at their limits, 4 bytes a character, fit).
DEPOSIT_SIZE = 20 * 1024


class ConcernError(Exception):
    """An action the concern's state does not allow now (someone else acted first)."""


def now_here() -> datetime:
    """Now in the organisation's time zone (settings.TIME_ZONE), never the viewer's: a date stored
    from the raiser's own zone would tell which office they work in."""
    return timezone.localtime(timezone.now(), timezone.get_default_timezone())


def today() -> date:
    return now_here().date()


def sharing_threshold() -> int:
    """The group size below which an anonymous raiser's department is never stored or shown: the
    score threshold of the latest cycle that opened (the one people know), and never below a new
    cycle's default (a draft cycle cannot lower it)."""
    default = Cycle._meta.get_field("score_threshold").get_default()
    opened = Cycle.objects.exclude(opened_at=None).order_by("-opens_at").values_list("score_threshold", flat=True)
    return max(default, opened.first() or default)


def department_can_be_shared(raiser_department: Department, department: Department | None = None) -> bool:
    """Whether an anonymous raiser in `raiser_department` may be said to work there (to `department`):
    when it has at least the threshold of active people, not counting those who act for
    `department` (they would rule themselves out)."""
    acting = [person.pk for person in acting_people(department)] if department is not None else []
    people = raiser_department.employees.filter(active=True, user__is_active=True).exclude(pk__in=acting)
    return people.count() >= sharing_threshold()


def raiser_department_shown(concern: Concern) -> Department | None:
    """The raiser's department as the concern's pages may show it: a named raiser's always; an
    anonymous raiser's only while it is still a big enough group (departments shrink)."""
    if not concern.anonymous or concern.raiser_department is None:
        return concern.raiser_department
    return (
        concern.raiser_department if department_can_be_shared(concern.raiser_department, concern.department) else None
    )


def _clocks(start: date) -> dict[str, Any]:
    times, closures = ResponseTimes.current(), closures_from(start)
    return {
        "clock_started_on": start,
        "acknowledge_by": workdays.moment_after(start, times.acknowledge_days, closures),
        "answer_by": workdays.moment_after(start, times.answer_days, closures),
    }


def acting_people(department: Department) -> list[Employee]:
    """Who answers for the department: its head and the delegates the head named (active ones)."""
    people = list(
        Employee.objects.active()
        .filter(delegations__department=department, department=department)  # delegates who still work there
        .select_related("user")
        .order_by("user__last_name")
    )
    head = department.head
    if head is not None and head.active and head not in people:
        people.insert(0, head)
    return people


def _email(*, to: list[str], template: str, subject: Callable[[], str], context: dict) -> None:
    """One email per language among the recipients (each one's profile, else the site's): `subject()`
    and the template are rendered in it (lazy words in `context` too)."""
    if not to:
        return
    for language, addresses in emails_by_language(to).items():
        with translation.override(language):
            body = render_to_string(template, context | {"site": settings.SITE_URL})
            send_mail(" ".join(str(subject()).split()), body, None, addresses)


def notify_department(concern: Concern, *, what: StrOrPromise) -> None:
    """Tell the department's head and delegates that a concern came in or moved: never the raiser's
    identity (an anonymous concern has none to tell) and never its text (it stays in the portal)."""
    people = acting_people(concern.department)
    _email(
        to=[person.email for person in people],
        template="concerns/email_department.txt",
        subject=lambda: _("Concern for %(name)s: %(what)s") % {"name": concern.department.name, "what": what},
        context={"concern": concern, "what": what, "link": settings.SITE_URL + concern.get_absolute_url()},
    )


def notify_raiser(concern: Concern, *, what: StrOrPromise) -> None:
    """Email a named raiser. An anonymous raiser is never emailed: they come back with their code."""
    if concern.anonymous or concern.raised_by is None or not concern.raised_by.active:
        return
    _email(
        to=[concern.raised_by.email],
        template="concerns/email_raiser.txt",
        subject=lambda: _("Your concern “%(subject)s”: %(what)s") % {"subject": concern.subject, "what": what},
        context={"concern": concern, "what": what, "link": settings.SITE_URL + concern.get_absolute_url()},
    )


# ---------------------------------------------------------------- raising


@dataclass(frozen=True)
class Raised:
    concern: Concern | None  # a named concern, written at once
    code: str | None  # an anonymous concern's receipt code, to show once
    department_shared: bool = False  # an anonymous raiser's department goes with it


@transaction.atomic
def concern_raise(
    *,
    employee: Employee,
    department: Department,
    parameter: ServiceParameter | None,
    subject: str,
    description: str,
    anonymous: bool,
    share_department: bool = False,
) -> Raised:
    """Raise a concern. Named: written now, and the department is told. Anonymous: sealed into a
    Deposit with a new receipt code (its hash inside), released with the day's others
    (anonymous_release); nothing else is written, and nothing names the employee."""
    on = today()
    if not anonymous:
        concern = Concern.objects.create(
            department=department,
            parameter=parameter,
            subject=subject,
            description=description,
            anonymous=False,
            raised_by=employee,
            raiser_department=employee.department,
            raised_on=on,
            **_clocks(on),
        )
        transaction.on_commit(lambda: notify_department(concern, what=gettext_lazy("a new concern")))
        return Raised(concern, None)
    code = receipts.new_code()
    share = share_department and department_can_be_shared(employee.department, department)
    deposit(
        {
            "kind": "raise",
            "receipt": receipts.receipt_hash(code),
            "department": department.pk,
            "parameter": parameter.pk if parameter else None,
            "subject": subject,
            "description": description,
            "raiser_department": employee.department_id if share else None,
        }
    )
    return Raised(None, code, share)


def deposit(payload: dict) -> None:
    """Seal one anonymous write for the next release. The time goes inside the seal, to keep a
    raiser's own writes about their concern in order; what is released keeps a date only."""
    now = now_here()
    plain = json.dumps(
        payload | {"on": now.date().isoformat(), "at": now.isoformat()}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    Deposit.objects.create(sealed=seal_bytes(plain, DEPOSIT_SIZE))
    if settings.CONCERNS_RELEASE_AT_ONCE:
        from .tasks import anonymous_release_task

        enqueue_on_commit(anonymous_release_task)


def _opened(deposits) -> list[tuple[Deposit, dict]]:
    opened = []
    for held in deposits:
        try:
            opened.append((held, json.loads(open_bytes(held.sealed))))
        except (UnreadableSeal, ValueError):
            logger.error("deposit %s could not be opened (SURVEY_ENCRYPTION_KEYS lacks its key)", held.pk)
    return opened


def waiting_for(code: str) -> list[dict]:
    """What the holder of `code` wrote that waits for the release (to show them it is on its way)."""
    wanted = receipts.receipt_hash(code)
    return [payload for _, payload in _opened(Deposit.objects.iterator()) if payload.get("receipt") == wanted]


def batch_day(now: datetime | None = None) -> date:
    """The date every item of a release carries: the day the release closes (the day before the
    release hour, CONCERNS_RELEASE_HOUR), or today where each is released at once."""
    now = now or now_here()
    if settings.CONCERNS_RELEASE_AT_ONCE:
        return now.date()
    return (now - timedelta(hours=settings.CONCERNS_RELEASE_HOUR, minutes=1)).date()


def anonymous_release(now: datetime | None = None) -> int:
    """Write everything anonymous raisers deposited, in one transaction and in random order: the
    concerns first, then each raiser's messages, reopenings and ratings (a raiser's in the order they
    wrote them, the raisers in random order). Every item carries the batch's day (`batch_day`), or
    its own if older (a missed release): nothing tells the hour, or who wrote before whom. The
    department hears after the commit, once per concern, in random order. Deposits are deleted as
    they are written; an invalid one (a reopening of a concern reopened already) is dropped.
    Idempotent: a second run finds nothing. Returns how many were written. Runs daily (beat,
    CONCERNS_RELEASE_HOUR), or at once with debug on."""
    day = batch_day(now)
    shuffle = secrets.SystemRandom().shuffle
    with transaction.atomic():
        opened = _opened(Deposit.objects.select_for_update())
        if not opened:
            return 0
        for _, payload in opened:
            payload["on"] = min(date.fromisoformat(payload["on"]), day)
        raises = [payload for _, payload in opened if payload["kind"] == "raise"]
        shuffle(raises)
        follow_ups: dict[str, list[dict]] = {}
        for _, payload in opened:
            if payload["kind"] != "raise":
                follow_ups.setdefault(payload["receipt"], []).append(payload)
        raisers = list(follow_ups.values())
        shuffle(raisers)
        told: dict[Concern, StrOrPromise] = {}
        for payload in raises:
            concern = _release_raise(payload)
            if concern is not None:
                told[concern] = "a new concern"
        for writes in raisers:
            for payload in sorted(writes, key=lambda p: datetime.fromisoformat(p["at"])):
                concern, what = _release_follow_up(payload)
                if concern is not None and concern not in told:
                    told[concern] = what
        Deposit.objects.filter(pk__in=[deposit.pk for deposit, _ in opened]).delete()
        emails = list(told.items())
        shuffle(emails)
        transaction.on_commit(partial(_notify_all, emails))
        return len(opened)


def _notify_all(emails: list[tuple[Concern, StrOrPromise]]) -> None:
    for concern, what in emails:
        notify_department(concern, what=what)


def _release_raise(payload: dict) -> Concern | None:
    department = Department.objects.filter(pk=payload["department"]).first()
    if department is None:
        return None
    on = payload["on"]
    parameter = ServiceParameter.objects.filter(pk=payload["parameter"], department=department).first()
    raiser_department = Department.objects.filter(pk=payload["raiser_department"]).first()
    return Concern.objects.create(
        department=department,
        parameter=parameter,
        subject=payload["subject"],
        description=payload["description"],
        anonymous=True,
        raiser_department=raiser_department,
        receipt_hash=payload["receipt"],
        raised_on=on,
        **_clocks(on),
    )


def _release_follow_up(payload: dict) -> tuple[Concern | None, StrOrPromise]:
    """Apply one message, reopening or rating; (its concern, what to tell the department) or (None, "")."""
    concern = Concern.objects.select_for_update().filter(receipt_hash=payload["receipt"]).first()
    if concern is None:
        return None, ""
    on = payload["on"]
    try:
        if payload["kind"] == "message":
            _add_message(concern, text=payload["text"], from_department=False, author=None, on=on, at=None)
            return concern, gettext_lazy("a new message from the raiser")
        if payload["kind"] == "reopen":
            _reopen(concern, reason=payload["reason"], on=on)
            return concern, gettext_lazy("reopened by the raiser")
        if payload["kind"] == "rate":
            _rate(concern, payload["rating"])
    except ConcernError:
        pass
    return None, ""


# ---------------------------------------------------------------- the conversation


def _add_message(
    concern: Concern, *, text: str, from_department: bool, author: Employee | None, on: date, at: datetime | None
) -> ConcernMessage:
    last = concern.messages.order_by("-number").values_list("number", flat=True).first() or 0
    return ConcernMessage.objects.create(
        concern=concern,
        number=last + 1,
        from_department=from_department,
        author=author,
        written_on=on,
        written_at=at,
        text=text,
    )


def _locked(concern: Concern) -> Concern:
    return (
        Concern.objects.select_for_update(of=("self",))  # lock the concern alone: its joins may be empty
        .select_related("department__head__user", "raised_by__user")
        .get(pk=concern.pk)
    )


@transaction.atomic
def department_message(*, concern: Concern, author: Employee, text: str) -> None:
    """The department writes to the raiser. It acknowledges the concern if nobody had."""
    concern = _locked(concern)
    now = timezone.now()
    if concern.status == Concern.Status.OPEN:
        _acknowledge(concern, now)
    _add_message(concern, text=text, from_department=True, author=author, on=today(), at=now)
    transaction.on_commit(lambda: notify_raiser(concern, what=gettext_lazy("a message from the department")))


@transaction.atomic
def raiser_message(*, concern: Concern, text: str) -> None:
    """A named raiser writes to the department (an anonymous one deposits, see raiser_write)."""
    concern = _locked(concern)
    if concern.status == Concern.Status.WITH_HR:
        raise ConcernError(_("HR is finding the right department for this concern: write again once it has one."))
    now = timezone.now()
    _add_message(concern, text=text, from_department=False, author=concern.raised_by, on=today(), at=now)
    transaction.on_commit(lambda: notify_department(concern, what=gettext_lazy("a new message from the raiser")))


def _acknowledge(concern: Concern, now: datetime) -> None:
    concern.status = Concern.Status.ACKNOWLEDGED
    concern.acknowledged_at = now
    concern.acknowledged_in_time = now <= concern.acknowledge_by
    concern.save(update_fields=["status", "acknowledged_at", "acknowledged_in_time"])


@transaction.atomic
def concern_acknowledge(*, concern: Concern) -> None:
    concern = _locked(concern)
    if concern.status != Concern.Status.OPEN:
        raise ConcernError(_("This concern was acknowledged already."))
    _acknowledge(concern, timezone.now())
    transaction.on_commit(lambda: notify_raiser(concern, what=gettext_lazy("acknowledged")))


@transaction.atomic
def concern_answer(*, concern: Concern, author: Employee, text: str) -> None:
    """Close the concern with a written answer (also a message of the conversation)."""
    concern = _locked(concern)
    if not concern.is_waiting:
        raise ConcernError(_("This concern is not waiting for an answer."))
    now = timezone.now()
    if concern.status == Concern.Status.OPEN:
        _acknowledge(concern, now)
    start = concern.reopened_on or concern.raised_on
    concern.status = Concern.Status.ANSWERED
    concern.answer = text
    concern.answered_at = now
    if concern.answered_in_time is None or concern.reopened_on is not None:
        concern.answered_in_time = now <= concern.answer_by
    if concern.answer_working_days is None:
        elapsed = workdays.working_days_between(start, now, closures_from(start))
        concern.answer_working_days = Decimal(str(round(elapsed, 2)))
    concern.save(update_fields=["status", "answer", "answered_at", "answered_in_time", "answer_working_days"])
    _add_message(concern, text=text, from_department=True, author=author, on=today(), at=now)
    transaction.on_commit(lambda: notify_raiser(concern, what=gettext_lazy("answered")))


def _reopen(concern: Concern, *, reason: str, on: date) -> None:
    if not concern.can_reopen:
        raise ConcernError(_("A concern can be reopened once, after it is answered."))
    concern.status = Concern.Status.REOPENED
    concern.reopened_on, concern.reopen_reason = on, reason
    concern.answer_by = _clocks(on)["answer_by"]  # the acknowledgement clock stays as it was
    concern.clock_round = F("clock_round") + 1
    concern.save(update_fields=["status", "reopened_on", "reopen_reason", "answer_by", "clock_round"])
    concern.refresh_from_db(fields=["clock_round"])


def _rate(concern: Concern, rating: str) -> None:
    if concern.status != Concern.Status.ANSWERED:
        raise ConcernError(_("An answer can be rated once it is given."))
    concern.rating = rating
    concern.save(update_fields=["rating"])


@transaction.atomic
def concern_reopen(*, concern: Concern, reason: str) -> None:
    """A named raiser reopens their answered concern, once, saying why: the answer clock restarts."""
    concern = _locked(concern)
    _reopen(concern, reason=reason, on=today())
    transaction.on_commit(lambda: notify_department(concern, what=gettext_lazy("reopened by the raiser")))


@transaction.atomic
def concern_rate(*, concern: Concern, rating: str) -> None:
    concern = _locked(concern)
    _rate(concern, rating)


def raiser_write(*, code: str, kind: str, **fields) -> None:
    """An anonymous raiser's message, reopening or rating: deposited like the concern, released with
    the day's others. Checked now against the concern's state, and again at the release."""
    deposit({"kind": kind, "receipt": receipts.receipt_hash(code), **fields})


# ---------------------------------------------------------------- the department's and HR's moves


@transaction.atomic
def concern_not_ours(*, concern: Concern, reason: str) -> None:
    """The department says the concern is not about it: back to HR, who reassigns it."""
    concern = _locked(concern)
    if not concern.is_waiting:
        raise ConcernError(_("Only a concern waiting for an answer can be sent back to HR."))
    concern.status = Concern.Status.WITH_HR
    concern.not_ours_reason = reason
    concern.save(update_fields=["status", "not_ours_reason"])


@transaction.atomic
def concern_reassign(*, concern: Concern, department: Department) -> None:
    """HR gives the concern to a department (another, or the same after a second look): the clocks
    restart from today, and its parameter is dropped if it belongs to the old department."""
    concern = _locked(concern)
    if concern.status == Concern.Status.ANSWERED:
        raise ConcernError(_("An answered concern stays with the department that answered it."))
    concern.department = department
    if concern.parameter is not None and concern.parameter.department_id != department.pk:
        concern.parameter = None
    concern.status = Concern.Status.OPEN
    concern.acknowledged_at = concern.acknowledged_in_time = None
    for name, moment in _clocks(today()).items():
        setattr(concern, name, moment)
    concern.clock_round = F("clock_round") + 1
    concern.save()
    concern.refresh_from_db()
    transaction.on_commit(
        lambda: notify_department(concern, what=gettext_lazy("a concern HR gave to your department"))
    )


@transaction.atomic
def concern_hide(*, concern: Concern, by, reason: str) -> None:
    """HR hides the text of an abusive concern: kept, with who hid it and why, and shown to nobody else."""
    concern = _locked(concern)
    concern.hidden_at, concern.hidden_by, concern.hidden_reason = timezone.now(), by, reason
    concern.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])


@transaction.atomic
def concern_unhide(*, concern: Concern) -> None:
    Concern.objects.filter(pk=concern.pk).update(hidden_at=None, hidden_by=None, hidden_reason="")


@transaction.atomic
def concern_to_action(*, concern: Concern, author: Employee) -> ActionItem:
    """Turn the concern into an action item of its department, keeping the link both ways."""
    concern = _locked(concern)
    if concern.action_item_id is not None:
        raise ConcernError(_("This concern already has an action item."))
    if concern.is_hidden:
        raise ConcernError(_("HR hid this concern's text: it cannot become an action item."))
    times = ResponseTimes.current()
    # Done items are public ("you said, we did"): the raiser's own words and date stay in the concern.
    about = concern.parameter.name if concern.parameter is not None else concern.department.name
    item = action_create(
        department=concern.department,
        author=author,
        title=(_("Follow-up of a concern about %(about)s") % {"about": about})[:200],
        change=_("Made from a concern. Say here what will change, in words anyone may read."),
        parameters=[concern.parameter] if concern.parameter is not None else [],
        owners=[author],
        due_on=workdays.add_working_days(today(), times.answer_days * 3, closures_from(today())),
    )
    concern.action_item = item
    concern.save(update_fields=["action_item"])
    return item


@transaction.atomic
def response_times_save(*, acknowledge_days: int, answer_days: int) -> ResponseTimes:
    times = ResponseTimes.current()
    times.acknowledge_days, times.answer_days = acknowledge_days, answer_days
    times.save()
    return times
