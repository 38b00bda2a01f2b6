"""Pages that combine the apps: each person's home page (HR, head, employee) and a department's
charter page with its published results. They live above every app they read (apps depend one way)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from audits.models import Audit
from concerns import reports as concern_reports
from departments.chain import chain_of
from departments.decorators import head_required, hr_required, member_required
from departments.models import Department, Employee, active_charter_prefetch
from departments.roles import department_for, employee_of, get_roles
from improvements.models import ActionItem, Commitment, ProgressUpdate
from kpis.reports import attention_counts
from recognition import notes as recognition_notes
from recognition.models import Award
from scorecards import plans
from scorecards.models import DepartmentScore
from scorecards.reports import (
    cycles_visible_to,
    latest_published,
    latest_published_cycle,
    latest_with_figures,
    published_cycles,
)
from survey_portal.query import query_choice, query_int
from surveys.models import EDITABLE_STATUSES, Cycle, Invitation
from surveys.reports import STATUS_BADGES, participation, survey_url

PAST_COMMITMENTS = 10  # shown on the charter page before "show all"
DONE_PER_PAGE = 5  # "You said, we did" on the charter page
RECENT_PROGRESS = 5  # progress updates per department on the head's home
RECENT_NOTES = 5  # thank-you notes on the charter page and My surveys (the rest: the recognition wall)
RECENT_AWARDS = 5  # standing awards on the charter page (the rest: the recognition wall, filtered by department)


@member_required
def charter(request, code: str):
    department = department_for(request, code)
    roles = get_roles(request)
    parameters = list(department.charter_queryset())
    published = latest_published(department)
    chain = chain_of(department)
    for parameter in parameters:
        parameter.published = published.parameters.get(parameter.code) if published else None  # type: ignore[attr-defined]  # for the template
    context = {
        "department": department,
        "parameters": parameters,
        "published": published,
        "can_read_scorecard": roles.can_read_scorecard(department),
        # Whom it depends on, whom it serves, and the front-line departments it ultimately serves
        # (each by its shortest chain): one query over the dependencies.
        "providers": chain.providers,
        "consumers": chain.consumers,
        "reach": chain.reach,
        "can_edit_charter": roles.can_edit_charter(department),
        "can_follow": roles.can_follow(department),
        "can_act": roles.can_act_for(department),
        # The plan against the published results: titles, statuses and dates only (no owners, no updates).
        "plan": plans.department_plan(
            department,
            published.cycle,
            below=plans.below_target_of(department, published.parameters.values(), parameters),
        )
        if published
        else None,
        "today": timezone.localdate(),
        "notes": list(recognition_notes.notes_to(department)[:RECENT_NOTES]),
    }
    context |= _awards(department)
    context |= _commitments(request, department) | _you_said_we_did(request, department)
    return render(request, "portal/charter.html", context)


def _awards(department: Department) -> dict:
    """Standing awards, newest first, in one query: one more than shown, to know whether to link to the rest."""
    awards = list(
        Award.objects.standing()
        .filter(department=department)
        .select_related("criterion", "employee__user", "cycle")
        .order_by("-awarded_at")[: RECENT_AWARDS + 1]
    )
    return {"awards": awards[:RECENT_AWARDS], "more_awards": len(awards) > RECENT_AWARDS}


def _commitments(request, department: Department) -> dict:
    """Current commitments (pending, soonest first), then the newest past ones, kept or not: a
    department makes a few a year, read in one query."""
    show_all = query_choice(request, "commitments", ["all"], label=_("choice of commitments")) == "all"
    commitments = list(Commitment.objects.of(department).order_by("-due_on", "text"))
    past = [c for c in commitments if c.outcome != Commitment.Outcome.PENDING]
    return {
        "commitments_current": sorted(
            (c for c in commitments if c.outcome == Commitment.Outcome.PENDING), key=lambda c: (c.due_on, c.text)
        ),
        "commitments_past": past if show_all else past[:PAST_COMMITMENTS],
        "commitments_more": not show_all and len(past) > PAST_COMMITMENTS,
    }


def _you_said_we_did(request, department: Department) -> dict:
    """Done action items, newest first, a page at a time, each with its public progress updates
    only: internal ones stay with the department and HR. Pages go by "newer" and "older", without
    counting every item the department ever finished."""
    number = query_int(request, "page", default=1, low=1, high=100_000, label=_("page number"))
    public_updates = Prefetch(
        "updates",
        queryset=ProgressUpdate.objects.filter(public=True).order_by("-written_on", "-created_at"),
        to_attr="public_updates",
    )
    start = (number - 1) * DONE_PER_PAGE
    done = list(
        ActionItem.objects.of(department)
        .filter(status=ActionItem.Status.DONE)
        .prefetch_related(public_updates)
        .order_by("-completed_on", "-pk")[start : start + DONE_PER_PAGE + 1]
    )
    return {
        "done": done[:DONE_PER_PAGE],
        "done_page": number,
        "done_older": len(done) > DONE_PER_PAGE,
    }


@head_required
def head_home(request):
    roles = get_roles(request)
    departments = list(
        Department.objects.headed_by(request.user)
        .with_directory_counts()
        .prefetch_related(active_charter_prefetch())
        .order_by("name")
    )
    latest = cycles_visible_to(roles).first()
    scores = (
        {s.department_id: s for s in DepartmentScore.objects.filter(cycle=latest, department__in=departments)}
        if latest
        else {}
    )
    # Where the latest cycle had too few responses to show, the latest cycle that had enough.
    shown = latest_with_figures([d.pk for d in departments], cycles_visible_to(roles)) if latest else {}
    # The action plan first: what needs a plan, what is overdue, what moved lately.
    ids = [department.pk for department in departments]
    today = timezone.localdate()
    needing = plans.unplanned_by_department(plans.unplanned(cycles_visible_to(roles), ids))
    overdue = ActionItem.objects.filter(department__in=ids).filter(plans.overdue(today)).order_by("due_on", "title")
    overdue_by_department: dict[int, list[ActionItem]] = {}
    for item in overdue:
        overdue_by_department.setdefault(item.department_id, []).append(item)
    progress = plans.recent_progress(ids, RECENT_PROGRESS * len(ids))
    concerns = concern_reports.waiting_by_department(ids)
    for department in departments:
        department.latest_score = scores.get(department.pk)
        department.last_shown = shown.get(department.pk)
        department.needing = needing.get(department.pk, [])
        department.overdue = overdue_by_department.get(department.pk, [])
        department.progress = [u for u in progress if u.action.department_id == department.pk][:RECENT_PROGRESS]
        department.concerns_waiting, department.concerns_overdue = concerns.get(department.pk, (0, 0))
    context = {"departments": departments, "latest_cycle": latest, "today": today}
    return render(request, "portal/head_home.html", context)


@hr_required
def hr_home(request):
    roles = get_roles(request)
    departments = list(Department.objects.with_directory_counts().order_by("name"))
    active = [d for d in departments if d.active]
    context = {
        "department_count": len(active),
        "employee_count": Employee.objects.active().count(),
        "parameter_count": sum(d.parameter_count for d in active),
        "dependency_count": sum(d.provider_count for d in active),
        "without_head": [d for d in active if d.head_id is None],
        "without_charter": [d for d in active if d.parameter_count == 0],
        "unused": [d for d in active if d.consumer_count == 0],
        "open_cycles": [
            (cycle, participation(cycle)["totals"]) for cycle in Cycle.objects.open().order_by("closes_at")
        ],
        "next_cycle": Cycle.objects.filter(status__in=EDITABLE_STATUSES).order_by("opens_at").first(),
        "to_publish": list(Cycle.objects.filter(status=Cycle.Status.CLOSED).order_by("-closes_at")),
        "actions": plans.summary(cycles_visible_to(roles), timezone.localdate()),
        "concerns": concern_reports.organisation_summary(),
        "measures": _measures_summary(timezone.localdate()),
    }
    return render(request, "portal/hr_home.html", context)


def _measures_summary(today) -> dict[str, int]:
    """HR home's counts of measured service: KPIs missing or below their level, overdue audits."""
    return attention_counts(today) | {"overdue_audits": Audit.objects.overdue(today).count()}


def my_surveys(request):
    """The employee's home: open cycles with progress, and the departments they rate."""
    employee = employee_of(request)
    now = timezone.now()
    cycles: dict[int, dict] = {}
    for invitation in Invitation.objects.open_invitations_of(employee):
        entry = cycles.get(invitation.cycle_id)
        if entry is None:
            url = survey_url(invitation.cycle_id)
            entry = cycles[invitation.cycle_id] = {
                "cycle": invitation.cycle,
                "url": url,
                "invitations": [],
                "done": 0,
                "started": False,
                # Past its closing time, a cycle takes no more answers even before it is marked closed.
                "closed": invitation.cycle.closes_at <= now,
            }
        invitation.badge = STATUS_BADGES[invitation.progress]
        invitation.url = f"{entry['url']}#{invitation.department.code}"
        entry["invitations"].append(invitation)
        entry["done"] += not invitation.is_pending
        entry["started"] |= not invitation.is_pending or invitation.draft_saved_at is not None
    for entry in cycles.values():
        entry["total"] = len(entry["invitations"])
        entry["percent"] = round(100 * entry["done"] / entry["total"])
    context = {
        "employee": employee,
        # Heads and the delegates they named keep their department's action plan: their way in.
        "acting_departments": get_roles(request).acting_departments,
        "cycles": list(cycles.values()),
        "next_cycle": None
        if cycles
        else Cycle.objects.filter(status=Cycle.Status.SCHEDULED).order_by("opens_at").first(),
        # The same for everyone in the department: the page keeps its rendering (for five minutes,
        # or until another cycle is published) and builds this only to render it anew.
        "published_cycle_id": published_cycles().values_list("pk", flat=True).first(),
        "departments_rated": SimpleLazyObject(lambda: _departments_rated(employee.department)),
        "notes_received": list(recognition_notes.notes_received_by(employee)[:RECENT_NOTES]),
        "today": timezone.localdate(),
        # Mystery-shopping audits HR asked this person to make: theirs alone, never cached.
        "audits_to_do": list(
            Audit.objects.assigned_to(employee).scheduled().select_related("department").order_by("due_on")
        ),
    }
    return render(request, "portal/my_surveys.html", context)


def _departments_rated(department) -> dict:
    """The providers `department` depends on, each with its published index (when a cycle is published)."""
    providers = list(department.providers.active().order_by("name"))
    published = latest_published_cycle()
    if published is not None:
        scores = latest_with_figures([p.pk for p in providers], published_cycles())
        for provider in providers:
            provider.published_score = scores.get(provider.pk)
    return {"providers": providers, "published": published}


def home(request):
    """Send each person to the home page of their main role: HR, then head, then employee."""
    roles = get_roles(request)
    if roles.is_hr:
        return redirect("portal:hr_home")
    if roles.is_head:
        return redirect("portal:head_home")
    if roles.is_employee:
        return redirect("portal:my_surveys")
    return render(request, "accounts/no_role.html", status=403)
