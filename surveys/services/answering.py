"""Answering: save a draft, submit, decline. Every answer given through the survey page, its JSON
endpoint, the demo or a benchmark goes through these functions, on every database.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from departments.models import Department, Employee
from survey_portal import rawsql

from ..models import DRAFT_ERASED, ActionFeedback, Cycle, CycleParameter, Draft, Invitation, Questionnaire
from ..sealing import COMMENT_MAX_LENGTH, Answers, comment_length, seal
from .errors import SurveyError
from .release import release_if_due

CycleStatus = Cycle.Status


def check_cycle_answerable(cycle: Cycle) -> None:
    """Raise SurveyError, saying why, unless the cycle accepts answers now."""
    if cycle.is_editable:  # not opened yet
        raise SurveyError(
            _("This survey opens on %(date)s.") % {"date": date_format(timezone.localtime(cycle.opens_at), "d F Y")}
        )
    if cycle.status != CycleStatus.OPEN or cycle.closes_at <= timezone.now():
        raise SurveyError(_("This survey has closed: answers are no longer accepted."))


def _check_answerable(invitation: Invitation) -> None:
    check_cycle_answerable(invitation.cycle)
    if invitation.status == Invitation.Status.COMPLETED:
        raise SurveyError(
            _("You already submitted your ratings for %(name)s. Nothing was changed.")
            % {"name": invitation.department.name}
        )
    if invitation.status == Invitation.Status.DECLINED:
        raise SurveyError(
            _("You said you had no interaction with %(name)s. Nothing was changed.")
            % {"name": invitation.department.name}
        )


def _validate_scores(questions: Iterable[CycleParameter], scores: dict[str, int | None], *, complete: bool) -> dict:
    codes = {q.code for q in questions}
    unknown = set(scores) - codes
    if unknown:
        raise SurveyError(_("%(codes)s is not a question of this survey.") % {"codes": ", ".join(sorted(unknown))})
    for code, score in scores.items():
        if score is not None and (not isinstance(score, int) or not 1 <= score <= 5):
            raise SurveyError(
                _("Scores go from 1 to 5 (got %(score)r for %(code)s).") % {"score": score, "code": code}
            )
    if complete and set(scores) != codes:
        raise SurveyError(_("Answer every question (a score, or “Not applicable”) before submitting."))
    return {code: scores[code] for code in sorted(scores)}


def _validate_action_feedback(action_feedback: str | None, *, asked: bool) -> None:
    if action_feedback is None:
        return  # optional
    if not asked:
        raise SurveyError(_("This survey does not ask whether the department's changes made a difference."))
    if action_feedback not in ActionFeedback.values:
        raise SurveyError(
            _("%(answer)r is not an answer to whether the changes made a difference.") % {"answer": action_feedback}
        )


def _validate_comments(*comments: str) -> None:
    if any(comment_length(comment) > COMMENT_MAX_LENGTH for comment in comments):
        raise SurveyError(
            _("Each comment can be at most %(count)s characters long. Nothing was saved.")
            % {"count": COMMENT_MAX_LENGTH}
        )


def draft_save(
    *,
    invitation: Invitation,
    scores: dict[str, int | None],
    comment_good: str,
    comment_improve: str,
    action_feedback: str | None = None,
) -> Draft:
    """Keep unfinished answers for the employee, sealed. Any subset of questions may be answered
    (the action-feedback question too, where the cycle asks it).

    One conditional UPDATE of the invitation's row: it writes the draft only while the invitation is
    pending, so a draft can never be saved onto a survey already submitted or declined.
    """
    _check_answerable(invitation)
    scores = _validate_scores(invitation.questions, scores, complete=False)
    _validate_comments(comment_good, comment_improve)
    _validate_action_feedback(action_feedback, asked=invitation.asks_action_feedback)
    draft = Draft(scores, comment_good, comment_improve, timezone.now(), action_feedback)
    # The conditions on the invitation itself stay in the UPDATE's own WHERE, which PostgreSQL
    # checks again on a row a concurrent submit has just changed (a join would not be).
    open_cycle = Cycle.objects.filter(pk=invitation.cycle_id, status=CycleStatus.OPEN).values("pk")
    saved = Invitation.objects.filter(
        pk=invitation.pk, status=Invitation.Status.PENDING, cycle_id__in=open_cycle
    ).update(draft_sealed=seal(draft.answers), draft_saved_at=draft.updated_at)
    if not saved:
        current = Invitation.objects.select_related("cycle", "department").get(pk=invitation.pk)
        _check_answerable(current)  # the cycle closed meanwhile, in words
        raise SurveyError(
            _("You already answered for %(name)s. Nothing was changed.") % {"name": invitation.department.name}
        )
    return draft


def _claim(sealed: bytes, which: str, params: list, cycle_id: int) -> tuple[int, int] | None:
    """Complete the invitation `which` selects (a WHERE condition on the invitations table), erase
    its draft and store its sealed answers, in one statement (the same SQL on every database), if
    it is pending and its cycle open. Returns its rating department's id and the number of answers
    now waiting in its pair (give or take concurrent submissions), or None if nothing was claimed.

    One statement because it is the site's busiest write at a deadline: one round trip, and
    atomic without a transaction around it (the ORM cannot return values from an UPDATE). It is
    prepared once per connection (survey_portal.rawsql): planning its subqueries costs PostgreSQL
    about as much as running them. Closing waits for statements like this one in flight before it
    releases anything (lifecycle.cycle_close), so no answer is stored after the last release."""
    table, cycles = Invitation._meta.db_table, Cycle._meta.db_table
    sql = f"""
        UPDATE {table} SET status = %s, draft_sealed = NULL, draft_saved_at = NULL, answers_sealed = %s
        WHERE {which} AND status = %s
          AND cycle_id IN (SELECT id FROM {cycles} WHERE id = %s AND status = %s AND closes_at > %s)
        RETURNING rater_department_id,
          1 + (SELECT COUNT(*) FROM {table} w WHERE w.cycle_id = {table}.cycle_id
               AND w.department_id = {table}.department_id AND w.rater_department_id = {table}.rater_department_id
               AND w.answers_sealed IS NOT NULL AND w.id <> {table}.id)
    """
    params = [Invitation.Status.COMPLETED, sealed, *params, Invitation.Status.PENDING]
    params += [cycle_id, CycleStatus.OPEN, timezone.now()]
    with connection.cursor() as cursor:
        rawsql.execute(cursor, sql, params)
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])


def _sealed(
    questions: Iterable[CycleParameter],
    scores: dict,
    comment_good: str,
    comment_improve: str,
    action_feedback: str | None,
    *,
    asks_action_feedback: bool,
) -> bytes:
    scores = _validate_scores(questions, scores, complete=True)
    _validate_comments(comment_good, comment_improve)
    _validate_action_feedback(action_feedback, asked=asks_action_feedback)
    return seal(Answers(scores, comment_good.strip(), comment_improve.strip(), action_feedback))


def response_submit(
    *,
    invitation: Invitation,
    scores: dict[str, int | None],
    comment_good: str = "",
    comment_improve: str = "",
    action_feedback: str | None = None,
) -> None:
    """Turn the answers into an anonymous response, exactly once per invitation. Atomic.

    The invitation is claimed by one conditional UPDATE (pending → completed, cycle open) that
    erases its draft and stores the answers, sealed: of two concurrent submits, one updates the
    row and the other nothing, and is refused. The answers leave for the results with others of
    the same (department rated, rating department) pair (release.py), never alone.
    """
    _check_answerable(invitation)
    sealed = _sealed(
        invitation.questions,
        scores,
        comment_good,
        comment_improve,
        action_feedback,
        asks_action_feedback=invitation.asks_action_feedback,
    )
    claimed = _claim(sealed, "id = %s", [invitation.pk], invitation.cycle_id)
    if claimed is None:
        # Why not, in words: the cycle closed meanwhile, or another tab answered first.
        current = Invitation.objects.select_related("cycle", "department").get(pk=invitation.pk)
        _check_answerable(current)
        raise SurveyError(
            _("You already submitted your ratings for %(name)s. Nothing was changed.")
            % {"name": invitation.department.name}
        )
    release_if_due(
        cycle_id=invitation.cycle_id,
        score_threshold=invitation.cycle.score_threshold,
        department_id=invitation.department_id,
        rater_department_id=claimed[0],
        waiting=claimed[1],
    )


def response_submit_as(
    *,
    user,
    questionnaire: Questionnaire,
    scores: dict[str, int | None],
    comment_good: str,
    comment_improve: str,
    action_feedback: str | None = None,
) -> bool:
    """response_submit for the common case, without reading the invitation first: the same
    statement finds `user`'s pending invitation about the questionnaire's department, claims it and
    stores the answers. True if it did. False if it did not, for any reason (no such invitation,
    already answered, the cycle closed, answers refused): the caller then reads the invitation and
    calls response_submit, which says why, or does it.

    At a deadline this is most of the site's work: a submission costs one statement besides the
    session's and the user's.
    """
    try:
        sealed = _sealed(
            questionnaire.questions,
            scores,
            comment_good,
            comment_improve,
            action_feedback,
            asks_action_feedback=questionnaire.asks_action_feedback,
        )
    except SurveyError:
        return False
    department = questionnaire.department
    which = f"""cycle_id = %s AND department_id = %s
        AND department_id = (SELECT id FROM {Department._meta.db_table} WHERE code = %s)
        AND employee_id = (SELECT id FROM {Employee._meta.db_table} WHERE user_id = %s AND active)"""
    params = [questionnaire.cycle_id, department.pk, department.code, user.pk]
    claimed = _claim(sealed, which, params, questionnaire.cycle_id)
    if claimed is None:
        return False
    release_if_due(
        cycle_id=questionnaire.cycle_id,
        score_threshold=questionnaire.score_threshold,
        department_id=department.pk,
        rater_department_id=claimed[0],
        waiting=claimed[1],
    )
    return True


@transaction.atomic
def invitation_decline(*, invitation: Invitation) -> None:
    """Record "no interaction with this department this period": no ratings, the draft is erased."""
    _check_answerable(invitation)
    if not Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.DECLINED, **DRAFT_ERASED
    ):
        raise SurveyError(_("This survey was already answered. Nothing was changed."))
