"""Recognition: awards earned against the charter (by rule, or by nomination), nominations, and
thank-you notes.

This app sits below scorecards (the scorecard shows a department's awards and thank-you counts):
it holds the rows; the rules are evaluated against the scorecard figures by scorecards/awards.py,
which writes Award rows here."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from departments.models import Department, Employee, ServiceParameter
from surveys.models import Cycle

TEXT_MAX_LENGTH = 1000
# The badges HR may give a criterion: SVG files in static/badges/<name>.svg.
BADGES = [
    ("star", "Star"),
    ("trophy", "Trophy"),
    ("rocket", "Rising arrow"),
    ("shield", "Shield"),
    ("heart", "Heart"),
    ("handshake", "Handshake"),
]


class AwardCriterion(models.Model):
    """What earns an award. A rule combines its measures with AND; an empty measure is not part of it.
    A criterion HR marks "by nomination" is awarded by approving nominations instead."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(max_length=TEXT_MAX_LENGTH, blank=True)
    badge = models.CharField(max_length=20, choices=BADGES, blank=True)
    by_nomination = models.BooleanField(default=False, help_text="Awarded by approving nominations, not by rule.")
    active = models.BooleanField(default=True)
    # The rule's measures (all must hold; an empty one is not part of the rule).
    min_index = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        verbose_name="overall index at least",
    )
    all_parameters_meet_target = models.BooleanField(
        default=False, verbose_name="every shown parameter meets its target"
    )
    min_improvement = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
        verbose_name="index improved, significantly, by at least",
    )
    min_front_line_mean = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        verbose_name="mean given by front-line departments at least",
    )
    back_office_only = models.BooleanField(default=False, help_text="Only departments that are not front line.")
    min_concerns_in_time_pct = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        verbose_name="concerns acknowledged and answered in time, % at least",
    )
    min_action_feedback_pct = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        verbose_name="action feedback “made a difference”, % at least",
    )
    min_participation_pct = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        verbose_name="participation as a rating department, % at least",
    )
    consecutive_cycles = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(8)], verbose_name="for consecutive cycles"
    )
    min_responses = models.PositiveIntegerField(default=0, verbose_name="with at least this many responses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AwardQuerySet(models.QuerySet):
    def standing(self) -> AwardQuerySet:
        """Awards not withdrawn."""
        return self.filter(withdrawn_at=None)


class Award(models.Model):
    """An award to a department (or, by nomination, a named colleague), with the figures or the
    citation that earned it. Withdrawn (kept, with the reason) when a recalculation undoes it."""

    class Source(models.TextChoices):
        RULE = "rule", "Earned by rule"
        NOMINATION = "nomination", "By nomination"

    criterion = models.ForeignKey(AwardCriterion, on_delete=models.PROTECT, related_name="awards")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="awards")
    employee = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="awards",
        help_text="A named colleague, for an award by nomination.",
    )
    cycle = models.ForeignKey(Cycle, null=True, blank=True, on_delete=models.CASCADE, related_name="awards")
    source = models.CharField(max_length=12, choices=Source.choices)
    citation = models.TextField(help_text="In words: why it was earned.")
    # The figures that earned it, measure by measure (rule awards): what the explanation shows.
    explanation = models.JSONField(default=list, blank=True)
    awarded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-awarded_at"]
        constraints = [
            # A rule earns one award per department and cycle: re-evaluation never duplicates.
            models.UniqueConstraint(
                fields=["criterion", "department", "cycle"],
                condition=Q(source="rule"),
                name="one_rule_award_per_cycle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} · {self.department}"


class PanelMember(models.Model):
    """Someone HR names to review nominations with HR."""

    employee = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="panel_membership")
    named_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.employee)


class Nomination(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        MERGED = "merged", "Merged into another"

    criterion = models.ForeignKey(AwardCriterion, on_delete=models.PROTECT, related_name="nominations")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="nominations")
    employee = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="nominations_received",
        help_text="A named colleague in that department, or nobody: the whole department.",
    )
    parameter = models.ForeignKey(ServiceParameter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Always kept: nominations are not survey answers. `anonymous` hides the name from the nominee only.
    nominator = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="nominations_made")
    anonymous = models.BooleanField(default=False, verbose_name="hide my name from the nominee")
    reason = models.TextField(max_length=TEXT_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decision_reason = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    award = models.OneToOneField(Award, null=True, blank=True, on_delete=models.SET_NULL, related_name="nomination")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""), name="declined_with_reason"
            ),
            models.CheckConstraint(condition=Q(status="merged") | Q(merged_into=None), name="merged_only_when_merged"),
            # One pending nomination per nominator, criterion and nominee (a named colleague, or the
            # whole department): two partial constraints, as NULLs are distinct in a unique one.
            models.UniqueConstraint(
                fields=["nominator", "criterion", "employee"],
                condition=Q(status="pending", employee__isnull=False),
                name="one_pending_nomination_of_a_colleague",
            ),
            models.UniqueConstraint(
                fields=["nominator", "criterion", "department"],
                condition=Q(status="pending", employee__isnull=True),
                name="one_pending_nomination_of_a_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion} → {self.employee or self.department}"


class ThankYouNote(models.Model):
    """A thank-you for a specific piece of service, to a department or named colleagues in it. The
    sender is always stored, for abuse handling only: HR alone sees it when `show_name` is off."""

    sender = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="thanks_sent")
    show_name = models.BooleanField(default=True, verbose_name="show my name")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="thanks")
    colleagues = models.ManyToManyField(Employee, blank=True, related_name="thanks_received")
    parameter = models.ForeignKey(ServiceParameter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sender", "created_at"]), models.Index(fields=["department", "created_at"])]

    def __str__(self) -> str:
        return f"Thanks to {self.department}"


class NotePreference(models.Model):
    """A head's choice: an email per thank-you note, or a weekly digest."""

    employee = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="note_preference")
    weekly_digest = models.BooleanField(default=False)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.employee}: {'weekly' if self.weekly_digest else 'each note'}"
