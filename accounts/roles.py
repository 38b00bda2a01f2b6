"""Who is this user in the organisation? Employee, department head, HR admin — or several."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from departments.models import Department, Employee
from departments.services import HR_PERMISSION


@dataclass
class Roles:
    user: object

    @cached_property
    def employee(self) -> Employee | None:
        if not self.user.is_authenticated:
            return None
        employee = Employee.objects.active().select_related("department").filter(user=self.user).first()
        if employee is not None:
            employee.user = self.user  # the request's user: no second query for it
        return employee

    @cached_property
    def headed_departments(self) -> list[Department]:
        return list(Department.objects.headed_by(self.user).order_by("name"))

    @cached_property
    def is_hr(self) -> bool:
        return self.user.is_authenticated and self.user.has_perm(HR_PERMISSION)

    @property
    def is_employee(self) -> bool:
        return self.employee is not None

    @property
    def is_head(self) -> bool:
        return bool(self.headed_departments)

    @property
    def has_any(self) -> bool:
        return self.is_hr or self.is_head or self.is_employee

    def heads(self, department: Department) -> bool:
        return any(d.pk == department.pk for d in self.headed_departments)

    def can_edit_charter(self, department: Department) -> bool:
        return self.is_hr or self.heads(department)


def get_roles(request) -> Roles:
    """One Roles per request, so the queries behind it run at most once."""
    if not hasattr(request, "_roles"):
        request._roles = Roles(request.user)
    return request._roles
