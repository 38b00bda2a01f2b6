"""The release: submitted answers leave their invitations for Response and Answer, per (department
rated, rating department) pair, never fewer than the cycle's score threshold (k) at a time.

Why a copy of the database, read to its transaction ids, dead row versions and row order, still
ties no response to fewer people than its group:
- A submission stamps its transaction id (xmin) on the invitation it completes, with the answers
  sealed on it. A release writes responses and clears those answers in one transaction, so a
  reader of the dead row versions can tell which release took a person's answers: every release
  takes more than RELEASE_BATCH × k of one pair (and keeps k back), and closing takes what is
  left: at least k, or every response of a pair that never had a release.
- The same transaction re-stamps every completed invitation of the pair, released or kept back
  (one UPDATE), so the live invitation rows all carry the last release's id, whoever answered when.
- Responses are inserted in random order with random UUIDs: their physical order (ctid) and ids
  follow no submission. No sequence is drawn per response, nothing is timestamped, and the
  application logs neither answers nor who submitted what (survey_portal/logs.py).
- pg_stat counters count rows per table, not per person. PostgreSQL's own logs must not carry
  statement text (docker-compose.yml turns it off): psycopg2 inlines the values.
"""

from __future__ import annotations

import hashlib
import logging
import random
from typing import Any

from celery.exceptions import Retry
from django.db import DatabaseError, OperationalError, connection, models, transaction
from django.db.models import Case, F, Value, When

from survey_portal.celery import enqueue_on_commit

from ..models import Answer, Cycle, Invitation, Response, questions_of
from ..sealing import Answers, UnreadableSeal, unseal

logger = logging.getLogger(__name__)
_shuffle = random.SystemRandom().shuffle


# A release takes at least RELEASE_BATCH × k answers of a pair at once, and keeps k back (k: the
# cycle's score threshold): the larger each group, and the less work per submission.
RELEASE_BATCH = 3
# PostgreSQL's "lock not available": another release holds the pair's rows.
_LOCK_NOT_AVAILABLE = "55P03"


def release_due(*, waiting: int, score_threshold: int) -> bool:
    """Whether the submission that left `waiting` answers waiting in its pair asks for a release:
    once (RELEASE_BATCH + 1) × k wait, and again at each further k if a release was lost (so
    that a burst of submissions seeing the same count does not ask dozens of times)."""
    return waiting >= (RELEASE_BATCH + 1) * score_threshold and waiting % score_threshold == 0


def release_if_due(
    *, cycle_id: int, score_threshold: int, department_id: int, rater_department_id: int, waiting: int
) -> bool:
    """After a submission that left `waiting` answers waiting in its pair: when due (release_due),
    hand their release to a worker (at once, in-process, where tasks run eagerly), so that the
    submission does not wait for it. If the task cannot be queued, a later submission of the pair
    asks again, and closing releases everything in any case."""
    if not release_due(waiting=waiting, score_threshold=score_threshold):
        return False
    from ..tasks import responses_release_task

    try:
        enqueue_on_commit(responses_release_task, cycle_id, department_id, rater_department_id)
    except (DatabaseError, Retry):
        # Tasks run in-process and this one failed (the database went away): the answers stay
        # sealed and waiting, and the submission, already stored, is not undone by it.
        logger.warning("cycle %s: a release failed and waits for the next submission or closing", cycle_id)
        return False
    return True


def responses_release(*, cycle_id: int, department_id: int, rater_department_id: int, final: bool = False) -> int:
    """Release one pair's waiting answers. Atomic; returns how many were released.

    It locks every completed invitation of the pair first (it rewrites them all): not `final`, it
    gives up at once if another release holds any of them; `final` (closing), it waits for it.
    Two releases of one pair never interleave.

    Not `final`: only when more than RELEASE_BATCH × k wait, all but k of them. The k that stay are
    chosen by a hash of their sealed answers: at random, yet the same on a retry of the same rows,
    so that a release that failed halfway (its rows left behind as dead versions) and its retry do
    not together narrow anyone down. `final` (closing): all of them.

    All or nothing per pair: if any of them cannot be unsealed (SURVEY_ENCRYPTION_KEYS lacks its
    key) none leaves, so the ones that could never leave later on their own.
    """
    try:
        return _release_pair(cycle_id, department_id, rater_department_id, final)
    except OperationalError as error:
        if final or getattr(error.__cause__, "pgcode", None) != _LOCK_NOT_AVAILABLE:
            raise
        return 0  # another release of the pair is under way


@transaction.atomic
def _release_pair(cycle_id: int, department_id: int, rater_department_id: int, final: bool) -> int:
    pair = {"cycle_id": cycle_id, "department_id": department_id, "rater_department_id": rater_department_id}
    completed = Invitation.objects.filter(**pair, status=Invitation.Status.COMPLETED)
    locked = list(
        completed.select_for_update(nowait=not final, of=("self",)).values_list(
            "pk", "answers_sealed", "cycle__score_threshold", "cycle__opened_at"
        )
    )
    if not locked:
        return 0
    threshold, opened_at = locked[0][2], locked[0][3]
    rows = [(pk, sealed) for pk, sealed, *_ in locked if sealed is not None]
    rows.sort(key=lambda row: hashlib.blake2b(bytes(row[1]), digest_size=16).digest())
    if not final:
        if len(rows) <= RELEASE_BATCH * threshold:
            return 0
        rows = rows[: len(rows) - threshold]
    if not rows:
        return 0
    try:
        answers = [unseal(sealed) for _, sealed in rows]
    except UnreadableSeal:
        logger.error(
            "cycle %s: waiting answers of a pair could not be unsealed (SURVEY_ENCRYPTION_KEYS lacks their key); "
            "none of the pair was released",
            cycle_id,
        )
        return 0
    cycle = Cycle(pk=cycle_id, opened_at=opened_at)  # what the snapshot's questions are found by
    released = [pk for pk, _ in rows]
    if connection.vendor == "postgresql":
        _store_and_clear_in_one_statement(*_new_rows(cycle, department_id, rater_department_id, answers), released)
        return len(released)
    responses_store(cycle=cycle, department_id=department_id, rater_department_id=rater_department_id, answers=answers)
    # One UPDATE: the released answers are cleared, and every completed invitation of the pair is
    # re-stamped with this transaction's id.
    completed.update(
        answers_sealed=Case(
            When(pk__in=released, then=Value(None, output_field=models.BinaryField())),
            default=F("answers_sealed"),
            output_field=models.BinaryField(),
        )
    )
    return len(released)


def _store_and_clear_in_one_statement(responses: list[Response], answers: list[Answer], released: list[int]) -> None:
    """responses_store's rows and the re-stamping UPDATE above, as one statement (PostgreSQL's
    data-modifying CTEs): a release is then three round trips (lock and read, this, commit), and a
    web process that runs it in-process under load waits for the database as few times as it can."""
    pair = responses[0]
    invitations, stored = Invitation._meta.db_table, Answer._meta.db_table
    sql = f"""
        WITH new_responses AS (
            INSERT INTO {Response._meta.db_table} (id, cycle_id, department_id, rater_department_id, comment_good,
                                     comment_improve, rated_count, score_sum, action_feedback)
            SELECT id, %(cycle)s, %(department)s, %(rater)s, good, improve, rated, total, feedback
            FROM unnest(%(ids)s::uuid[], %(good)s::text[], %(improve)s::text[], %(rated)s::int[], %(total)s::int[],
                        %(feedback)s::text[])
                 AS r(id, good, improve, rated, total, feedback)
        ), new_answers AS (
            INSERT INTO {stored} (id, response_id, cycle_id, parameter_id, score)
            SELECT id, response_id, %(cycle)s, parameter_id, score
            FROM unnest(%(answer_ids)s::uuid[], %(answer_responses)s::uuid[], %(parameters)s::bigint[],
                        %(scores)s::int[]) AS a(id, response_id, parameter_id, score)
        )
        UPDATE {invitations} SET answers_sealed = CASE WHEN id = ANY(%(released)s) THEN NULL ELSE answers_sealed END
        WHERE cycle_id = %(cycle)s AND department_id = %(department)s AND rater_department_id = %(rater)s
          AND status = %(completed)s
    """
    params: dict[str, Any] = {
        "cycle": pair.cycle_id,
        "department": pair.department_id,
        "rater": pair.rater_department_id,
        "ids": [str(r.pk) for r in responses],
        "good": [r.comment_good for r in responses],
        "improve": [r.comment_improve for r in responses],
        "rated": [r.rated_count for r in responses],
        "total": [r.score_sum for r in responses],
        "feedback": [r.action_feedback for r in responses],
        "answer_ids": [str(a.pk) for a in answers],
        "answer_responses": [str(a.response_id) for a in answers],
        "parameters": [a.parameter_id for a in answers],
        "scores": [a.score for a in answers],
        "released": released,
        "completed": Invitation.Status.COMPLETED,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def responses_release_all(*, cycle_id: int) -> int:
    """Closing: release every pair's waiting answers (final), a transaction each. Returns how many."""
    pairs = (
        Invitation.objects.filter(cycle_id=cycle_id, answers_sealed__isnull=False)
        .values_list("department_id", "rater_department_id")
        .distinct()
        .order_by("department_id", "rater_department_id")
    )
    return sum(
        responses_release(cycle_id=cycle_id, department_id=department, rater_department_id=rater, final=True)
        for department, rater in list(pairs)
    )


def _new_rows(
    cycle: Cycle, department_id: int, rater_department_id: int, answers: list[Answers]
) -> tuple[list[Response], list[Answer]]:
    """One pair's anonymous responses and their answers, unsaved, in random order, with random ids."""
    answers = list(answers)
    _shuffle(answers)
    question_ids = {question.code: question.pk for question in questions_of(cycle, department_id)}
    responses = [
        Response(
            cycle_id=cycle.pk,
            department_id=department_id,
            rater_department_id=rater_department_id,
            comment_good=given.comment_good,
            comment_improve=given.comment_improve,
            action_feedback=given.action_feedback,
            **Response.totals(given.scores.values()),
        )
        for given in answers
    ]
    rows = [
        Answer(response=response, cycle_id=cycle.pk, parameter_id=question_ids[code], score=score)
        for response, given in zip(responses, answers, strict=True)
        for code, score in given.scores.items()
    ]
    return responses, rows


def responses_store(*, cycle: Cycle, department_id: int, rater_department_id: int, answers: list[Answers]) -> int:
    """Write anonymous responses of one pair into Response and Answer, in random order. The only
    writer of those tables (on PostgreSQL the release writes the same rows in its one statement):
    the release and the past-results import call it. Call it in a transaction."""
    responses, rows = _new_rows(cycle, department_id, rater_department_id, answers)
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(rows, batch_size=5000)
    return len(responses)
