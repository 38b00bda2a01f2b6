"""Which parameters need a plan, and what each department plans: the reads of the pages that put
scores and plans side by side (action list, scorecard, the head's home, HR's overview, charter).

The rule, here and nowhere else: a parameter shown *Below* target (Meets / Close / Below) in its
department's latest finished cycle with figures needs a plan until the department answers that
cycle with
- an action item addressing it that is planned or in progress, or done since the cycle closed
  (completed or created since), or
- the head's "no action, because …" note on it, written since the cycle closed.
A dropped item answers nothing. Suppressed figures never need a plan (nobody saw them), nor does a
parameter taken out of the charter, nor an inactive department.

Every function here runs a fixed number of queries, whatever the number of departments or cycles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from departments.models import Department, Employee, ServiceParameter
from improvements.models import ActionItem, NoActionNote, ProgressUpdate
from surveys.models import EDITABLE_STATUSES, Cycle

from .models import CLOSE_MARGIN, DepartmentScore, ParameterScore, TargetStatus

CURRENT = (ActionItem.Status.PLANNED, ActionItem.Status.IN_PROGRESS)


def answering_actions(closed_at, closed_on) -> Q:
    """Action items that answer a cycle that closed at the moment `closed_at`, on the day
    `closed_on`: values, or references to an outer query's columns."""
    done_since = Q(completed_on__gte=closed_on) | Q(created_at__gte=closed_at)
    return Q(status__in=CURRENT) | (Q(status=ActionItem.Status.DONE) & done_since)


def answering_notes(closed_at) -> Q:
    """The head's notes (no action, because …) that answer a cycle that closed at `closed_at`:
    written since."""
    return Q(written_at__gte=closed_at)


def closed_at(cycle: Cycle) -> datetime:
    return cycle.closed_at or cycle.closes_at


def _below_target() -> QuerySet[ParameterScore]:
    """Shown parameter scores more than CLOSE_MARGIN short of their target, of active departments,
    each with its charter parameter (`charter_parameter_id`) and when its cycle closed.

    SQL compares the stored gap; target_status (which rounds the mean first) has the last word in
    `_kept`, so that every page calls the same parameters Below."""
    charter = ServiceParameter.objects.filter(department=OuterRef("department"), code=OuterRef("code"), active=True)
    return (
        ParameterScore.objects.filter(suppressed=False, gap__lt=-float(CLOSE_MARGIN), department__active=True)
        .annotate(
            charter_parameter_id=Subquery(charter.values("pk")[:1]),
            cycle_closed_at=Coalesce("cycle__closed_at", "cycle__closes_at"),
        )
        .annotate(cycle_closed_on=TruncDate("cycle_closed_at"))
        .filter(charter_parameter_id__isnull=False)
    )


def _kept(scores: Iterable[ParameterScore]) -> list[ParameterScore]:
    return [score for score in scores if score.status == TargetStatus.BELOW]


def unplanned(cycles: QuerySet[Cycle], department_ids: Iterable[int] | None = None) -> list[ParameterScore]:
    """The parameters that need a plan (the module's rule): Below-target parameter scores of each
    department's latest cycle among `cycles` in which its figures were shown, that nothing answers
    yet. Each has its `department`, `cycle` and `charter_parameter_id`; ordered by department name,
    then as in the charter. One query, for one department or all of them (`department_ids` None).
    """
    newest = (
        DepartmentScore.objects.filter(suppressed=False, cycle__in=cycles, department=OuterRef("department"))
        .order_by("-cycle__opens_at")
        .values("cycle_id")[:1]
    )
    scores = _below_target().filter(cycle_id=Subquery(newest))
    if department_ids is not None:
        scores = scores.filter(department_id__in=list(department_ids))
    planned = ActionItem.objects.filter(
        answering_actions(OuterRef("cycle_closed_at"), OuterRef("cycle_closed_on")),
        parameters=OuterRef("charter_parameter_id"),
    )
    excused = NoActionNote.objects.filter(
        answering_notes(OuterRef("cycle_closed_at")), parameter=OuterRef("charter_parameter_id")
    )
    scores = scores.filter(~Exists(planned), ~Exists(excused)).select_related("department__head__user", "cycle")
    return _kept(scores.order_by("department__name", "department_id", "position", "name"))


def unplanned_by_department(scores: list[ParameterScore]) -> dict[int, list[ParameterScore]]:
    grouped: dict[int, list[ParameterScore]] = {}
    for score in scores:
        grouped.setdefault(score.department_id, []).append(score)
    return grouped


# --- one department's plan against one cycle (scorecard, charter page) ----------------------------


@dataclass
class ParameterPlan:
    """A parameter Below target in a cycle, and what answers it: action items, or the head's note."""

    score: ParameterScore
    actions: list[ActionItem] = field(default_factory=list)
    note: NoActionNote | None = None

    @property
    def needs_plan(self) -> bool:
        return not self.actions and self.note is None

    @property
    def charter_parameter_id(self) -> int:
        return self.score.charter_parameter_id  # type: ignore[attr-defined]  # annotated by _below_target


@dataclass
class DepartmentPlan:
    cycle: Cycle | None
    below: list[ParameterPlan]  # the cycle's Below-target parameters, in charter order
    current: list[ActionItem]  # planned and in progress, by due date

    @property
    def needing(self) -> list[ParameterPlan]:
        return [plan for plan in self.below if plan.needs_plan]


def owners_prefetch() -> Prefetch:
    return Prefetch("owners", queryset=Employee.objects.select_related("user").order_by("user__last_name"))


def below_target_of(
    department: Department, scores: Iterable[ParameterScore], charter: Iterable[ServiceParameter]
) -> list[ParameterScore]:
    """What `_below_target` finds for one department and cycle, from its parameter scores and its
    active charter already read (the charter page has both): no query."""
    ids = {parameter.code: parameter.pk for parameter in charter if parameter.active}
    if not department.active:
        return []
    below = [s for s in scores if not s.suppressed and s.code in ids and s.status == TargetStatus.BELOW]
    for score in below:
        score.charter_parameter_id = ids[score.code]  # type: ignore[attr-defined]  # as _below_target
    return sorted(below, key=lambda score: (score.position, score.name))


def department_plan(
    department: Department,
    cycle: Cycle | None,
    *,
    below: list[ParameterScore] | None = None,
) -> DepartmentPlan:
    """What `department` does about its Below-target parameters of `cycle` (None: no results yet),
    and its current action items (with their parameters, not their owners). At most four queries
    (three when `below` is given: below_target_of), whatever the history."""
    if below is None:
        below = (
            _kept(_below_target().filter(cycle=cycle, department=department).order_by("position", "name"))
            if cycle is not None
            else []
        )
    when = closed_at(cycle) if cycle is not None and below else None
    answering = answering_actions(when, timezone.localdate(when)) if when else Q(status__in=CURRENT)
    queryset = ActionItem.objects.of(department).filter(answering).select_related("department")
    items = list(queryset.prefetch_related("parameters").order_by("due_on", "title"))
    plans = [ParameterPlan(score) for score in below]
    by_parameter = {plan.charter_parameter_id: plan for plan in plans}
    for item in items:
        for parameter in item.parameters.all():
            if parameter.pk in by_parameter:
                by_parameter[parameter.pk].actions.append(item)
    if when is not None:
        notes = NoActionNote.objects.filter(answering_notes(when), parameter_id__in=list(by_parameter))
        for note in notes.select_related("written_by__user").order_by("-written_at"):
            plan = by_parameter[note.parameter_id]
            plan.note = plan.note or note  # the newest
    return DepartmentPlan(cycle, plans, [item for item in items if item.status in CURRENT])


# --- action items, as lists -----------------------------------------------------------------------


def overdue(today: date) -> Q:
    """Planned or in progress, and due before `today`."""
    return Q(status__in=CURRENT, due_on__lt=today)


def with_rows(*lists: Iterable[ActionItem]) -> None:
    """Loads what a row of an action item list shows (its parameters and owners) for the items of
    every list at once: two queries, however many lists a page shows."""
    prefetch_related_objects([item for items in lists for item in items], "parameters", owners_prefetch())


def recent_progress(department_ids: Iterable[int], count: int) -> list[ProgressUpdate]:
    """The newest progress updates of these departments' action items, internal ones included
    (for the people who follow the plan)."""
    return list(
        ProgressUpdate.objects.filter(action__department_id__in=list(department_ids))
        .select_related("action__department", "author__user")
        .order_by("-written_on", "-created_at")[:count]
    )


def last_opened_cycle() -> Cycle | None:
    """The newest cycle that opened (open, closed or published): "since the last cycle opened"."""
    return Cycle.objects.exclude(status__in=EDITABLE_STATUSES).order_by("-opens_at").first()


def opened_on(cycle: Cycle) -> date:
    return timezone.localdate(cycle.opened_at or cycle.opens_at)


def done_since(day: date) -> Q:
    return Q(status=ActionItem.Status.DONE, completed_on__gte=day)


@dataclass
class Summary:
    """HR's counts: parameters needing a plan (and in how many departments), overdue items, items
    done since the last cycle opened."""

    unplanned: list[ParameterScore]
    overdue: int
    done: int
    since: Cycle | None

    @property
    def departments(self) -> int:
        return len({score.department_id for score in self.unplanned})


def summary(cycles: QuerySet[Cycle], today: date) -> Summary:
    """Three queries, whatever the size of the organisation."""
    since = last_opened_cycle()
    counts = {"overdue": Count("pk", filter=overdue(today))}
    if since is not None:
        counts["done"] = Count("pk", filter=done_since(opened_on(since)))
    figures = ActionItem.objects.filter(department__active=True).aggregate(**counts)
    return Summary(unplanned(cycles), figures["overdue"], figures.get("done", 0), since)


def counts_by_department(queryset: QuerySet[ActionItem]) -> dict[int, int]:
    return dict(
        queryset.order_by().values_list("department_id").annotate(n=Count("pk")).values_list("department_id", "n")
    )
