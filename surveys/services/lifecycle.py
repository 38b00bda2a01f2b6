"""The survey lifecycle: schedule, open, close, publish, repeat, and the periodic step that moves
cycles along. State changes claim their row with a conditional UPDATE or a row lock and check the
result (healthchecks' sendalerts), so a retried task or a double click is a no-op. A cycle's status
moves only through these functions (the model and the database refuse any other change).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from survey_portal.celery import enqueue_on_commit

from ..models import DRAFT_ERASED, EDITABLE_STATUSES, Cycle, Invitation
from ..signals import cycle_finished, cycle_published
from .errors import SurveyError
from .invitations import action_feedback_snapshot, cycle_snapshot, invitations_create
from .release import responses_release_all

CycleStatus = Cycle.Status


@transaction.atomic
def cycle_schedule(*, cycle: Cycle) -> Cycle:
    """Launch a draft: it opens by itself at `opens_at` (or now, if that time has passed)."""
    if not Cycle.objects.filter(pk=cycle.pk, status=CycleStatus.DRAFT).update(status=CycleStatus.SCHEDULED):
        raise SurveyError(_("Only a draft cycle can be launched."))
    cycle.refresh_from_db()
    if cycle.opens_at <= timezone.now():
        cycle_open(cycle_id=cycle.pk)
        cycle.refresh_from_db()
    return cycle


@transaction.atomic
def cycle_open(*, cycle_id: int) -> int | None:
    """Open a draft or scheduled cycle: snapshot the charters (and which departments are asked the
    action-feedback question), create the invitations, then email them.

    Atomic and idempotent: a second call (double click, retried task) finds the cycle open already and
    returns None. Opening by hand before `opens_at` moves `opens_at` to now. Returns invitations created.
    """
    now = timezone.now()
    # The row lock makes a concurrent second call wait, then find the cycle open already. The
    # snapshot is taken before the status moves: the database refuses questions for an opened cycle.
    cycle = Cycle.objects.select_for_update().filter(pk=cycle_id, status__in=EDITABLE_STATUSES).first()
    if cycle is None:
        return None
    cycle_snapshot(cycle=cycle)
    action_feedback_snapshot(cycle=cycle)
    Cycle.objects.filter(pk=cycle_id).update(status=CycleStatus.OPEN, opened_at=now, opens_at=Least("opens_at", now))
    cycle.refresh_from_db()
    created = invitations_create(cycle=cycle)

    from ..tasks import invitations_send_task

    enqueue_on_commit(invitations_send_task, cycle_id)
    return created


def _writes_in_flight_finished() -> None:
    """Wait until every write to invitations that was in flight has finished: among them a
    submission or a draft that saw a cycle still open just before it closed. On PostgreSQL a SHARE
    lock on the table, taken and let go, waits for them (a statement that starts while the lock is
    requested takes its snapshot once it is granted, and sees the cycle closed). SQLite runs one
    writer at a time: nothing is in flight."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Invitation._meta.db_table} IN SHARE MODE")


def cycle_close(*, cycle_id: int) -> bool:
    """Close an open cycle: no more answers; every waiting response is released; drafts are
    erased; a notice goes out, and the results are computed (for the first time: an open cycle has
    none, see scorecards.services.cycle_aggregate).

    Idempotent: returns False when the cycle was not open. Three steps:
    1. One transaction closes it: submissions and drafts that start after it find it closed.
    2. The barrier (_writes_in_flight_finished), after which its waiting answers and drafts change
       no more; the drafts are erased.
    3. Each pair's waiting answers are released, in a transaction each. A release that fails is
       retried on the same rows by the periodic step (cycles_advance), behind the same barrier,
       and the results wait until none is left.
    Closing before `closes_at` moves it to now.
    """
    now = timezone.now()
    with transaction.atomic():
        if not list(Cycle.objects.select_for_update().filter(pk=cycle_id, status=CycleStatus.OPEN).values_list("pk")):
            return False
        Cycle.objects.filter(pk=cycle_id).update(
            status=CycleStatus.CLOSED, closed_at=now, closes_at=Least("closes_at", now)
        )
    _writes_in_flight_finished()
    Invitation.objects.filter(cycle_id=cycle_id, status=Invitation.Status.PENDING).exclude(draft_saved_at=None).update(
        **DRAFT_ERASED
    )
    responses_release_all(cycle_id=cycle_id)

    from ..tasks import closing_notice_send_task

    cycle_finished.send(sender=Cycle, cycle_id=cycle_id)
    enqueue_on_commit(closing_notice_send_task, cycle_id)
    return True


@transaction.atomic
def cycle_publish(*, cycle: Cycle) -> None:
    """Publish a closed cycle's scorecards to every employee, and tell the apps above (cycle_published,
    whose receivers enqueue their work after commit: scorecards evaluates the awards)."""
    if not Cycle.objects.filter(pk=cycle.pk, status=CycleStatus.CLOSED).update(
        status=CycleStatus.PUBLISHED, published_at=timezone.now()
    ):
        raise SurveyError(_("Only a closed cycle can be published."))
    cycle.refresh_from_db()
    cycle_published.send(sender=Cycle, cycle_id=cycle.pk)


PERIODS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}


def quarter_name(day: date) -> str:
    """The usual name of a cycle opening on `day`: "Q3 2026 internal service survey"."""
    return f"Q{(day.month - 1) // 3 + 1} {day.year} internal service survey"


def shift_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later; the 31st becomes the last day of a shorter month."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def cycle_repeat(*, cycle: Cycle, period: str, name: str) -> Cycle:
    """A new draft like `cycle` (scope, thresholds, reminders, message), shifted by `period`."""
    months = PERIODS[period]
    new = Cycle.objects.create(
        name=name,
        opens_at=shift_months(cycle.opens_at, months),
        closes_at=shift_months(cycle.closes_at, months),
        score_threshold=cycle.score_threshold,
        comment_threshold=cycle.comment_threshold,
        reminder_days_after_open=cycle.reminder_days_after_open,
        reminder_days_before_close=cycle.reminder_days_before_close,
        intro=cycle.intro,
    )
    new.departments.set(cycle.departments.filter(active=True))
    return new


def cycles_advance(*, now: datetime | None = None) -> dict[str, int]:
    """Open the cycles due to open, close those due to close, release leftovers. Safe to run any time."""
    now = now or timezone.now()
    opened = sum(
        cycle_open(cycle_id=pk) is not None for pk in Cycle.objects.due_to_open(now).values_list("pk", flat=True)
    )
    closed = sum(cycle_close(cycle_id=pk) for pk in Cycle.objects.due_to_close(now).values_list("pk", flat=True))
    # Closing releases everything and no submission follows it (see cycle_close). What a closed
    # cycle still holds failed to leave then (a key was missing, a release failed), or a close in
    # another process is between its steps: released here behind the same barrier, so that no
    # answer still in flight is left to leave later on its own; the results wait until none is left.
    leftover = list(
        Invitation.objects.filter(
            cycle__status__in=[CycleStatus.CLOSED, CycleStatus.PUBLISHED], answers_sealed__isnull=False
        )
        .values_list("cycle_id", flat=True)
        .distinct()
    )
    if leftover:
        _writes_in_flight_finished()
    released = sum(responses_release_all(cycle_id=pk) for pk in leftover)
    return {"opened": opened, "closed": closed, "released": released}
