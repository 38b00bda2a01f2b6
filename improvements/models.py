"""What departments do about their scores: action items (the action plan), their progress updates,
HR's library of suggested actions, the head's "no action, because …" notes, and the service
commitments published on the charter page.

Plans and commitments keep their history (django-simple-history): who changed what, and when.
Dates, not cycles: this app sits below surveys (the survey page shows "you said, we did"), so a
"since the last cycle" question is asked with the cycle's dates by the layer that knows cycles.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from departments.models import Delegate, Department, Employee, EmployeeQuerySet, ServiceParameter


def possible_owners(department: Department) -> EmployeeQuerySet:
    """Who may own the department's action items: its active people, and its head and delegates
    wherever they work."""
    acting = Q(pk=department.head_id) | Q(pk__in=Delegate.objects.filter(department=department).values("employee_id"))
    return Employee.objects.active().filter(Q(department=department) | acting)


class ActionTemplate(models.Model):
    """A suggested action HR keeps for a parameter name ("Responsiveness: publish a response-time
    promise and measure it"); a head starts an action item from one."""

    parameter_name = models.CharField(
        max_length=120, help_text="The charter parameter it suits, by name (matched without regard to case)."
    )
    title = models.CharField(max_length=200)
    change = models.TextField(verbose_name="what will change", max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["parameter_name", "title"]

    def __str__(self) -> str:
        return f"{self.parameter_name}: {self.title}"


class ActionItemQuerySet(models.QuerySet):
    def of(self, department: Department) -> ActionItemQuerySet:
        return self.filter(department=department)

    def current(self) -> ActionItemQuerySet:
        return self.filter(status__in=[ActionItem.Status.PLANNED, ActionItem.Status.IN_PROGRESS])

    def done_between(self, start, end) -> ActionItemQuerySet:
        """Done on a date in [start, end): what a department did between two cycles."""
        return self.filter(status=ActionItem.Status.DONE, completed_on__gte=start, completed_on__lt=end)

    def overdue(self, today: date) -> ActionItemQuerySet:
        """Planned or in progress, and due before `today`."""
        return self.current().filter(due_on__lt=today)


class ActionItem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", gettext_lazy("Planned")
        IN_PROGRESS = "in_progress", gettext_lazy("In progress")
        DONE = "done", gettext_lazy("Done")
        DROPPED = "dropped", gettext_lazy("Dropped")

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200)
    change = models.TextField(verbose_name="what will change", max_length=2000)
    parameters = models.ManyToManyField(
        ServiceParameter, related_name="action_items", help_text="The charter parameters it addresses."
    )
    owners = models.ManyToManyField(Employee, related_name="owned_actions", help_text="People of the department.")
    due_on = models.DateField(verbose_name="due date")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    dropped_reason = models.TextField(blank=True, max_length=1000)
    percent_complete = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    completed_on = models.DateField(null=True, blank=True, help_text="Set when it is marked done.")
    template = models.ForeignKey(ActionTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[parameters, owners])
    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(percent_complete__lte=100), name="action_percent_at_most_100"),
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(dropped_reason=""), name="action_dropped_with_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="done") | Q(completed_on=None), name="action_completed_only_when_done"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_current(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)

    def is_overdue(self, today: date) -> bool:
        return self.is_current and self.due_on < today


class ProgressUpdate(models.Model):
    """A dated note on an action item's progress: public ones are shown to everyone ("you said, we
    did"), internal ones to the department and HR."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    written_on = models.DateField()
    text = models.TextField(max_length=2000)
    public = models.BooleanField(
        default=True, help_text="Shown to every employee; otherwise the department and HR only."
    )
    author = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-written_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.action}: {self.written_on}"


class NoActionNote(models.Model):
    """The head's written "no action, because …" for a parameter below target: it answers for every
    finished cycle that closed before it was written (the scorecards layer asks with those dates)."""

    parameter = models.ForeignKey(ServiceParameter, on_delete=models.CASCADE, related_name="no_action_notes")
    reason = models.TextField(max_length=2000)
    written_by = models.ForeignKey(Employee, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-written_at"]

    def __str__(self) -> str:
        return f"{self.parameter}: no action"


class CommitmentQuerySet(models.QuerySet):
    def of(self, department: Department) -> CommitmentQuerySet:
        return self.filter(department=department)

    def current(self) -> CommitmentQuerySet:
        """Pending (no outcome yet), soonest first: what the department has promised. Those whose
        date has passed wait for the head to say whether they were kept (`awaiting_outcome`)."""
        return self.filter(outcome=Commitment.Outcome.PENDING).order_by("due_on", "text")

    def awaiting_outcome(self, today: date) -> CommitmentQuerySet:
        return self.current().filter(due_on__lt=today)

    def past(self) -> CommitmentQuerySet:
        """Kept or not kept, newest first."""
        return self.exclude(outcome=Commitment.Outcome.PENDING).order_by("-due_on", "text")


class Commitment(models.Model):
    """A service commitment the head publishes on the charter page: what the department will do for
    its internal customers this period, by a date; afterwards marked kept or not kept."""

    class Outcome(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        KEPT = "kept", gettext_lazy("Kept")
        NOT_KEPT = "not_kept", gettext_lazy("Not kept")

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="commitments")
    text = models.CharField(max_length=300, verbose_name="we will")
    parameters = models.ManyToManyField(ServiceParameter, related_name="commitments", blank=True)
    due_on = models.DateField(verbose_name="by")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.TextField(blank=True, max_length=1000)
    created_by = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[parameters])
    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "text"]

    def __str__(self) -> str:
        return self.text

    def can_have_outcome(self, today: date) -> bool:
        """Kept or not kept can be said from its date on."""
        return self.due_on <= today


class ActionReminder(models.Model):
    """A reminder sent to an action item's owners, once each (before and after the due date)."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20)
    due_on = models.DateField(help_text="The due date it was about: a new date earns new reminders.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "kind", "due_on"], name="unique_action_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.action_id}"


class Nudge(models.Model):
    """HR asked a department's head, by email, to look at the plan: at most once a day each, so a
    double click or two HR admins at once send one email."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="nudges")
    sent_on = models.DateField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "sent_on"], name="unique_nudge_per_day")]

    def __str__(self) -> str:
        return f"{self.department.code}: nudged on {self.sent_on}"
