"""The organisation: departments (internal service providers), their people, charters and dependencies."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

# HR admins hold this permission (Department's Meta), given to them through this group.
HR_PERMISSION = "departments.manage_organisation"
HR_GROUP_NAME = "HR admins"

SCORE_MIN = Decimal("1")
SCORE_MAX = Decimal("5")

# The charter every new department starts from; HR or the head then tailors it.
DEFAULT_CHARTER: tuple[tuple[str, str, str], ...] = (
    (
        "responsiveness",
        "Responsiveness",
        "Requests are acknowledged promptly and handled within the agreed turnaround time.",
    ),
    (
        "communication",
        "Communication",
        "You are kept informed of progress, decisions are explained and the team is easy to reach.",
    ),
    ("quality", "Quality of work", "Work is accurate, complete and right the first time."),
    ("reliability", "Reliability", "Commitments are kept: what was promised is delivered when it was promised."),
    ("professionalism", "Professionalism", "Every interaction is courteous, respectful and knowledgeable."),
)
DEFAULT_TARGET = Decimal("4.00")


def _count(queryset: models.QuerySet, field: str) -> Coalesce:
    """COUNT(*) of `queryset` rows whose `field` points at the outer department."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


class DepartmentQuerySet(models.QuerySet):
    def active(self) -> DepartmentQuerySet:
        return self.filter(active=True)

    def with_directory_counts(self) -> DepartmentQuerySet:
        """Counts shown in lists, as correlated subqueries: one query, and no join fan-out."""
        return self.annotate(
            parameter_count=_count(ServiceParameter.objects.filter(active=True), "department"),
            employee_count=_count(Employee.objects.filter(active=True), "department"),
            consumer_count=_count(Dependency.objects.all(), "provider"),
            provider_count=_count(Dependency.objects.all(), "consumer"),
        ).select_related("head__user")

    def headed_by(self, user) -> DepartmentQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(head__user=user, head__active=True, active=True)

    def visible_to(self, roles) -> DepartmentQuerySet:
        """Departments whose pages this person may open (departments.roles.Roles): active ones, and
        for HR inactive ones too."""
        return self if roles.can_see_inactive_departments else self.active()

    def scorecards_visible_to(self, roles) -> DepartmentQuerySet:
        """Departments whose full scorecard this person may read: every one for HR, their own for a head."""
        if roles.is_hr:
            return self
        return self.filter(pk__in=[department.pk for department in roles.headed_departments])


# A department's description is shown on every survey page that rates it: forms and the import
# keep it to this (the column itself has no limit).
DESCRIPTION_MAX_LENGTH = 1000


class Department(models.Model):
    code = models.SlugField(max_length=50, unique=True, help_text="Short unique code used in URLs and CSV files.")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="One or two sentences on what the department does for you.")
    head = models.ForeignKey(
        "Employee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    front_line = models.BooleanField(
        default=False,
        verbose_name="front line",
        help_text="Serves external customers directly.",
    )
    active = models.BooleanField(default=True)
    providers = models.ManyToManyField(
        "self",
        through="Dependency",
        through_fields=("consumer", "provider"),
        symmetrical=False,
        related_name="consumers",
        blank=True,
    )

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        permissions = [("manage_organisation", "Can manage departments, people, charters and dependencies")]

    def __str__(self) -> str:
        return self.name

    if TYPE_CHECKING:
        # Set from settings.ABSOLUTE_URL_OVERRIDES: a department's page is in the top app (portal).
        def get_absolute_url(self) -> str: ...

    def charter_queryset(self) -> models.QuerySet[ServiceParameter]:
        return self.parameters.filter(active=True).order_by("position", "name")


class EmployeeQuerySet(models.QuerySet):
    def active(self) -> EmployeeQuerySet:
        return self.filter(active=True, user__is_active=True)


class Employee(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employee")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="employees")
    job_title = models.CharField(max_length=120, blank=True)
    active = models.BooleanField(default=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def email(self) -> str:
        return self.user.email


class ServiceParameter(models.Model):
    """One agreed service parameter of a department's charter: what internal customers can expect."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="parameters")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, help_text="One sentence: what internal customers can expect.")
    target = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=DEFAULT_TARGET,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
        help_text="Target score on the 1–5 scale.",
    )
    weight = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Relative weight in the department's overall service index.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the charter page.")
    active = models.BooleanField(default=True)

    # Who changed the charter, what and when (the charter page's history; the import writes in bulk
    # and is its own record).
    history = HistoricalRecords()

    class Meta:
        ordering = ["department", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="unique_parameter_code_per_department"),
            models.CheckConstraint(
                condition=Q(target__gte=SCORE_MIN) & Q(target__lte=SCORE_MAX), name="parameter_target_1_to_5"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="parameter_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.department.code}: {self.name}"


class Dependency(models.Model):
    """The consumer department relies on the provider department (the provider serves the consumer)."""

    consumer = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="consumer_links")
    provider = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="provider_links")

    class Meta:
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(fields=["consumer", "provider"], name="unique_dependency"),
            models.CheckConstraint(condition=~Q(consumer=models.F("provider")), name="no_self_dependency"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer.code} → {self.provider.code}"


class Delegate(models.Model):
    """Someone the head names to act for the department: answer its concerns, keep its action plan."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="delegates")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="delegations")
    named_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "employee"], name="unique_delegate")]

    def __str__(self) -> str:
        return f"{self.employee} for {self.department.code}"


def active_charter_prefetch() -> Prefetch:
    return Prefetch(
        "parameters",
        queryset=ServiceParameter.objects.filter(active=True).order_by("position", "name"),
        to_attr="charter",
    )
