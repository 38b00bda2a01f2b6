"""Concerns: raised with a department at any time, named or anonymous, answered within the
response times HR sets in working days.

Anonymous means anonymous in a copy of the database too (README, "Anonymity"):
- An anonymous concern's rows hold no user, employee, session or address; the raiser's department
  only when they agree and it has at least the cycle threshold of people; the date, never the time;
  a random (UUID) identifier, so no row order; and the receipt code only as its hash.
- The raiser's request does not write them: it writes a sealed Deposit, the same size whatever it
  holds, and nothing else (not even its session). The daily release (services.anonymous_release)
  opens every deposit at once and writes what they hold in random order, in one transaction: no
  transaction id, row order or time ties a concern, a message or a reopening to the moment someone
  wrote it, only to the day, with everyone else who wrote anonymously that day.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Department, Employee, ServiceParameter
from improvements.models import ActionItem

SUBJECT_MAX_LENGTH = 150
TEXT_MAX_LENGTH = 4000


class ResponseTimes(models.Model):
    """The organisation's agreed response times, in working days (one row)."""

    acknowledge_days = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        verbose_name=_("acknowledge within (working days)"),
    )
    answer_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        verbose_name=_("answer within (working days)"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("response times")
        constraints = [
            models.CheckConstraint(condition=Q(answer_days__gte=models.F("acknowledge_days")), name="answer_after_ack")
        ]

    def __str__(self) -> str:
        return f"acknowledge in {self.acknowledge_days}, answer in {self.answer_days} working days"

    @classmethod
    def current(cls) -> ResponseTimes:
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)


class ClosureDate(models.Model):
    """A day the organisation is closed (a public holiday): not a working day."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


def closures_from(start: date) -> set[date]:
    return set(ClosureDate.objects.filter(date__gte=start).values_list("date", flat=True))


def overdue_q(now) -> Q:
    """Past its time: not acknowledged by its acknowledgement deadline, or not answered by its answer
    deadline. The one definition every list, count and figure uses."""
    return Q(status=Concern.Status.OPEN, acknowledge_by__lt=now) | Q(status__in=Concern.WAITING, answer_by__lt=now)


class ConcernQuerySet(models.QuerySet):
    def of(self, department: Department) -> ConcernQuerySet:
        return self.filter(department=department)

    def waiting(self) -> ConcernQuerySet:
        """Not answered yet: the department owes the raiser an answer."""
        return self.filter(status__in=Concern.WAITING)

    def overdue(self, now=None) -> ConcernQuerySet:
        return self.filter(overdue_q(now or timezone.now()))

    def raised_by_employee(self, employee: Employee) -> ConcernQuerySet:
        return self.filter(raised_by=employee, anonymous=False)


class Concern(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for acknowledgement")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        REOPENED = "reopened", _("Reopened")
        ANSWERED = "answered", _("Answered")
        WITH_HR = "with_hr", _("Sent back to HR")

    class Rating(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        PARTLY = "partly", _("Partly resolved")
        NOT_RESOLVED = "not_resolved", _("Not resolved")

    WAITING = (Status.OPEN, Status.ACKNOWLEDGED, Status.REOPENED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="concerns")
    parameter = models.ForeignKey(
        ServiceParameter, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
    description = models.TextField(max_length=TEXT_MAX_LENGTH)
    anonymous = models.BooleanField()
    # Named concerns only: who raised it.
    raised_by = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Named: the raiser's department. Anonymous: only if they agreed and it is big enough.
    raiser_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    raised_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    # The clocks (working days, concerns.workdays), set when raised and again when reassigned or reopened.
    clock_started_on = models.DateField(help_text=_("The day the clocks started: raised, or reassigned by HR."))
    acknowledge_by = models.DateTimeField()
    answer_by = models.DateTimeField()
    clock_round = models.PositiveSmallIntegerField(default=1, help_text=_("Counts restarts of the clocks."))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_in_time = models.BooleanField(null=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_in_time = models.BooleanField(null=True)
    answer_working_days = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    answer = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    reopened_on = models.DateField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    rating = models.CharField(max_length=12, choices=Rating.choices, blank=True)
    not_ours_reason = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.TextField(blank=True, max_length=1000)
    action_item = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "subject"]
        constraints = [
            # An anonymous concern names nobody and has a receipt; a named one has a raiser and no receipt.
            models.CheckConstraint(
                condition=Q(anonymous=True, raised_by=None, receipt_hash__isnull=False)
                | Q(anonymous=False, receipt_hash=None),
                name="concern_anonymous_names_nobody",
            ),
            models.CheckConstraint(
                condition=Q(reopened_on=None) | ~Q(reopen_reason=""), name="concern_reopened_with_reason"
            ),
        ]
        indexes = [models.Index(fields=["department", "status"]), models.Index(fields=["raised_on"])]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("concerns:detail", args=[self.pk])

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def can_reopen(self) -> bool:
        return self.status == self.Status.ANSWERED and self.reopened_on is None

    @property
    def acknowledge_day(self) -> date:
        """The last day to acknowledge it (its deadline is the midnight that ends it)."""
        return (timezone.localtime(self.acknowledge_by) - timedelta(microseconds=1)).date()

    @property
    def answer_day(self) -> date:
        return (timezone.localtime(self.answer_by) - timedelta(microseconds=1)).date()

    def overdue_now(self, now=None) -> bool:
        """The row's side of overdue_q: the Overdue badge."""
        now = now or timezone.now()
        if self.status == self.Status.OPEN and self.acknowledge_by < now:
            return True
        return self.is_waiting and self.answer_by < now


class ConcernMessage(models.Model):
    """One message of a concern's conversation. The raiser's messages on an anonymous concern keep
    their date only (like the concern); the department's keep the time they were written."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="messages")
    number = models.PositiveIntegerField(help_text=_("Its place in the conversation."))
    from_department = models.BooleanField()
    author = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    written_on = models.DateField()
    written_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(max_length=TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["concern", "number"]
        constraints = [models.UniqueConstraint(fields=["concern", "number"], name="unique_message_number")]

    def __str__(self) -> str:
        return f"{self.concern_id} #{self.number}"


class ConcernReminder(models.Model):
    """A reminder or escalation about a concern, recorded before it is sent: each is sent once."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=30)
    clock_round = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concern", "kind", "clock_round"], name="unique_concern_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.concern_id}"


class Deposit(models.Model):
    """What an anonymous raiser wrote (a concern, a message, a reopening, a rating), sealed and
    waiting for the daily release. Nothing but a random id and the same-size sealed payload."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return f"Deposit {self.pk}"
