"""Survey cycles, invitations, drafts and anonymous responses.

Anonymity by construction, against a copy of the database too (README, "Anonymity"):
- Response and Answer hold the cycle, the department rated, the rating department and the answers,
  and nothing that identifies a person: no user, employee or invitation reference, no timestamp, a
  random (UUID) identifier.
- What waits is sealed (surveys/sealing.py), on the person's own invitation: a draft, and the
  submitted answers until they are released, both encrypted with a key the database does not hold.
- Submitted answers are released into Response per (department rated, rating department) pair,
  at least the cycle's score threshold at a time, in random order, and the release re-stamps every
  completed invitation of the pair (services/release.py): no transaction id, row order or time
  ties a response to fewer people than that group.
- A cycle's thresholds, scope and questions are frozen once it opens: the model refuses a change,
  and so does the database (migration 0005's triggers).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, cached_property
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department, Employee
from survey_portal import rawsql

from .sealing import Answers, UnreadableSeal, unseal

logger = logging.getLogger(__name__)

SCORE_CHOICES = [(1, _("Very poor")), (2, _("Poor")), (3, _("Acceptable")), (4, _("Good")), (5, _("Excellent"))]
MIN_SCORE_THRESHOLD = 3


class ActionFeedback(models.TextChoices):
    """The answers to the action-feedback question ("Did the changes … make a difference for you?")."""

    YES = "yes", _("Yes")
    SOMEWHAT = "somewhat", _("Somewhat")
    NO = "no", _("No")
    UNNOTICED = "unnoticed", _("Didn’t notice")


class CycleQuerySet(models.QuerySet):
    def open(self) -> CycleQuerySet:
        return self.filter(status=Cycle.Status.OPEN)

    def due_to_open(self, now=None) -> CycleQuerySet:
        return self.filter(status=Cycle.Status.SCHEDULED, opens_at__lte=now or timezone.now())

    def due_to_close(self, now=None) -> CycleQuerySet:
        return self.filter(status=Cycle.Status.OPEN, closes_at__lte=now or timezone.now())

    def finished(self) -> CycleQuerySet:
        return self.filter(status__in=[Cycle.Status.CLOSED, Cycle.Status.PUBLISHED])


class FrozenCycleError(Exception):
    """A change to what a cycle fixed when it opened (thresholds, scope, questions, status)."""


# What a cycle fixes when it opens: changed only while it is a draft or scheduled.
FROZEN_FIELDS = ("score_threshold", "comment_threshold")
EDITABLE_STATUSES = ("draft", "scheduled")


class Cycle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")

    name = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    departments = models.ManyToManyField(
        Department,
        related_name="cycles",
        verbose_name=_("departments rated"),
        help_text=_("The departments employees rate in this cycle."),
    )
    score_threshold = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(MIN_SCORE_THRESHOLD)],
        help_text=_("Responses needed before any score is shown (at least 3)."),
    )
    comment_threshold = models.PositiveSmallIntegerField(
        default=10, help_text=_("Responses needed before comments are shown (at least the score threshold).")
    )
    reminder_days_after_open = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=3,
        help_text=_("Remind people who have not finished this many days after opening."),
    )
    reminder_days_before_close = models.PositiveSmallIntegerField(
        null=True, blank=True, default=2, help_text=_("…and this many days before closing. Empty: no reminder.")
    )
    intro = models.TextField(
        blank=True, verbose_name=_("message to employees"), help_text=_("Shown at the top of every survey page.")
    )
    imported = models.BooleanField(default=False, help_text=_("Holds past results imported from CSV."))
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When its responses were deleted under the retention policy (results kept)."),
    )

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="cycle_closes_after_opening"),
            models.CheckConstraint(
                condition=Q(score_threshold__gte=MIN_SCORE_THRESHOLD), name="cycle_score_threshold_at_least_3"
            ),
            models.CheckConstraint(
                condition=Q(comment_threshold__gte=models.F("score_threshold")),
                name="cycle_comment_threshold_at_least_score_threshold",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Refuse to change the status (only the lifecycle services move it, with conditional
        UPDATEs) or, once the cycle has opened, its thresholds. The database refuses too; this
        says it in words (HR edits a cycle rarely: the stored row is read again to compare)."""
        if self.pk is not None:
            stored = Cycle.objects.filter(pk=self.pk).values("status", *FROZEN_FIELDS).first()
            if stored is not None:
                if self.status != stored["status"]:
                    raise FrozenCycleError("A cycle's status changes only by opening, closing or publishing it.")
                if stored["status"] not in EDITABLE_STATUSES and any(
                    getattr(self, name) != stored[name] for name in FROZEN_FIELDS
                ):
                    raise FrozenCycleError("A cycle's thresholds are fixed once it has opened.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("surveys:cycle_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.CLOSED, self.Status.PUBLISHED)

    @property
    def days_left(self) -> int:
        return max(0, (self.closes_at - timezone.now()).days)

    def reminder_times(self) -> dict[str, datetime]:
        """The scheduled reminders of this cycle: kind -> when it is due."""
        times = {}
        opened = self.opened_at or self.opens_at
        if self.reminder_days_after_open is not None:
            times["reminder-after-open"] = opened + timedelta(days=self.reminder_days_after_open)
        if self.reminder_days_before_close is not None:
            times["reminder-before-close"] = self.closes_at - timedelta(days=self.reminder_days_before_close)
        return times

    def reminders_within(self) -> list[datetime]:
        """The reminders that fall while the cycle is open (none after an early close), in order."""
        return sorted(when for when in self.reminder_times().values() if self.opens_at <= when <= self.closes_at)


class CycleParameter(models.Model):
    """A department's service parameter as it was when the cycle opened: the question people answer."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="parameters")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300)
    target = models.DecimalField(max_digits=3, decimal_places=2)
    weight = models.DecimalField(max_digits=5, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["department", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department", "code"], name="unique_cycle_parameter"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.department.code}/{self.code}"


class ActionFeedbackQuestion(models.Model):
    """The action-feedback question an opened cycle asks about one department: "Did the changes
    {department} made since last cycle make a difference for you?" (optional). Asked about each
    department with action items done between the previous cycle's opening and this one's, and,
    like the cycle's other questions, fixed when the cycle opens (services.action_feedback_snapshot):
    were it to appear during the cycle (an item marked done, or given an earlier date), a released
    group would split into the responses given before it appeared and those given after, a smaller
    group than the cycle promises. The survey page's "you said, we did" lists the items of the same
    dates."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="action_feedback_questions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    done_since = models.DateField(help_text=_("Items done on this date or later: the day the previous cycle opened."))
    done_before = models.DateField(help_text=_("…and before this date: the day this cycle opened."))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department"], name="unique_action_feedback_question"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.department.code} (changes done {self.done_since} – {self.done_before})"


# The snapshot of an open cycle never changes, and every submission reads it: each process keeps
# what it read. The key holds the opening time too, so that an id reused after a rolled-back
# transaction (SQLite does that, in tests) can never find another cycle's questions.
_snapshots: dict[tuple, object] = {}
_SNAPSHOTS_KEPT = 2000


def _keep(key: tuple, value) -> None:
    if len(_snapshots) >= _SNAPSHOTS_KEPT:
        _snapshots.clear()
    _snapshots[key] = value


@dataclass(frozen=True)
class Questionnaire:
    """What an opened cycle asks about one department, found by a survey form's address: the
    department, its snapshotted questions, whether it asks the action-feedback question and the
    cycle's score threshold (all fixed once it opens)."""

    cycle_id: int
    score_threshold: int
    department: Department
    questions: tuple[CycleParameter, ...]
    asks_action_feedback: bool = False

    @classmethod
    def at(cls, cycle_id: int, department_code: str) -> Questionnaire | None:
        """The questionnaire at (cycle id, department code), or None (no such snapshot). Kept by
        each process: a snapshot never changes, and the statement that stores answers checks the
        department's code again (a department may be given another code)."""
        if not rawsql.are_database_ids(cycle_id):
            return None
        key = ("code", cycle_id, department_code)
        found = _snapshots.get(key)
        if found is None:
            questions = tuple(
                CycleParameter.objects.filter(
                    cycle_id=cycle_id, cycle__opened_at__isnull=False, department__code=department_code
                )
                .select_related("cycle", "department")
                .annotate(
                    asks_action_feedback=models.Exists(
                        ActionFeedbackQuestion.objects.filter(
                            cycle_id=models.OuterRef("cycle_id"), department_id=models.OuterRef("department_id")
                        )
                    )
                )
                .order_by("position", "name")
            )
            if not questions:
                return None
            first: Any = questions[0]
            found = cls(cycle_id, first.cycle.score_threshold, first.department, questions, first.asks_action_feedback)
            _keep(key, found)
        return found  # type: ignore[return-value]


def questions_of(cycle: Cycle, department_id: int) -> list[CycleParameter]:
    """The questions of `cycle` about one department (its snapshotted charter), in order."""
    key = (cycle.pk, cycle.opened_at, department_id)
    questions: Any = _snapshots.get(key) if cycle.opened_at else None
    if questions is None:
        questions = list(
            CycleParameter.objects.filter(cycle=cycle, department_id=department_id).order_by("position", "name")
        )
        if cycle.opened_at and questions:
            _keep(key, questions)
    return list(questions)


def action_feedback_departments(cycle: Cycle) -> frozenset[int]:
    """The ids of the departments `cycle` asks the action-feedback question about (fixed once it
    opens, so each process keeps what it read)."""
    key = ("action-feedback", cycle.pk, cycle.opened_at)
    found: Any = _snapshots.get(key) if cycle.opened_at else None
    if found is None:
        found = frozenset(
            ActionFeedbackQuestion.objects.filter(cycle_id=cycle.pk).values_list("department_id", flat=True)
        )
        if cycle.opened_at:
            _keep(key, found)
    return found


@cache
def _invitations_sql(where: str, order_by: str = "") -> str:
    """Invitations with their cycle and department (columns in that order, for rawsql.instances)."""
    invitation, cycle, department = Invitation, Cycle, Department
    return f"""
        SELECT {rawsql.columns(invitation, "i")}, {rawsql.columns(cycle, "c")}, {rawsql.columns(department, "d")}
        FROM {invitation._meta.db_table} i
        JOIN {cycle._meta.db_table} c ON c.id = i.cycle_id
        JOIN {department._meta.db_table} d ON d.id = i.department_id
        WHERE {where} {order_by}
    """


def _invitations(sql: str, params: list, employee: Employee | None = None) -> list[Invitation]:
    """Run an _invitations_sql query: instances with `.cycle` and `.department` (and `.employee`) set."""
    with connection.cursor() as cursor:
        rawsql.execute(cursor, sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        invitation, cycle, department = rawsql.instances(row, Invitation, Cycle, Department)
        invitation.cycle, invitation.department = cycle, department
        if employee is not None:
            invitation.employee = employee
        found.append(invitation)
    return found


class InvitationQuerySet(models.QuerySet):
    def invitation_of_user(self, user, cycle_id: int, department_code: str) -> Invitation | None:
        """The invitation of `user`'s active employee record to rate `department_code` in the cycle,
        with its cycle and department, or None. Every answer sent runs this: one plain SQL query (see
        survey_portal.rawsql), equal to
        select_related("cycle", "department").filter(cycle_id=…, department__code=…, employee__user=…,
        employee__active=True)."""
        if not rawsql.are_database_ids(cycle_id):
            return None
        # Subqueries for the department and the employee, not joins: PostgreSQL plans this in half
        # the time of a four-table join, and planning was most of the query's cost.
        sql = _invitations_sql(
            f"""i.cycle_id = %s
            AND i.department_id = (SELECT id FROM {Department._meta.db_table} WHERE code = %s)
            AND i.employee_id = (SELECT id FROM {Employee._meta.db_table} WHERE user_id = %s AND active)"""
        )
        found = _invitations(sql, [cycle_id, department_code, user.pk])
        return found[0] if found else None

    def open_invitations_of(self, employee: Employee) -> list[Invitation]:
        """The employee's invitations in open cycles, by closing time and department name, each with
        its cycle and department: My surveys. One plain SQL query, equal to
        filter(employee=…, cycle__status="open").select_related("cycle", "department")
        .order_by("cycle__closes_at", "department__name")."""
        sql = _invitations_sql("i.employee_id = %s AND c.status = %s", "ORDER BY c.closes_at, c.id, d.name, d.id")
        return _invitations(sql, [employee.pk, Cycle.Status.OPEN], employee)

    def survey_invitations_of(self, employee: Employee, cycle_id: int) -> list[Invitation]:
        """The employee's invitations in one cycle, by department name, each with its cycle, department
        (and draft): the survey page. One plain SQL query, equal to
        filter(cycle_id=…, employee=…).select_related("cycle", "department").order_by("department__name")."""
        if not rawsql.are_database_ids(cycle_id):
            return []
        sql = _invitations_sql("i.cycle_id = %s AND i.employee_id = %s", "ORDER BY d.name, d.id")
        return _invitations(sql, [cycle_id, employee.pk], employee)

    def participation_by_pair(self) -> models.QuerySet:
        """Invited, completed and declined counts per (department, rater_department) pair of ids:
        read from the invitation_participation index alone."""
        return (
            self.values("department", "rater_department")
            .annotate(
                invited=Count("status"),
                completed=Count("status", filter=Q(status=Invitation.Status.COMPLETED)),
                declined=Count("status", filter=Q(status=Invitation.Status.DECLINED)),
            )
            .order_by()
        )


class InvitationManager(models.Manager.from_queryset(InvitationQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> InvitationQuerySet:
        """The sealed answers (6 KB each) are read by the release alone: every other read defers them."""
        return super().get_queryset().defer("answers_sealed")


class Invitation(models.Model):
    """One employee asked to rate one department in one cycle. Knows only *whether* they answered."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To do")
        COMPLETED = "completed", _("Done")
        DECLINED = "declined", _("No interaction")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="invitations")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="invitations")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    rater_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The employee's unsubmitted answers (a draft), sealed (surveys/sealing.py): private to them,
    # unreadable in a copy of the database. They live on the invitation's own row so that the
    # update that submits (or declines) it also erases them: no concurrent "Save draft" can leave a
    # draft behind a submitted survey.
    draft_sealed = models.BinaryField(null=True, blank=True, editable=False)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    # The submitted answers, sealed, until they are released into Response with others of the
    # pair (services/release.py). Written by the same update that completes the invitation: one
    # statement, so nothing can be claimed and lost, or stored twice.
    answers_sealed = models.BinaryField(null=True, blank=True, editable=False)

    objects = InvitationManager()
    # Kept out of the plain-SQL reads of every page (survey_portal/rawsql.py): the release alone reads
    # the answers, and a draft is read (one query) only where it is shown.
    rawsql_deferred = ("answers_sealed", "draft_sealed")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employee", "department"], name="unique_invitation"),
            models.CheckConstraint(
                condition=Q(answers_sealed=None) | Q(status="completed"), name="invitation_answers_only_once_completed"
            ),
            models.CheckConstraint(condition=~Q(department=models.F("rater_department")), name="invitation_not_own"),
            # A submitted or declined survey keeps no draft: the database refuses it, whatever the code.
            models.CheckConstraint(
                condition=Q(status="pending") | Q(draft_saved_at=None, draft_sealed=None),
                name="invitation_draft_only_while_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"]),
            # Participation per department and rater department: an index-only scan.
            models.Index(
                fields=["cycle", "department", "rater_department", "status"], name="invitation_participation"
            ),
            # The answers waiting per pair: counted after each submission, read by the release.
            models.Index(
                fields=["cycle", "department", "rater_department"],
                condition=Q(answers_sealed__isnull=False),
                name="invitation_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.department.code}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @cached_property
    def questions(self) -> list[CycleParameter]:
        """What this invitation asks: the cycle's snapshot of the department's charter, in order."""
        return questions_of(self.cycle, self.department_id)

    @cached_property
    def asks_action_feedback(self) -> bool:
        """Whether the cycle asks this invitation's person the action-feedback question about its department."""
        return self.department_id in action_feedback_departments(self.cycle)

    @property
    def progress(self) -> str:
        """Its status, or "draft" while a draft waits (only a pending invitation holds one)."""
        return "draft" if self.draft_saved_at is not None else self.status

    @cached_property
    def draft(self) -> Draft | None:
        """The employee's unsubmitted answers, unsealed, or None."""
        if self.draft_saved_at is None or self.draft_sealed is None:
            return None
        try:
            answers = unseal(self.draft_sealed)
        except UnreadableSeal:
            logger.error(
                "invitation %s: its draft could not be unsealed (SURVEY_ENCRYPTION_KEYS lacks its key)", self.pk
            )
            return None  # lost with its key: the person starts again
        return Draft(
            answers.scores, answers.comment_good, answers.comment_improve, self.draft_saved_at, answers.action_feedback
        )


# What submitting or declining an invitation writes besides its status: its draft, erased.
DRAFT_ERASED = {"draft_sealed": None, "draft_saved_at": None}


@dataclass(frozen=True)
class Draft:
    """Unsubmitted answers (sealed on their invitation): private to the employee until submitted."""

    scores: dict
    comment_good: str
    comment_improve: str
    updated_at: datetime
    action_feedback: str | None = None

    @property
    def answers(self) -> Answers:
        return Answers(self.scores, self.comment_good, self.comment_improve, self.action_feedback)


class Response(models.Model):
    """One anonymous response: a rater department's answers about a rated department in a cycle."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="responses")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    rater_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    comment_good = models.TextField(blank=True)
    comment_improve = models.TextField(blank=True)
    # Totals of this response's answers, written with them and never changed: the scorecard's
    # per-rater-department figures then come from one pass over responses, with no join to answers.
    rated_count = models.PositiveSmallIntegerField(default=0, help_text=_("Answers with a score (not N/A)."))
    score_sum = models.PositiveSmallIntegerField(default=0, help_text=_("Sum of those scores."))
    # The answer to the action-feedback question, where the cycle asked it (ActionFeedbackQuestion)
    # and the person answered it. It travels sealed with the rest and is released with its group.
    # NULL, not "", when there is none: the scorecards count the answers from a partial index of the
    # few responses that have one.
    action_feedback = models.CharField(  # noqa: DJ001
        max_length=10, choices=ActionFeedback.choices, null=True, blank=True
    )

    class Meta:
        indexes = [
            # Covers the scorecard's pass over responses (an index-only scan) and the comment lookup.
            models.Index(
                fields=["cycle", "department", "rater_department", "rated_count", "score_sum"],
                name="response_aggregation",
            ),
            # Covers the scorecard's count of the action-feedback answers (the few responses that have one).
            models.Index(
                fields=["cycle", "department", "action_feedback"],
                condition=Q(action_feedback__isnull=False),
                name="response_action_feedback",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(action_feedback__in=ActionFeedback.values) | Q(action_feedback=None),
                name="response_action_feedback_choice",
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk}"

    @staticmethod
    def totals(scores) -> dict[str, int]:
        """rated_count and score_sum for answers given as scores (None: not applicable)."""
        given = [score for score in scores if score is not None]
        return {"rated_count": len(given), "score_sum": sum(given)}


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # The response's cycle, repeated so that a cycle's answers are counted without a join.
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+", db_index=False)
    parameter = models.ForeignKey(CycleParameter, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Empty: not applicable."),
    )

    class Meta:
        # Covers the scorecard's pass over answers: each parameter's distribution, index-only.
        indexes = [models.Index(fields=["cycle", "parameter", "score"], name="answer_aggregation")]
        constraints = [
            models.UniqueConstraint(fields=["response", "parameter"], name="unique_answer_per_parameter"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5) | Q(score=None), name="answer_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parameter.code}: {self.score if self.score is not None else 'n/a'}"


class ImportedInvitations(models.Model):
    """How many people were invited to rate a department, per rating department, in an imported
    cycle (given with its results, optionally): its participation. Counts only, nobody named."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    rater_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    invited = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department", "rater_department"], name="unique_imported_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.rater_department_id} → {self.department_id}: {self.invited}"


class Notification(models.Model):
    """What was sent to whom, so a rerun or retried task never sends the same message twice."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="notifications")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    claim = models.UUIDField(help_text=_("The run that claimed it."))
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "employee", "kind"], name="unique_notification")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.employee_id} in {self.cycle_id}"
