"""Who is this user in the organisation? Employee, department head, HR admin — or several."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.shortcuts import get_object_or_404

from survey_portal import rawsql

from .models import HR_PERMISSION, Delegate, Department, Employee


@cache
def _roles_sql() -> str:
    """One row for a user id: their active employee record and its department (NULLs if none), then
    whether they hold the HR permission (directly or through a group) and head an active department.
    Plain SQL (see survey_portal.rawsql): every page asks, for its navigation at least."""
    user = get_user_model()
    permission, content_type = Permission._meta.db_table, ContentType._meta.db_table
    user_permissions = user.user_permissions.through._meta.db_table
    user_groups = user.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    department, employee = Department._meta.db_table, Employee._meta.db_table
    return f"""
        SELECT {rawsql.columns(Employee, "e")}, {rawsql.columns(Department, "d")},
            EXISTS (
                SELECT 1 FROM {permission} p JOIN {content_type} ct ON ct.id = p.content_type_id
                WHERE ct.app_label = %(app_label)s AND p.codename = %(codename)s AND (
                    p.id IN (SELECT permission_id FROM {user_permissions} WHERE user_id = %(user)s)
                    OR p.id IN (SELECT gp.permission_id FROM {group_permissions} gp
                                JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %(user)s))
            ),
            EXISTS (SELECT 1 FROM {department} hd WHERE hd.head_id = e.id AND hd.active)
        FROM (SELECT CAST(%(user)s AS integer) AS user_id) me
        LEFT JOIN {employee} e ON e.user_id = me.user_id AND e.active
        LEFT JOIN {department} d ON d.id = e.department_id
    """


@dataclass
class Roles:
    """Read once per request, in one query, and only by the pages that ask."""

    user: Any

    @cached_property
    def _loaded(self) -> tuple[Employee | None, bool, bool]:
        """(active employee record with its department, HR admin, head of an active department)."""
        if not self.user.is_authenticated or not self.user.is_active:
            return None, False, False
        app_label, codename = HR_PERMISSION.split(".")
        with connection.cursor() as cursor:
            rawsql.execute(cursor, _roles_sql(), {"user": self.user.pk, "app_label": app_label, "codename": codename})
            row = cursor.fetchone()
        employee, department = rawsql.instances(row[:-2], Employee, Department)
        if employee is not None:
            employee.department, employee.user = department, self.user
        has_permission, heads = row[-2:]
        return employee, bool(self.user.is_superuser or has_permission), bool(heads)

    @property
    def employee(self) -> Employee | None:
        return self._loaded[0]

    @cached_property
    def headed_departments(self) -> list[Department]:
        return list(Department.objects.headed_by(self.user).order_by("name"))

    @cached_property
    def delegated_department_ids(self) -> frozenset[int]:
        """Active departments the head named them a delegate of (one query, asked by the pages that act)."""
        if self.employee is None:
            return frozenset()
        # Only while they still work there: someone who moves department leaves its delegation behind.
        return frozenset(
            Delegate.objects.filter(
                employee=self.employee, department__active=True, department_id=self.employee.department_id
            ).values_list("department_id", flat=True)
        )

    @cached_property
    def acting_departments(self) -> list[Department]:
        """Departments they act for: those they head, then those they are a delegate of."""
        headed = self.headed_departments
        ids = [department.pk for department in headed]
        delegated = Department.objects.filter(pk__in=self.delegated_department_ids - set(ids)).order_by("name")
        return [*headed, *delegated]

    @property
    def is_hr(self) -> bool:
        return self._loaded[1]

    @property
    def is_employee(self) -> bool:
        return self.employee is not None

    @property
    def is_head(self) -> bool:
        return self._loaded[2]

    @property
    def has_any(self) -> bool:
        return self.is_hr or self.is_head or self.is_employee

    def heads(self, department: Department) -> bool:
        """Whether they head this (active) department: read from the department row, no query."""
        employee = self.employee
        return employee is not None and department.active and department.head_id == employee.pk

    # What they may do: every access rule of the portal, here and nowhere else (the views and
    # QuerySet methods ask these; tests/test_permission_matrix.py walks every URL).

    def can_read_scorecard(self, department: Department) -> bool:
        """A department's full scorecard (breakdown by rater, comments): its head and HR."""
        return self.is_hr or self.heads(department)

    def can_edit_charter(self, department: Department) -> bool:
        return self.is_hr or self.heads(department)

    def can_act_for(self, department: Department) -> bool:
        """Answer its concerns, keep its action plan and commitments: its head and the delegates the
        head named (HR reads them all, and acts only as HR: reassigning, hiding, nudging)."""
        return self.heads(department) or (department.active and department.pk in self.delegated_department_ids)

    def can_follow(self, department: Department) -> bool:
        """Read its concerns and its whole action plan, internal updates included: who acts, and HR."""
        return self.is_hr or self.can_act_for(department)

    def raised(self, concern) -> bool:
        """A named concern they raised (an anonymous concern names nobody: its raiser comes back
        with the receipt code instead)."""
        return self.employee is not None and not concern.anonymous and concern.raised_by_id == self.employee.pk

    def can_read_concern(self, concern) -> bool:
        return self.can_follow(concern.department) or self.raised(concern)

    def can_excuse_parameter(self, department: Department) -> bool:
        """Write "no action, because …" for a parameter below target: its head only (it answers for
        the department, on its charter page; delegates propose actions instead)."""
        return self.heads(department)

    def can_review_nomination(self, nomination) -> bool:
        """A reviewer, unless the nomination is of them or by them (HR excepted): nobody awards
        themselves, or learns who nominated them anonymously."""
        if not self.can_review_nominations:
            return False
        mine = self.employee is not None and self.employee.pk in (nomination.employee_id, nomination.nominator_id)
        return self.is_hr or not mine

    def can_manage_kpis(self, department: Department) -> bool:
        """Define its measured service levels (KPIs), part of its charter: HR and its head."""
        return self.can_edit_charter(department)

    def can_upload_kpi_values(self, department: Department) -> bool:
        """Upload its measured KPI values: HR (any department), its head and delegates."""
        return self.is_hr or self.can_act_for(department)

    @property
    def can_upload_kpi_values_somewhere(self) -> bool:
        """The KPI upload page: HR, and whoever acts for a department (a query for non-HR)."""
        return self.is_hr or bool(self.acting_departments)

    @property
    def kpi_upload_departments(self) -> list[Department] | None:
        """The departments whose KPI values this person may upload: None for every one (HR)."""
        return None if self.is_hr else self.acting_departments

    @property
    def can_see_auditors(self) -> bool:
        """Who carried out a mystery-shopping audit and on which day: HR only (the audited
        department reads months; the auditor their own audits)."""
        return self.is_hr

    def can_name_delegates(self, department: Department) -> bool:
        return self.is_hr or self.heads(department)

    @property
    def can_read_unpublished_results(self) -> bool:
        """Results of closed cycles before HR publishes them: heads and HR (everyone else reads
        published ones only)."""
        return self.is_hr or self.is_head

    @property
    def can_read_unpublished_organisation(self) -> bool:
        """Every department's results of a closed cycle before it is published (the heatmap, the
        value chain's figures): HR only; a head reads only their own department's until then."""
        return self.is_hr

    @property
    def can_export_results(self) -> bool:
        """Result exports: HR (every department) and heads (their own)."""
        return self.is_hr or self.is_head

    @property
    def can_hide_notes(self) -> bool:
        """Hide a thank-you note (with a reason), see hidden ones and who sent an unnamed one: HR."""
        return self.is_hr

    @cached_property
    def is_panel_member(self) -> bool:
        """Named by HR to review nominations (one query, asked by the pages that need it). The
        panel lives in the recognition app, above this one: looked up through the app registry,
        never imported."""
        if self.employee is None:
            return False
        return apps.get_model("recognition", "PanelMember").objects.filter(employee=self.employee).exists()

    @property
    def can_review_nominations(self) -> bool:
        """Approve, decline and merge nominations: HR and the panel HR names."""
        return self.is_hr or self.is_panel_member

    @property
    def can_manage_api_tokens(self) -> bool:
        """HR creates and revokes the REST API's service-account tokens."""
        return self.is_hr

    @property
    def can_see_inactive_departments(self) -> bool:
        return self.is_hr


def get_roles(request) -> Roles:
    """One Roles per request, so the queries behind it run at most once."""
    if not hasattr(request, "_roles"):
        request._roles = Roles(request.user)
    return request._roles


def department_for(request, code: str) -> Department:
    """Active departments are visible to every member; HR also sees inactive ones."""
    queryset = Department.objects.visible_to(get_roles(request)).select_related("head__user")
    return get_object_or_404(queryset, code=code)


def employee_of(request) -> Employee:
    """The signed-in person's active employee record; 403 for someone who is not an employee."""
    employee = get_roles(request).employee
    if employee is None:
        raise PermissionDenied("This page is for employees.")
    return employee


def can_audit(employee: Employee, department: Department) -> bool:
    """Whether someone may carry out a mystery-shopping audit of the department: an active employee
    outside it, never its head or one of its delegates (they would be auditing themselves). Asked
    when HR schedules the audit and again when the auditor records it (one query for delegates)."""
    if not employee.active or not employee.user.is_active:
        return False
    if employee.department_id == department.pk or department.head_id == employee.pk:
        return False
    return not Delegate.objects.filter(department=department, employee=employee).exists()


def hr_admin_emails() -> list[str]:
    """Every active HR admin's address (the HR permission through a group, or a superuser), sorted:
    whom HR's emails (escalations, digests) go to."""
    app_label, codename = HR_PERMISSION.split(".")
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    through_group = users.filter(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    )
    return sorted(
        set(through_group.values_list("email", flat=True))
        | set(users.filter(is_superuser=True).values_list("email", flat=True))
    )
