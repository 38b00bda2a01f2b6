"""What the thank-you and nomination forms share: the department they are about, and that
department's people and charter parameters, offered in the same form."""

from __future__ import annotations

from typing import Any

from departments.models import Department, Employee, ServiceParameter
from survey_portal.text import refused_character


class ChosenDepartmentMixin:
    """Offers every active department but the author's own; once one is chosen (posted, or linked
    as the initial value), its active people but the author in `people_field`, and its active
    parameters in `parameter`. Someone or something of another department is then not a choice."""

    fields: Any
    data: Any
    initial: Any
    is_bound: bool
    people_field: str

    def offer_department(self, author: Employee) -> None:
        field = self.fields["department"]
        field.queryset = Department.objects.active().order_by("name")
        # Offered: every department but one's own (chosen anyway, it is refused with a reason).
        field.choices = [
            ("", "— Choose a department —"),
            *((d.code, d.name) for d in field.queryset if d.pk != author.department_id),
        ]
        self.chosen = self._chosen_department(author)
        if self.chosen is not None:
            self.fields[self.people_field].queryset = (
                Employee.objects.active()
                .filter(department=self.chosen)
                .exclude(pk=author.pk)
                .select_related("user")
                .order_by("user__first_name", "user__last_name")
            )
            self.fields["parameter"].queryset = ServiceParameter.objects.filter(
                department=self.chosen, active=True
            ).order_by("position", "name")

    def _chosen_department(self, author: Employee) -> Department | None:
        code = self.data.get("department") if self.is_bound else self.initial.get("department")
        if not isinstance(code, str) or not code or len(code) > 50 or refused_character(code):
            return None  # not a code: the field says so (and PostgreSQL refuses a NUL in a query)
        return Department.objects.active().exclude(pk=author.department_id).filter(code=code).first()
