"""The release: submitted answers leave their invitations for Response and Answer, per (department
rated, rating department) pair, never fewer than the cycle's score threshold (k) at a time.

Why a copy of the database, read to its transaction ids, dead row versions and row order, still
ties no response to fewer people than its group:
- A submission stamps its transaction id (xmin) on the invitation it completes, with the answers
  sealed on it. A release writes responses and clears those answers in one transaction, so a
  reader of the dead row versions can tell which release took a person's answers: every release
  takes at least k of one pair (it runs once 2k wait, and keeps k back), and closing takes what is
  left: at least k, or every response of a pair that never reached 2k.
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

from celery.exceptions import Retry
from django.db import DatabaseError, models, transaction
from django.db.models import Case, F, Value, When

from survey_portal.celery import enqueue_on_commit

from ..models import Answer, Cycle, CycleParameter, Invitation, Response
from ..sealing import Answers, UnreadableSeal, unseal

logger = logging.getLogger(__name__)
_shuffle = random.SystemRandom().shuffle


def release_if_due(*, cycle: Cycle, provider_id: int, rater_department_id: int, waiting: int) -> bool:
    """After a submission that left `waiting` answers waiting in its pair: once 2k wait, hand their
    release to a worker (at once, in-process, where tasks run eagerly), so that the submission
    does not wait for it. If the task cannot be queued, the next submission of the pair asks
    again, and closing releases everything in any case."""
    if waiting < 2 * cycle.score_threshold:
        return False
    from ..tasks import responses_release_task

    try:
        enqueue_on_commit(responses_release_task, cycle.pk, provider_id, rater_department_id)
    except (DatabaseError, Retry):
        # Tasks run in-process and this one failed (the database went away): the answers stay
        # sealed and waiting, and the submission, already stored, is not undone by it.
        logger.warning("cycle %s: a release failed and waits for the next submission or closing", cycle.pk)
        return False
    return True


@transaction.atomic
def responses_release(*, cycle_id: int, provider_id: int, rater_department_id: int, final: bool = False) -> int:
    """Release one pair's waiting answers. Atomic; returns how many were released.

    It locks every completed invitation of the pair first, in id order (it rewrites them all):
    not `final`, it gives up at once if another release holds any of them; `final` (closing), it
    waits for it. Two releases of one pair never interleave, and never deadlock.

    Not `final`: only when at least 2k wait, all but k of them. The k that stay are chosen by a
    hash of their sealed answers: at random, yet the same on a retry of the same rows, so that a
    release that failed halfway (its rows left behind as dead versions) and its retry do not
    together narrow anyone down. `final` (closing): all of them.

    All or nothing per pair: if any of them cannot be unsealed (SURVEY_ENCRYPTION_KEYS lacks its
    key) none leaves, so the ones that could never leave later on their own.
    """
    pair = {"cycle_id": cycle_id, "provider_id": provider_id, "rater_department_id": rater_department_id}
    threshold = Cycle.objects.values_list("score_threshold", flat=True).get(pk=cycle_id)
    completed = Invitation.objects.filter(**pair, status=Invitation.Status.COMPLETED)
    locked = list(
        completed.select_for_update(skip_locked=not final).order_by("pk").values_list("pk", "answers_sealed")
    )
    if not final and len(locked) < completed.count():
        return 0  # another release of the pair is under way
    rows = [(pk, sealed) for pk, sealed in locked if sealed is not None]
    rows.sort(key=lambda row: hashlib.blake2b(bytes(row[1]), digest_size=16).digest())
    if not final:
        if len(rows) < 2 * threshold:
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
    responses_store(
        cycle_id=cycle_id, provider_id=provider_id, rater_department_id=rater_department_id, answers=answers
    )
    released = [pk for pk, _ in rows]
    # One UPDATE: the released answers are cleared, and every completed invitation of the pair is
    # re-stamped with this transaction's id.
    Invitation.objects.filter(**pair, status=Invitation.Status.COMPLETED).update(
        answers_sealed=Case(
            When(pk__in=released, then=Value(None, output_field=models.BinaryField())),
            default=F("answers_sealed"),
            output_field=models.BinaryField(),
        )
    )
    return len(released)


def responses_release_all(*, cycle_id: int) -> int:
    """Closing: release every pair's waiting answers (final), a transaction each. Returns how many."""
    pairs = (
        Invitation.objects.filter(cycle_id=cycle_id, answers_sealed__isnull=False)
        .values_list("provider_id", "rater_department_id")
        .distinct()
        .order_by("provider_id", "rater_department_id")
    )
    return sum(
        responses_release(cycle_id=cycle_id, provider_id=provider, rater_department_id=rater, final=True)
        for provider, rater in list(pairs)
    )


def responses_store(*, cycle_id: int, provider_id: int, rater_department_id: int, answers: list[Answers]) -> int:
    """Write anonymous responses of one pair into Response and Answer, in random order. The only
    writer of those tables: the release and the past-results import call it. Call it in a transaction."""
    answers = list(answers)
    _shuffle(answers)
    question_ids = dict(
        CycleParameter.objects.filter(cycle_id=cycle_id, department_id=provider_id).values_list("code", "pk")
    )
    responses = Response.objects.bulk_create(
        Response(
            cycle_id=cycle_id,
            provider_id=provider_id,
            rater_department_id=rater_department_id,
            comment_good=given.comment_good,
            comment_improve=given.comment_improve,
            **Response.totals(given.scores.values()),
        )
        for given in answers
    )
    Answer.objects.bulk_create(
        (
            Answer(response=response, cycle_id=cycle_id, parameter_id=question_ids[code], score=score)
            for response, given in zip(responses, answers, strict=True)
            for code, score in given.scores.items()
        ),
        batch_size=5000,
    )
    return len(responses)
