"""Mystery-shopping audits: HR's templates (a scenario and a checklist tied to one department's
charter parameters), audits scheduled for an auditor outside the department, the auditor's scores,
notes and attachments, and the results stored on submit (overall and per parameter).

Who the auditor was, and the exact date, are HR's alone: the department reads completed audits
through audits.reports, by month.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from departments.models import Department, Employee, ServiceParameter
from improvements.models import ActionItem


class AuditTemplate(models.Model):
    """A scenario and its checklist, written for one department (its items are that department's
    charter parameters)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="audit_templates")
    name = models.CharField(max_length=120)
    scenario = models.TextField(
        max_length=2000, help_text="What the auditor asks for, and how (by email, at the desk, by phone …)."
    )
    active = models.BooleanField(default=True, help_text="Inactive templates cannot be scheduled.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["department__name", "name"]

    def __str__(self) -> str:
        return f"{self.department.name}: {self.name}"


class AuditItem(models.Model):
    """One checklist item: what the auditor checks, for which parameter, scored how."""

    class Kind(models.TextChoices):
        PASS_FAIL = "pass_fail", _("Pass / fail")
        SCALE = "scale", "1–5"

    template = models.ForeignKey(AuditTemplate, on_delete=models.CASCADE, related_name="items")
    parameter = models.ForeignKey(ServiceParameter, on_delete=models.PROTECT, related_name="audit_items")
    text = models.CharField(max_length=300, verbose_name="what the auditor checks")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PASS_FAIL, verbose_name="scored")
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01), MaxValueValidator(100)],
        help_text="Relative weight in the audit's score.",
    )
    critical = models.BooleanField(
        default=False,
        help_text="A failure (fail, or 1 or 2 on the 1–5 scale) raises an action item for the department.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["template", "position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="audit_item_weight_positive")]

    def __str__(self) -> str:
        return self.text


class AuditQuerySet(models.QuerySet):
    def of(self, department: Department) -> AuditQuerySet:
        return self.filter(department=department)

    def scheduled(self) -> AuditQuerySet:
        return self.filter(status=Audit.Status.SCHEDULED)

    def completed(self) -> AuditQuerySet:
        return self.filter(status=Audit.Status.SUBMITTED)

    def overdue(self, today: date) -> AuditQuerySet:
        """Scheduled, not submitted, and due before `today`."""
        return self.scheduled().filter(due_on__lt=today)

    def assigned_to(self, employee: Employee) -> AuditQuerySet:
        return self.filter(auditor=employee).exclude(status=Audit.Status.CANCELLED)

    def openable_by(self, roles) -> AuditQuerySet:
        """Audits whose own pages and files this person may open (departments.roles.Roles): every
        one for HR, their own for an auditor, none for anyone else (the audited department too)."""
        if roles.can_see_auditors:
            return self
        return self.filter(auditor=roles.employee) if roles.employee is not None else self.none()


class Audit(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SUBMITTED = "submitted", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    template = models.ForeignKey(AuditTemplate, on_delete=models.PROTECT, related_name="audits")
    # The template's department, kept on the row: every read of a department's audits filters on it.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="audits")
    auditor = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="audits_to_carry_out")
    due_on = models.DateField(verbose_name="due date")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_on = models.DateField()
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_on = models.DateField(null=True, blank=True, verbose_name="date of the request")
    response_hours = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    overall = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # The day HR's digest first listed it as overdue: each overdue audit is reported once.
    overdue_reported_on = models.DateField(null=True, blank=True)
    # The day the head was told of its failed critical checks: by the daily task, never from the
    # auditor's request, so that no email's time says when the auditor submitted.
    head_told_on = models.DateField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="submitted") | (Q(requested_on__isnull=False) & Q(overall__isnull=False)),
                name="audit_submitted_with_results",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} ({self.department.code})"

    def days_overdue(self, today: date) -> int:
        if self.status != self.Status.SCHEDULED or self.due_on >= today:
            return 0
        return (today - self.due_on).days


class AuditScore(models.Model):
    """The auditor's score of one item: 1 (pass) or 0 (fail), or 1–5; and a note."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(AuditItem, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    note = models.TextField(blank=True, max_length=1000)

    class Meta:
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "item"], name="unique_audit_score"),
            models.CheckConstraint(condition=Q(score__lte=5), name="audit_score_at_most_5"),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.score}"


class AuditResult(models.Model):
    """The audit's score for one parameter (0–100), stored on submit; and the action item a failed
    critical item of that parameter raised."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="results")
    parameter = models.ForeignKey(ServiceParameter, on_delete=models.PROTECT, related_name="audit_results")
    score = models.DecimalField(max_digits=5, decimal_places=2)
    action_item = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_results"
    )

    class Meta:
        ordering = ["parameter__position", "parameter__name"]
        constraints = [models.UniqueConstraint(fields=["audit", "parameter"], name="unique_audit_result")]

    def __str__(self) -> str:
        return f"{self.parameter}: {self.score}"


def attachment_name(instance: AuditAttachment, filename: str) -> str:
    """A random name under audits/: nothing of the original name reaches the file system."""
    suffix = {"png": ".png", "jpeg": ".jpg", "webp": ".webp", "pdf": ".pdf"}.get(instance.kind, "")
    return str(PurePosixPath("audits") / f"{uuid.uuid4().hex}{suffix}")


class AuditAttachment(models.Model):
    """An image or PDF the auditor attached: HR and the auditor only (images carry EXIF)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_name, max_length=200)
    original_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)  # png, jpeg, webp, pdf: read from the content
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name
