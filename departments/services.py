"""Writes to the organisation that span several rows or models."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import translation

from .models import DEFAULT_CHARTER, DEFAULT_TARGET, Delegate, Department, Dependency, Employee, ServiceParameter


def default_charter_parameters() -> list[dict]:
    """The five parameters every new department starts from."""
    return [
        {"code": code, "name": name, "description": description, "target": DEFAULT_TARGET, "weight": Decimal("1.00")}
        for code, name, description in DEFAULT_CHARTER
    ]


@transaction.atomic
def department_create(
    *,
    code: str,
    name: str,
    description: str = "",
    front_line: bool = False,
    name_de: str | None = None,
    description_de: str | None = None,
) -> Department:
    """Create a department with the default charter (HR or its head tailor it afterwards). `name`
    and `description` are the English texts, whatever the language of the page that asked."""
    with translation.override("en"):  # modeltranslation writes given texts in the active language
        department = Department.objects.create(
            code=code,
            name=name,
            description=description,
            front_line=front_line,
            name_de=name_de or None,
            description_de=description_de or None,
        )
        ServiceParameter.objects.bulk_create(
            ServiceParameter(department=department, position=position, **values)
            for position, values in enumerate(default_charter_parameters(), start=1)
        )
    return department


@transaction.atomic
def dependencies_set(*, consumer: Department, providers: Iterable[Department]) -> None:
    """Make `providers` exactly the departments `consumer` depends on. Idempotent."""
    wanted = {provider.pk for provider in providers if provider.pk != consumer.pk}
    Dependency.objects.filter(consumer=consumer).exclude(provider_id__in=wanted).delete()
    existing = set(Dependency.objects.filter(consumer=consumer).values_list("provider_id", flat=True))
    Dependency.objects.bulk_create(Dependency(consumer=consumer, provider_id=pk) for pk in sorted(wanted - existing))


@transaction.atomic
def delegates_set(*, department: Department, employees: Iterable[Employee]) -> None:
    """Make `employees` exactly the department's delegates (its head acts anyway and is never one).
    Idempotent. Its head or HR call it (departments.roles: can_name_delegates)."""
    wanted = {employee.pk for employee in employees if employee.pk != department.head_id}
    Delegate.objects.filter(department=department).exclude(employee_id__in=wanted).delete()
    existing = set(Delegate.objects.filter(department=department).values_list("employee_id", flat=True))
    Delegate.objects.bulk_create(
        (Delegate(department=department, employee_id=pk) for pk in sorted(wanted - existing)), ignore_conflicts=True
    )
