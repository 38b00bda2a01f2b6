"""Writes of the survey lifecycle: schedule, open, close, publish, repeat; drafts, submit, decline.

Guarantees, per service, in its docstring. State changes claim their row with a conditional UPDATE
and check the row count (healthchecks' sendalerts), so a retried task or a double click is a no-op.
"""

from __future__ import annotations

import calendar
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from departments.models import Department, Employee, ServiceParameter
from survey_portal import rawsql
from survey_portal.celery import enqueue_on_commit

from .models import (
    DRAFT_ERASED,
    Answer,
    Cycle,
    CycleParameter,
    Draft,
    Invitation,
    PendingResponse,
    Questionnaire,
    Response,
)

Status = Cycle.Status
_shuffle = random.SystemRandom().shuffle


class SurveyError(Exception):
    """A request that cannot be carried out; the message says why, in words for the person."""


# --- scope and invitations --------------------------------------------------------------------


def eligible_providers() -> list[Department]:
    """The default scope: every active department with at least one active service parameter."""
    return list(
        Department.objects.active()
        .filter(pk__in=ServiceParameter.objects.filter(active=True).values("department_id"))
        .order_by("name")
    )


def _candidates_sql(*, snapshot: bool) -> str:
    """Who is invited: active employees × the in-scope providers their department depends on.

    With `snapshot`, only providers that have questions in the cycle's snapshot (used when opening);
    without, providers with an active charter (used for the preview before the snapshot exists).
    """
    e, u, dep, d = (
        Employee._meta.db_table,
        Employee.user.field.related_model._meta.db_table,
        Department.providers.through._meta.db_table,
        Department._meta.db_table,
    )
    scope = Cycle.providers.through._meta.db_table
    if snapshot:
        has_questions = (
            f"SELECT 1 FROM {CycleParameter._meta.db_table} q WHERE q.cycle_id = %s AND q.department_id = p.id"
        )
    else:
        has_questions = f"SELECT 1 FROM {ServiceParameter._meta.db_table} q WHERE q.department_id = p.id AND q.active"
    return f"""
        SELECT e.id AS employee_id, dep.provider_id AS provider_id, e.department_id AS rater_department_id
        FROM {e} e
        JOIN {u} u ON u.id = e.user_id AND u.is_active
        JOIN {dep} dep ON dep.consumer_id = e.department_id
        JOIN {scope} s ON s.department_id = dep.provider_id AND s.cycle_id = %s
        JOIN {d} p ON p.id = dep.provider_id AND p.active
        WHERE e.active AND dep.provider_id <> e.department_id AND EXISTS ({has_questions})
    """


@dataclass
class Preview:
    total: int
    employees: int
    by_provider: list[tuple[str, int]]
    by_rater: list[tuple[str, int]]


def cycle_preview(*, cycle: Cycle) -> Preview:
    """How many invitations opening the cycle now would create, per provider and per rater department."""
    if cycle.status != Status.DRAFT and cycle.status != Status.SCHEDULED:
        raise SurveyError("Only a cycle that has not opened has a preview.")
    sql = _candidates_sql(snapshot=False)
    names = dict(Department.objects.values_list("id", "name"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT provider_id, COUNT(*) FROM ({sql}) c GROUP BY provider_id", [cycle.pk])
        by_provider = sorted(((names[pk], n) for pk, n in cursor.fetchall()), key=lambda row: (-row[1], row[0]))
        cursor.execute(f"SELECT rater_department_id, COUNT(*) FROM ({sql}) c GROUP BY rater_department_id", [cycle.pk])
        by_rater = sorted(((names[pk], n) for pk, n in cursor.fetchall()), key=lambda row: (-row[1], row[0]))
        cursor.execute(f"SELECT COUNT(DISTINCT employee_id) FROM ({sql}) c", [cycle.pk])
        employees = cursor.fetchone()[0]
    return Preview(sum(n for _, n in by_provider), employees, by_provider, by_rater)


def invitations_create(*, cycle: Cycle) -> int:
    """Invite everyone who should be invited and is not yet. One INSERT … SELECT; idempotent.

    Used when the cycle opens and, later, by HR to add people who joined during the cycle. The unique
    constraint (cycle, employee, provider) with ON CONFLICT DO NOTHING makes a rerun create nothing.
    """
    table = Invitation._meta.db_table
    sql = f"""
        INSERT INTO {table} (cycle_id, employee_id, provider_id, rater_department_id, status)
        SELECT %s, c.employee_id, c.provider_id, c.rater_department_id, %s
        FROM ({_candidates_sql(snapshot=True)}) c
        WHERE true -- SQLite needs a WHERE here, or it reads ON CONFLICT as a join condition
        ON CONFLICT (cycle_id, employee_id, provider_id) DO NOTHING
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle.pk, Invitation.Status.PENDING, cycle.pk, cycle.pk])
        return cursor.rowcount


def cycle_snapshot(*, cycle: Cycle) -> int:
    """Copy the active charter of every in-scope department into the cycle. Idempotent."""
    existing = set(CycleParameter.objects.filter(cycle=cycle).values_list("department_id", "code"))
    parameters = [
        p
        for p in ServiceParameter.objects.filter(active=True, department__in=cycle.providers.all())
        if (p.department_id, p.code) not in existing
    ]
    created = CycleParameter.objects.bulk_create(
        [
            CycleParameter(
                cycle=cycle,
                department_id=p.department_id,
                code=p.code,
                name=p.name,
                description=p.description,
                target=p.target,
                weight=p.weight,
                position=p.position,
            )
            for p in parameters
        ],
        ignore_conflicts=True,
    )
    return len(created)


# --- lifecycle --------------------------------------------------------------------------------


@transaction.atomic
def cycle_schedule(*, cycle: Cycle) -> Cycle:
    """Launch a draft: it opens by itself at `opens_at` (or now, if that time has passed)."""
    if not Cycle.objects.filter(pk=cycle.pk, status=Status.DRAFT).update(status=Status.SCHEDULED):
        raise SurveyError("Only a draft cycle can be launched.")
    cycle.refresh_from_db()
    if cycle.opens_at <= timezone.now():
        cycle_open(cycle_id=cycle.pk)
        cycle.refresh_from_db()
    return cycle


@transaction.atomic
def cycle_open(*, cycle_id: int) -> int | None:
    """Open a draft or scheduled cycle: snapshot the charters, create the invitations, then email them.

    Atomic and idempotent: a second call (double click, retried task) finds the cycle open already and
    returns None. Opening by hand before `opens_at` moves `opens_at` to now. Returns invitations created.
    """
    now = timezone.now()
    claimed = Cycle.objects.filter(pk=cycle_id, status__in=[Status.DRAFT, Status.SCHEDULED]).update(
        status=Status.OPEN, opened_at=now
    )
    if not claimed:
        return None
    cycle = Cycle.objects.get(pk=cycle_id)
    if cycle.opens_at > now:
        cycle.opens_at = now
        cycle.save(update_fields=["opens_at"])
    cycle_snapshot(cycle=cycle)
    created = invitations_create(cycle=cycle)

    from .tasks import invitations_send_task

    enqueue_on_commit(invitations_send_task, cycle_id)
    return created


@transaction.atomic
def cycle_close(*, cycle_id: int) -> bool:
    """Close an open cycle: no more answers; every waiting response is released; a notice goes out.

    Idempotent: returns False when the cycle was not open. Closing before `closes_at` moves it to now.
    """
    now = timezone.now()
    if not Cycle.objects.filter(pk=cycle_id, status=Status.OPEN).update(status=Status.CLOSED, closed_at=now):
        return False
    Cycle.objects.filter(pk=cycle_id, closes_at__gt=now).update(closes_at=now)
    responses_release(cycle_id=cycle_id, force=True)

    from scorecards.tasks import cycle_aggregate_task

    from .tasks import closing_notice_send_task

    enqueue_on_commit(cycle_aggregate_task, cycle_id)
    enqueue_on_commit(closing_notice_send_task, cycle_id)
    return True


def cycle_publish(*, cycle: Cycle) -> None:
    """Publish a closed cycle's scorecards to every employee."""
    if not Cycle.objects.filter(pk=cycle.pk, status=Status.CLOSED).update(
        status=Status.PUBLISHED, published_at=timezone.now()
    ):
        raise SurveyError("Only a closed cycle can be published.")
    cycle.refresh_from_db()


PERIODS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}


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
    new.providers.set(cycle.providers.filter(active=True))
    return new


def cycles_advance(*, now: datetime | None = None) -> dict[str, int]:
    """Open the cycles due to open, close those due to close, release leftovers. Safe to run any time."""
    now = now or timezone.now()
    opened = sum(
        cycle_open(cycle_id=pk) is not None for pk in Cycle.objects.due_to_open(now).values_list("pk", flat=True)
    )
    closed = sum(cycle_close(cycle_id=pk) for pk in Cycle.objects.due_to_close(now).values_list("pk", flat=True))
    # A submit that raced a close may have left a response waiting: release it now.
    released = sum(
        responses_release(cycle_id=pk, force=True)
        for pk in PendingResponse.objects.filter(cycle__status__in=[Status.CLOSED, Status.PUBLISHED])
        .values_list("cycle_id", flat=True)
        .distinct()
    )
    return {"opened": opened, "closed": closed, "released": released}


# --- answering --------------------------------------------------------------------------------


def check_cycle_answerable(cycle: Cycle) -> None:
    """Raise SurveyError, saying why, unless the cycle accepts answers now."""
    if cycle.status in (Status.DRAFT, Status.SCHEDULED):
        raise SurveyError(f"This survey opens on {timezone.localtime(cycle.opens_at):%d %B %Y}.")
    if cycle.status != Status.OPEN or cycle.closes_at <= timezone.now():
        raise SurveyError("This survey has closed: answers are no longer accepted.")


def _check_answerable(invitation: Invitation) -> None:
    check_cycle_answerable(invitation.cycle)
    if invitation.status == Invitation.Status.COMPLETED:
        raise SurveyError(f"You already submitted your ratings for {invitation.provider.name}. Nothing was changed.")
    if invitation.status == Invitation.Status.DECLINED:
        raise SurveyError(f"You said you had no interaction with {invitation.provider.name}. Nothing was changed.")


def _validate_scores(questions: Iterable[CycleParameter], scores: dict[str, int | None], *, complete: bool) -> dict:
    codes = {q.code for q in questions}
    unknown = set(scores) - codes
    if unknown:
        raise SurveyError(f"{', '.join(sorted(unknown))} is not a question of this survey.")
    for code, score in scores.items():
        if score is not None and (not isinstance(score, int) or not 1 <= score <= 5):
            raise SurveyError(f"Scores go from 1 to 5 (got {score!r} for {code}).")
    if complete and set(scores) != codes:
        raise SurveyError("Answer every question (a score, or “Not applicable”) before submitting.")
    return {code: scores[code] for code in sorted(scores)}


def draft_save(
    *, invitation: Invitation, scores: dict[str, int | None], comment_good: str, comment_improve: str
) -> Draft:
    """Keep unfinished answers for the employee. Any subset of questions may be answered.

    One conditional UPDATE of the invitation's row: it writes the draft only while the invitation is
    pending, so a draft can never be saved onto a survey already submitted or declined.
    """
    _check_answerable(invitation)
    scores = _validate_scores(invitation.questions, scores, complete=False)
    draft = Draft(scores, comment_good, comment_improve, timezone.now())
    saved = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        draft_scores=draft.scores,
        draft_comment_good=draft.comment_good,
        draft_comment_improve=draft.comment_improve,
        draft_saved_at=draft.updated_at,
    )
    if not saved:
        raise SurveyError(f"You already answered for {invitation.provider.name}. Nothing was changed.")
    return draft


def response_submit(
    *, invitation: Invitation, scores: dict[str, int | None], comment_good: str = "", comment_improve: str = ""
) -> None:
    """Turn the answers into an anonymous response, exactly once per invitation. Atomic.

    The invitation is claimed with a conditional UPDATE (pending → completed): of two concurrent
    submits, one updates a row and the other none, and is refused. In the same transaction the
    answers are stored in PendingResponse, which holds no personal reference, and the claim erases
    the draft. Once SURVEY_RELEASE_BATCH responses wait, they are released (responses_release).
    """
    _check_answerable(invitation)
    scores = _validate_scores(invitation.questions, scores, complete=True)
    if connection.vendor == "postgresql":
        waiting = _claim_and_store(
            "SELECT %(invitation)s::bigint",
            {"invitation": invitation.pk},
            invitation.cycle_id,
            scores,
            comment_good,
            comment_improve,
        )
    else:
        waiting = _store_in_a_transaction(invitation, scores, comment_good, comment_improve)
    if waiting is None:
        raise SurveyError(f"You already submitted your ratings for {invitation.provider.name}. Nothing was changed.")
    if _release_due(waiting):
        responses_release(cycle_id=invitation.cycle_id)


def response_submit_as(
    *, user, questionnaire: Questionnaire, scores: dict[str, int | None], comment_good: str, comment_improve: str
) -> bool:
    """response_submit for the common case, without loading the invitation first: on PostgreSQL,
    one statement finds `user`'s pending invitation about the questionnaire's department in the
    open cycle, claims it and stores the answers. True if it did; False if it did not or could
    not (no such invitation, already answered, cycle not open, another database): the caller then
    loads the invitation and takes response_submit, which says why or does it.

    At a deadline this is most of the site's work: a submission costs three statements (session,
    user, this) instead of four.
    """
    if connection.vendor != "postgresql":
        return False
    scores = _validate_scores(questionnaire.questions, scores, complete=True)
    invitation_sql = f"""
        SELECT i.id FROM {Invitation._meta.db_table} i
        JOIN {Cycle._meta.db_table} c ON c.id = i.cycle_id AND c.status = %(open)s AND c.closes_at > %(now)s
        WHERE i.cycle_id = %(cycle)s AND i.status = %(pending)s
          AND i.provider_id = (SELECT id FROM {Department._meta.db_table} WHERE code = %(code)s)
          AND i.provider_id = %(provider)s
          AND i.employee_id = (SELECT id FROM {Employee._meta.db_table} WHERE user_id = %(user)s AND active)
    """
    params = {
        "open": Status.OPEN,
        "now": timezone.now(),
        "cycle": questionnaire.cycle_id,
        "code": questionnaire.provider.code,
        "provider": questionnaire.provider.pk,
        "user": user.pk,
    }
    waiting = _claim_and_store(invitation_sql, params, questionnaire.cycle_id, scores, comment_good, comment_improve)
    if waiting is None:
        return False
    if _release_due(waiting):
        responses_release(cycle_id=questionnaire.cycle_id)
    return True


def _release_due(waiting: int) -> bool:
    """Whether the submission that left `waiting` responses waiting should release them.

    Not every submission past the batch size: at a deadline dozens arrive together, see the same
    count, and all but one would find the rows locked by the first, each for nothing. The one that
    makes the count a multiple of the batch does; if concurrent counts skip multiples, the backlog
    rule catches up (and closing the cycle releases whatever is left).
    """
    batch = settings.SURVEY_RELEASE_BATCH
    return waiting >= batch and (waiting % batch == 0 or waiting >= 3 * batch)


@transaction.atomic
def _store_in_a_transaction(
    invitation: Invitation, scores: dict, comment_good: str, comment_improve: str
) -> int | None:
    """Claim (erasing the draft) and store; the responses now waiting, or None if already claimed."""
    claimed = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.COMPLETED, **DRAFT_ERASED
    )
    if not claimed:
        return None
    PendingResponse.objects.create(
        cycle_id=invitation.cycle_id,
        provider_id=invitation.provider_id,
        rater_department_id=invitation.rater_department_id,
        scores=scores,
        comment_good=comment_good.strip(),
        comment_improve=comment_improve.strip(),
    )
    return PendingResponse.objects.filter(cycle_id=invitation.cycle_id).count()


def _claim_and_store(
    invitation_sql: str, params: dict, cycle_id: int, scores: dict, comment_good: str, comment_improve: str
) -> int | None:
    """_store_in_a_transaction on PostgreSQL, in one statement (one statement is one transaction),
    for the invitation `invitation_sql` selects: the responses now waiting, or None if nothing was
    claimed. One round trip instead of six (BEGIN, UPDATE, INSERT, COUNT, COMMIT): at a deadline
    this is the site's busiest write. Data-modifying CTEs are PostgreSQL's; they all see one
    snapshot, hence the + 1 for the row being inserted. The draft is erased by the claim itself (it
    is on the invitation's row): a draft saved meanwhile is either seen by the claim, which waits
    for its row, or refused because the invitation is no longer pending."""
    invitation, pending = Invitation._meta.db_table, PendingResponse._meta.db_table
    erase = ", ".join(f"{Invitation._meta.get_field(name).column} = %({name})s" for name in DRAFT_ERASED)
    sql = f"""
        WITH claimed AS (
            UPDATE {invitation} SET status = %(completed)s, {erase}
            WHERE id = ({invitation_sql}) AND status = %(pending)s
            RETURNING id, provider_id, rater_department_id
        )
        INSERT INTO {pending}
            (id, cycle_id, provider_id, rater_department_id, scores, comment_good, comment_improve)
        SELECT %(id)s, %(cycle)s, provider_id, rater_department_id, %(scores)s, %(good)s, %(improve)s FROM claimed
        RETURNING (SELECT COUNT(*) FROM {pending} WHERE cycle_id = %(cycle)s) + 1
    """
    params = (
        params
        | DRAFT_ERASED
        | {
            "completed": Invitation.Status.COMPLETED,
            "pending": Invitation.Status.PENDING,
            "id": uuid.uuid4(),
            "cycle": cycle_id,
            "scores": PendingResponse._meta.get_field("scores").get_db_prep_save(scores, connection),
            "good": comment_good.strip(),
            "improve": comment_improve.strip(),
        }
    )
    with connection.cursor() as cursor:
        rawsql.execute(cursor, sql, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


@transaction.atomic
def invitation_decline(*, invitation: Invitation) -> None:
    """Record "no interaction with this department this period": no ratings, the draft is erased."""
    _check_answerable(invitation)
    if not Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.DECLINED, **DRAFT_ERASED
    ):
        raise SurveyError("This survey was already answered. Nothing was changed.")


def responses_release(*, cycle_id: int, force: bool = False) -> int:
    """Move waiting responses into Response and Answer, in shuffled order, in batches. Atomic.

    A batch waits until it holds at least SURVEY_RELEASE_BATCH responses (or `force`, at closing), so
    the rows written together — sharing one transaction, adjacent on disk — hide each other's authors.
    Rows locked by a concurrent release are skipped. Returns the number of responses released.
    """
    minimum = 1 if force else settings.SURVEY_RELEASE_BATCH
    if connection.vendor == "postgresql":
        return _release_in_one_statement(cycle_id, minimum)
    return _release_in_python(cycle_id, minimum)


@transaction.atomic(savepoint=False)
def _release_in_python(cycle_id: int, minimum: int) -> int:
    pending = list(PendingResponse.objects.select_for_update(skip_locked=True).filter(cycle_id=cycle_id))
    if len(pending) < minimum:
        return 0
    _shuffle(pending)
    parameter_ids = {
        (department_id, code): pk
        for pk, department_id, code in CycleParameter.objects.filter(
            cycle_id=cycle_id, department_id__in={p.provider_id for p in pending}
        ).values_list("pk", "department_id", "code")
    }
    responses = [
        Response(
            cycle_id=cycle_id,
            provider_id=p.provider_id,
            rater_department_id=p.rater_department_id,
            comment_good=p.comment_good,
            comment_improve=p.comment_improve,
            **Response.totals(p.scores.values()),
        )
        for p in pending
    ]
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(
        Answer(response=response, cycle_id=cycle_id, parameter_id=parameter_ids[p.provider_id, code], score=score)
        for response, p in zip(responses, pending, strict=True)
        for code, score in p.scores.items()
    )
    PendingResponse.objects.filter(pk__in=[p.pk for p in pending]).delete()
    return len(pending)


def _release_in_one_statement(cycle_id: int, minimum: int) -> int:
    """_release_in_python on PostgreSQL, in one statement (one transaction): at a deadline one
    submission in SURVEY_RELEASE_BATCH runs it, and building its sixty rows in Python cost as much as
    the submissions themselves. Random UUIDs and ORDER BY random() do what the shuffle does there."""
    pending, response, answer = PendingResponse._meta.db_table, Response._meta.db_table, Answer._meta.db_table
    sql = f"""
        WITH locked AS (
            SELECT id FROM {pending} WHERE cycle_id = %(cycle)s FOR UPDATE SKIP LOCKED
        ), taken AS (
            DELETE FROM {pending} WHERE id IN (SELECT id FROM locked)
              AND (SELECT COUNT(*) FROM locked) >= %(minimum)s
            RETURNING provider_id, rater_department_id, scores, comment_good, comment_improve
        ), released AS MATERIALIZED (
            SELECT gen_random_uuid() AS response_id, taken.* FROM taken
        ), responses AS (
            INSERT INTO {response}
                (id, cycle_id, provider_id, rater_department_id, comment_good, comment_improve, rated_count, score_sum)
            SELECT response_id, %(cycle)s, provider_id, rater_department_id, comment_good, comment_improve,
                   (SELECT COUNT(*) FROM jsonb_each(scores) s WHERE jsonb_typeof(s.value) = 'number'),
                   (SELECT COALESCE(SUM(s.value::int), 0) FROM jsonb_each(scores) s
                     WHERE jsonb_typeof(s.value) = 'number')
            FROM released ORDER BY random()
            RETURNING id
        ), answers AS (
            INSERT INTO {answer} (id, response_id, cycle_id, parameter_id, score)
            SELECT gen_random_uuid(), r.response_id, %(cycle)s, q.id,
                   CASE WHEN jsonb_typeof(s.value) = 'number' THEN s.value::int END
            FROM released r
            CROSS JOIN LATERAL jsonb_each(r.scores) s
            JOIN {CycleParameter._meta.db_table} q
              ON q.cycle_id = %(cycle)s AND q.department_id = r.provider_id AND q.code = s.key
            ORDER BY r.response_id
        )
        SELECT COUNT(*) FROM responses
    """
    with connection.cursor() as cursor:
        rawsql.execute(cursor, sql, {"cycle": cycle_id, "minimum": minimum})
        return cursor.fetchone()[0]


# --- retention --------------------------------------------------------------------------------


def responses_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete the responses of cycles that closed more than RESPONSE_RETENTION_YEARS ago.

    Their results stay: a cycle is aggregated first if it never was, and a purged cycle is never
    aggregated again. Invitations, drafts and notifications (who was asked, who was emailed) go
    too. Each cycle is purged in its own transaction; idempotent. 0 years keeps everything.
    """
    from scorecards.services import cycle_aggregate

    years = settings.RESPONSE_RETENTION_YEARS
    if not years:
        return {"cycles": 0, "responses": 0}
    now = now or timezone.now()
    cutoff = shift_months(now, -12 * years)
    purged = responses = 0
    for cycle in (
        Cycle.objects.finished().filter(purged_at__isnull=True, closes_at__lt=cutoff).select_related("result")
    ):
        if not hasattr(cycle, "result") or cycle.result.computed_at is None:
            cycle_aggregate(cycle_id=cycle.pk)
        with transaction.atomic():
            if not Cycle.objects.filter(pk=cycle.pk, purged_at__isnull=True).update(purged_at=now):
                continue  # another run got there first
            Answer.objects.filter(cycle=cycle).delete()
            responses += Response.objects.filter(cycle=cycle).delete()[1].get(Response._meta.label, 0)
            PendingResponse.objects.filter(cycle=cycle).delete()
            cycle.notifications.all().delete()
            cycle.invitations.all().delete()
        purged += 1
    return {"cycles": purged, "responses": responses}
