"""Who is invited, and the cycle's snapshot of the charters: the set-based writes of opening a cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Department, Dependency, Employee, ServiceParameter
from improvements.models import ActionItem

from ..models import EDITABLE_STATUSES, ActionFeedbackQuestion, Cycle, CycleParameter, Invitation
from .errors import SurveyError


def eligible_departments() -> list[Department]:
    """The default scope: every active department with at least one active service parameter."""
    return list(
        Department.objects.active()
        .filter(pk__in=ServiceParameter.objects.filter(active=True).values("department_id"))
        .order_by("name")
    )


def _candidates_sql(*, snapshot: bool) -> str:
    """Who is invited: active employees × the in-scope departments their department depends on.

    With `snapshot`, only departments that have questions in the cycle's snapshot (used when opening);
    without, departments with an active charter (used for the preview before the snapshot exists).
    """
    e, u, dep, d = (
        Employee._meta.db_table,
        get_user_model()._meta.db_table,
        Dependency._meta.db_table,
        Department._meta.db_table,
    )
    scope = Cycle.departments.through._meta.db_table
    if snapshot:
        has_questions = (
            f"SELECT 1 FROM {CycleParameter._meta.db_table} q WHERE q.cycle_id = %s AND q.department_id = p.id"
        )
    else:
        has_questions = f"SELECT 1 FROM {ServiceParameter._meta.db_table} q WHERE q.department_id = p.id AND q.active"
    return f"""
        SELECT e.id AS employee_id, dep.provider_id AS department_id, e.department_id AS rater_department_id
        FROM {e} e
        JOIN {u} u ON u.id = e.user_id AND u.is_active
        JOIN {dep} dep ON dep.consumer_id = e.department_id
        JOIN {scope} s ON s.department_id = dep.provider_id AND s.cycle_id = %s
        JOIN {d} p ON p.id = dep.provider_id AND p.active
        WHERE e.active AND dep.provider_id <> e.department_id AND EXISTS ({has_questions})
    """


@dataclass
class Preview:
    total: int
    employees: int
    by_department: list[tuple[str, int]]
    by_rater: list[tuple[str, int]]


def cycle_preview(*, cycle: Cycle) -> Preview:
    """How many invitations opening the cycle now would create, per department and per rater department."""
    if not cycle.is_editable:
        raise SurveyError(_("Only a cycle that has not opened has a preview."))
    sql = _candidates_sql(snapshot=False)
    names = dict(Department.objects.values_list("id", "name"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT department_id, COUNT(*) FROM ({sql}) c GROUP BY department_id", [cycle.pk])
        by_department = sorted(((names[pk], n) for pk, n in cursor.fetchall()), key=lambda row: (-row[1], row[0]))
        cursor.execute(f"SELECT rater_department_id, COUNT(*) FROM ({sql}) c GROUP BY rater_department_id", [cycle.pk])
        by_rater = sorted(((names[pk], n) for pk, n in cursor.fetchall()), key=lambda row: (-row[1], row[0]))
        cursor.execute(f"SELECT COUNT(DISTINCT employee_id) FROM ({sql}) c", [cycle.pk])
        employees = cursor.fetchone()[0]
    return Preview(sum(n for _, n in by_department), employees, by_department, by_rater)


def invitations_create(*, cycle: Cycle) -> int:
    """Invite everyone who should be invited and is not yet. One INSERT … SELECT; idempotent.

    Used when the cycle opens and, later, by HR to add people who joined during the cycle. The unique
    constraint (cycle, employee, department) with ON CONFLICT DO NOTHING makes a rerun create nothing.
    """
    table = Invitation._meta.db_table
    sql = f"""
        INSERT INTO {table} (cycle_id, employee_id, department_id, rater_department_id, status)
        SELECT %s, c.employee_id, c.department_id, c.rater_department_id, %s
        FROM ({_candidates_sql(snapshot=True)}) c
        WHERE true -- SQLite needs a WHERE here, or it reads ON CONFLICT as a join condition
        ON CONFLICT (cycle_id, employee_id, department_id) DO NOTHING
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [cycle.pk, Invitation.Status.PENDING, cycle.pk, cycle.pk])
        return cursor.rowcount


def cycle_snapshot(*, cycle: Cycle) -> int:
    """Copy the active charter of every in-scope department into the cycle. Idempotent."""
    existing = set(CycleParameter.objects.filter(cycle=cycle).values_list("department_id", "code"))
    parameters = [
        p
        for p in ServiceParameter.objects.filter(active=True, department__in=cycle.departments.all())
        if (p.department_id, p.code) not in existing
    ]
    created = CycleParameter.objects.bulk_create(
        [
            CycleParameter(
                cycle=cycle,
                department_id=p.department_id,
                code=p.code,
                # The cycle asks the charter's English texts, whatever language opened it; pages
                # show a translation while the charter's English is unchanged (departments.languages).
                name=p.name_en or p.name,  # type: ignore[attr-defined]  # modeltranslation's field
                description=p.description_en or p.description,  # type: ignore[attr-defined]
                target=p.target,
                weight=p.weight,
                position=p.position,
            )
            for p in parameters
        ],
        ignore_conflicts=True,
    )
    return len(created)


def action_items_done_dates(*, cycle: Cycle) -> tuple[date, date] | None:
    """The dates "since the last survey" covers for `cycle`: from the day the previous cycle of the
    organisation opened (the latest other cycle that opened before this one, imported or not) to
    the day before this one opened (or opens now, if it has not yet: opening early moves
    `opens_at`). An item done on the day a cycle opens counts for the next one, so no item counts
    twice. None for the first cycle: there was no last survey."""
    opening = min(cycle.opens_at, timezone.now())
    previous = (
        Cycle.objects.exclude(pk=cycle.pk)
        .exclude(status__in=EDITABLE_STATUSES)
        .filter(opens_at__lt=opening)
        .order_by("-opens_at")
        .values_list("opens_at", flat=True)
        .first()
    )
    if previous is None:
        return None
    return timezone.localdate(previous), timezone.localdate(opening)


def action_feedback_snapshot(*, cycle: Cycle) -> int:
    """Fix, as the cycle opens, which departments it asks the action-feedback question about: those
    in scope with an action item done in action_items_done_dates. Idempotent; the database refuses
    a change once the cycle has opened (ActionFeedbackQuestion says why). Returns how many."""
    dates = action_items_done_dates(cycle=cycle)
    if dates is None:
        return 0
    departments = (
        ActionItem.objects.done_between(*dates)
        .filter(department__in=cycle.departments.all())
        .values_list("department_id", flat=True)
        .distinct()
    )
    created = ActionFeedbackQuestion.objects.bulk_create(
        [
            ActionFeedbackQuestion(cycle=cycle, department_id=department_id, done_since=dates[0], done_before=dates[1])
            for department_id in sorted(departments)
        ],
        ignore_conflicts=True,
    )
    return len(created)
