"""Stored results of a cycle: what the scorecard pages, exports and API read.

Written only by services.cycle_aggregate, which recomputes a cycle from its responses and
invitations. Every figure resting on fewer responses than the cycle's score threshold is stored
*suppressed*: its n is kept, every other figure is NULL, so no page can show it by mistake.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from surveys.models import ActionFeedback, Cycle

# "Close": within this distance below the target (UX: Meets / Close / Below).
CLOSE_MARGIN = Decimal("0.25")
# Each answer to the action-feedback question -> the DepartmentScore column counting it.
FEEDBACK_FIELDS = {
    ActionFeedback.YES: "feedback_yes",
    ActionFeedback.SOMEWHAT: "feedback_somewhat",
    ActionFeedback.NO: "feedback_no",
    ActionFeedback.UNNOTICED: "feedback_unnoticed",
}


class TargetStatus(models.TextChoices):
    MEETS = "meets", _("Meets target")
    CLOSE = "close", _("Close to target")
    BELOW = "below", _("Below target")


def target_status(mean: float | None, target) -> str | None:
    if mean is None or target is None:
        return None
    gap = Decimal(str(round(mean, 4))) - Decimal(target)
    if gap >= 0:
        return TargetStatus.MEETS
    return TargetStatus.CLOSE if gap >= -CLOSE_MARGIN else TargetStatus.BELOW


class CycleResult(models.Model):
    """One row per aggregated cycle: the lock two runs take in turn, and when it was computed."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="result")
    computed_at = models.DateTimeField(null=True, blank=True)
    responses = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(default=0, help_text="How many times it was computed.")

    def __str__(self) -> str:
        return f"Results of {self.cycle}"


class _Figure(models.Model):
    """n, mean and whether it is suppressed: what every stored figure has."""

    # Derived rows, rewritten by every aggregation: no separate index on cycle (every unique
    # constraint starts with it) and no database-level foreign keys, whose checks would cost more
    # than the writes; Django still cascades deletions, and only the aggregation writes here.
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    n = models.PositiveIntegerField()
    suppressed = models.BooleanField()
    mean = models.FloatField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def status(self) -> str | None:
        return target_status(self.mean, getattr(self, "target", None))


class ParameterScore(_Figure):
    """One rated department's parameter in one cycle."""

    parameter = models.ForeignKey(
        "surveys.CycleParameter", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    target = models.DecimalField(max_digits=3, decimal_places=2)
    weight = models.DecimalField(max_digits=5, decimal_places=2)
    stdev = models.FloatField(null=True, blank=True)
    count_1 = models.PositiveIntegerField(null=True, blank=True)
    count_2 = models.PositiveIntegerField(null=True, blank=True)
    count_3 = models.PositiveIntegerField(null=True, blank=True)
    count_4 = models.PositiveIntegerField(null=True, blank=True)
    count_5 = models.PositiveIntegerField(null=True, blank=True)
    top_box_pct = models.FloatField(null=True, blank=True, help_text="Share of 4s and 5s, percent.")
    gap = models.FloatField(null=True, blank=True, help_text="mean − target")
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    previous_mean = models.FloatField(null=True, blank=True)
    change = models.FloatField(null=True, blank=True)
    change_significant = models.BooleanField(null=True, blank=True, help_text="Welch's t-test at 5%.")

    class Meta:
        ordering = ["department__name", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department", "code"], name="unique_parameter_score"),
            models.CheckConstraint(
                condition=Q(suppressed=False) | Q(mean=None, stdev=None, count_1=None, ci_low=None),
                name="suppressed_parameter_score_has_no_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.department_id}/{self.code}"

    @property
    def distribution(self) -> list[tuple[int, int, float]]:
        """(score, count, percent) for 1..5, or [] when suppressed."""
        if self.suppressed:
            return []
        counts = [self.count_1 or 0, self.count_2 or 0, self.count_3 or 0, self.count_4 or 0, self.count_5 or 0]
        return [(score, k, 100 * k / self.n) for score, k in enumerate(counts, start=1)]


class DepartmentScore(_Figure):
    """A rated department's overall service index in one cycle.

    n = responses that rated at least one parameter; `mean` is the index (the weighted mean of the
    unsuppressed parameter means). Its comments are shown (`comments_visible`) once n reaches the
    cycle's comment threshold.

    The action-feedback question ("Did the changes … make a difference for you?"), where the cycle
    asked it: `feedback_n` responses answered it (NULL: not asked), and the count of each answer is
    kept only when feedback_n reaches the cycle's score threshold (NULL otherwise, like every
    suppressed figure).
    """

    target = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    previous_mean = models.FloatField(null=True, blank=True)
    change = models.FloatField(null=True, blank=True)
    # Shown parameters by target_status: every page counts them the same way, from these two.
    below_target = models.PositiveSmallIntegerField(default=0, help_text="Shown parameters below target.")
    close_to_target = models.PositiveSmallIntegerField(default=0, help_text="Shown parameters close to target.")
    comments_visible = models.BooleanField(default=False)
    feedback_n = models.PositiveIntegerField(
        null=True, blank=True, help_text="Responses that answered the action-feedback question (empty: not asked)."
    )
    feedback_yes = models.PositiveIntegerField(null=True, blank=True)
    feedback_somewhat = models.PositiveIntegerField(null=True, blank=True)
    feedback_no = models.PositiveIntegerField(null=True, blank=True)
    feedback_unnoticed = models.PositiveIntegerField(null=True, blank=True, help_text="“Didn’t notice”.")

    class Meta:
        ordering = ["department__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department"], name="unique_department_score"),
            models.CheckConstraint(condition=Q(suppressed=False) | Q(mean=None), name="suppressed_index_has_no_mean"),
            models.CheckConstraint(
                condition=~Q(feedback_n=None)
                | Q(feedback_yes=None, feedback_somewhat=None, feedback_no=None, feedback_unnoticed=None),
                name="action_feedback_counts_only_when_asked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.department_id}"

    @property
    def feedback_shown(self) -> bool:
        """Whether the answers to the action-feedback question are shown (enough of them)."""
        return self.feedback_n is not None and self.feedback_yes is not None

    @property
    def feedback_distribution(self) -> list[tuple[str, str, int, float]]:
        """(answer, its label, count, percent) for each answer to the action-feedback question, or []
        when it was not asked or is suppressed."""
        if not self.feedback_shown or not self.feedback_n:
            return []
        counts = [(answer, getattr(self, column) or 0) for answer, column in FEEDBACK_FIELDS.items()]
        return [(answer.value, str(answer.label), k, 100 * k / self.feedback_n) for answer, k in counts]


class HeatmapCell(_Figure):
    """Responses from one rater department about one department (`department`): n and the mean rating."""

    rater_department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    # Hidden only so that the row's other small cells cannot be recovered by subtraction.
    complementary = models.BooleanField(default=False)

    class Meta:
        ordering = ["department__name", "rater_department__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department", "rater_department"], name="unique_heatmap_cell"),
            models.CheckConstraint(condition=Q(suppressed=False) | Q(mean=None), name="suppressed_cell_has_no_mean"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.department_id}←{self.rater_department_id}"


class Participation(models.Model):
    """Invited, completed and declined, per department, as the department rated and as a rater."""

    class Role(models.TextChoices):
        RATED = "rated", "Department rated"
        RATER = "rater", "Rating department"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    role = models.CharField(max_length=8, choices=Role.choices)
    invited = models.PositiveIntegerField()
    completed = models.PositiveIntegerField()
    declined = models.PositiveIntegerField()

    class Meta:
        ordering = ["department__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department", "role"], name="unique_participation"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.department_id}/{self.role}"

    @property
    def rate(self) -> int:
        """Answered (completed or declined) as a share of invited, percent."""
        return round(100 * (self.completed + self.declined) / self.invited) if self.invited else 0
