from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concerns import reports as concern_reports
from departments.decorators import hr_required
from departments.models import Department, ServiceParameter
from departments.roles import department_for, get_roles
from improvements.models import ActionItem, ActionTemplate
from recognition import notes as recognition_notes
from recognition.models import Award
from survey_portal.celery import enqueue
from survey_portal.query import query_int
from surveys.models import Cycle

from . import exports, measured, plans, reports
from .forms import NoActionForm
from .models import CycleResult, DepartmentScore, ParameterScore
from .tasks import awards_evaluate_task, cycle_aggregate_task


def _cycles(request) -> list[Cycle]:
    return list(reports.cycles_visible_to(get_roles(request)))


def scorecard(request, code: str):
    """A department's scorecard: for its head and for HR. Everyone else reads the charter page."""
    roles = get_roles(request)
    department = get_object_or_404(Department, code=code)
    if not roles.can_read_scorecard(department):
        raise PermissionDenied("Only the department's head and HR can read its scorecard.")
    cycles = _cycles(request)
    cycle = reports.pick_cycle(cycles, request.GET.get("cycle"))
    if cycle is None and request.GET.get("cycle"):
        return _no_results_yet(request, cycles, department)
    context = {
        "department": department,
        "cycles": cycles,
        "cycle": cycle,
        "version": reports.version(cycles),
        # Plans change between two calculations of the results: read every time, never cached.
        "plan": plans.department_plan(department, cycle),
        "can_act": roles.can_act_for(department),
        "can_excuse": roles.can_excuse_parameter(department),
        "today": timezone.localdate(),
    }
    if cycle is not None:
        # Built only when the page renders it anew: the rendering is cached until results change.
        context["card"] = SimpleLazyObject(lambda: reports.scorecard(department, cycle, cycles, with_comments=True))
        # Whether the changes made a difference: beside the plan, read every time like it.
        feedback = DepartmentScore.objects.filter(cycle=cycle, department=department).first()
        if feedback is not None:
            feedback.department = department
        context["feedback_score"] = feedback
        # Concerns raised with the department in the quarter the cycle opened: read every time.
        start, end = concern_reports.quarter_of(timezone.localdate(cycle.opens_at))
        context["concern_figures"] = concern_reports.figures(start, end, [department.pk]).get(department.pk)
        context["concern_quarter"] = concern_reports.quarter_label(start)
        # Thank-you notes in the same quarter, counted per parameter (counts only): read every time.
        context["note_counts"] = _note_counts(department, start, end)
        # The department's awards in this cycle, in one query: withdrawn ones for HR only.
        awards = Award.objects.filter(department=department, cycle=cycle)
        if not roles.is_hr:
            awards = awards.standing()
        context["awards"] = list(awards.select_related("criterion", "employee__user", "cycle").order_by("-awarded_at"))
        # KPIs and audits arrive between two calculations of the results: read every time. The
        # latest cycle shows the newest of them; an earlier one what was known when it closed.
        latest = context["latest_cycle"] = cycle.pk == cycles[0].pk
        context["measured"] = measured.measured(
            department,
            cycle,
            list(ParameterScore.objects.filter(cycle=cycle, department=department)),
            latest=latest,
            for_hr=roles.can_see_auditors,
        )
    return render(request, "scorecards/scorecard.html", context)


def _note_counts(department: Department, start, end) -> list[tuple[str, int]]:
    """(parameter name, visible notes) in the quarter [start, end); "" for notes naming none."""
    since, until = (timezone.make_aware(datetime.combine(day, time.min)) for day in (start, end))
    return recognition_notes.note_counts_by_parameter(department, since=since, until=until)


def _no_results_yet(request, cycles: list[Cycle], department: Department | None = None):
    """A cycle asked for by ?cycle= that has no results yet (open, or closed and being calculated)
    gets a page saying when they appear; any other id is 404. Only HR learns of cycles not yet open."""
    wanted = request.GET["cycle"]
    cycle = (
        Cycle.objects.filter(pk=int(wanted)).first()
        if wanted.isascii() and wanted.isdigit() and len(wanted) < 10
        else None
    )
    if cycle is None or (cycle.is_editable and not get_roles(request).is_hr):
        raise Http404("No results for this cycle.")
    if cycle.is_finished and CycleResult.objects.filter(cycle=cycle, computed_at__isnull=False).exists():
        raise Http404("No results for this cycle.")  # computed, but not for this person to read
    context = {"cycle": cycle, "department": department, "latest": cycles[0] if cycles else None}
    return render(request, "scorecards/no_results_yet.html", context)


@hr_required
def organisation(request):
    """HR: every department ranked, the heatmap of who rates whom, and what falls below target."""
    cycles = _cycles(request)
    cycle = reports.pick_cycle(cycles, request.GET.get("cycle"))
    if cycle is None and request.GET.get("cycle"):
        return _no_results_yet(request, cycles)
    # A page past the last shows the last (reports.organisation).
    columns_page = query_int(request, "cols", default=1, low=1, high=1000, label=_("page of the heatmap"))
    context = {
        "cycles": cycles,
        "cycle": cycle,
        "version": reports.version(cycles),
        "columns_page": columns_page,
        "open_cycles": Cycle.objects.open().order_by("closes_at"),
    }
    if cycle is not None:
        # Built only when the page renders it anew: the rendering is cached until results change.
        context["org"] = SimpleLazyObject(lambda: reports.organisation(cycle, cycles, columns_page=columns_page))
    return render(request, "scorecards/organisation.html", context)


@hr_required
@require_POST
def recalculate(request, cycle_id: int):
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    if not cycle.is_finished:
        messages.error(
            request,
            _(
                "Results are calculated once, when the cycle closes: figures that moved with each answer "
                "would let anyone compare two views and single out one person. Participation is live on the cycle page."
            ),
        )
        return redirect(cycle)
    if enqueue(cycle_aggregate_task, cycle.pk):
        messages.success(
            request, _("The results of “%(name)s” are being recalculated; reload in a moment.") % {"name": cycle.name}
        )
    else:
        messages.error(
            request, _("The task service is unavailable: the results will be recalculated when it is back.")
        )
    return redirect(f"{reverse('scorecards:organisation')}?cycle={cycle.pk}")


@hr_required
@require_POST
def awards_evaluate(request, cycle_id: int):
    """HR's "Evaluate awards now": the awards earned by rule in a published cycle, in the background."""
    cycle = get_object_or_404(Cycle, pk=cycle_id)
    if cycle.status != Cycle.Status.PUBLISHED:
        messages.error(request, _("Awards are evaluated once a cycle's results are published."))
    elif enqueue(awards_evaluate_task, cycle.pk):
        messages.success(
            request, _("The awards of “%(name)s” are being evaluated; reload in a moment.") % {"name": cycle.name}
        )
    else:
        messages.error(request, _("The task service is unavailable: try again in a few minutes."))
    return redirect(f"{reverse('scorecards:organisation')}?cycle={cycle.pk}")


def export(request, cycle_id: int, what: str, fmt: str):
    """scores / heatmap as CSV, or both sheets as XLSX. HR gets every department, a head their own."""
    roles = get_roles(request)
    if not roles.can_export_results:
        raise PermissionDenied("Exports are for department heads and HR.")
    cycle = next((c for c in _cycles(request) if c.pk == cycle_id), None)
    if cycle is None:
        raise Http404("No results for this cycle.")
    departments = None if roles.is_hr else Department.objects.scorecards_visible_to(roles)
    stem = slugify(cycle.name) or "cycle"
    if fmt == "xlsx":
        body = exports.as_xlsx(
            [
                ("scores", exports.SCORE_COLUMNS, exports.score_rows(cycle, departments)),
                ("heatmap", exports.HEATMAP_COLUMNS, exports.heatmap_rows(cycle, departments)),
            ]
        )
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{stem}-results.xlsx"'
        return response
    if what == "scores":
        text = exports.as_csv(exports.SCORE_COLUMNS, exports.score_rows(cycle, departments))
    else:
        text = exports.as_csv(exports.HEATMAP_COLUMNS, exports.heatmap_rows(cycle, departments))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}-{what}.csv"'
    return response


# --- action plans: the pages that put scores and plans side by side ---------------------------------

FINISHED_PER_PAGE = 10


def _page(request, items, name: str, label: str, per_page: int = FINISHED_PER_PAGE) -> Page:
    """The page of `items` asked for in ?<name>= (past the last one: the last one), read."""
    page = Paginator(items, per_page).get_page(query_int(request, name, default=1, low=1, high=100_000, label=label))
    page.object_list = list(page.object_list)
    return page


def _with_templates(scores: list) -> None:
    """Each score that needs a plan gets HR's suggested actions for its parameter (`suggestions`):
    matched by name, without regard to case, in one query."""
    suited = Q()
    for name in {score.name for score in scores}:
        suited |= Q(parameter_name__iexact=name)
    suggestions: dict[str, list[ActionTemplate]] = {}
    for template in ActionTemplate.objects.filter(suited).order_by("title"):
        suggestions.setdefault(template.parameter_name.casefold(), []).append(template)
    for score in scores:
        score.suggestions = suggestions.get(score.name.casefold(), [])


def action_list(request, code: str):
    """A department's action plan: what needs a plan first, then current, done and dropped items.
    Its head and delegates keep it; HR reads it."""
    roles = get_roles(request)
    department = department_for(request, code)
    if not roles.can_follow(department):
        raise PermissionDenied("A department's action plan is for its head, the delegates they named, and HR.")
    can_act = roles.can_act_for(department)
    needing = plans.unplanned(reports.cycles_visible_to(roles), [department.pk])
    if can_act and needing:
        _with_templates(needing)
    items = ActionItem.objects.of(department).select_related("department")
    current = list(items.filter(status__in=plans.CURRENT).order_by("due_on", "title"))
    done = _page(
        request,
        items.filter(status=ActionItem.Status.DONE).order_by("-completed_on", "-pk"),
        "done_page",
        _("page of done actions"),
    )
    dropped = _page(
        request,
        items.filter(status=ActionItem.Status.DROPPED).order_by("-due_on", "-pk"),
        "dropped_page",
        _("page of dropped actions"),
    )
    plans.with_rows(current, done, dropped)
    today = timezone.localdate()
    context = {
        "department": department,
        "needing": needing,
        "current": current,
        "done": done,
        "dropped": dropped,
        "today": today,
        "can_act": can_act,
        "can_excuse": roles.can_excuse_parameter(department),
        "can_name_delegates": roles.can_name_delegates(department),
        "can_read_scorecard": roles.can_read_scorecard(department),
        "is_hr": roles.is_hr,
    }
    return render(request, "scorecards/action_list.html", context)


def no_action(request, code: str, parameter_id: int):
    """The head's "no action, because …" for a parameter of their charter below target."""
    roles = get_roles(request)
    department = department_for(request, code)
    if not roles.can_excuse_parameter(department):
        raise PermissionDenied("Only the department's head can decide that nothing will be done about a score.")
    parameter = get_object_or_404(ServiceParameter, pk=parameter_id, department=department, active=True)
    # The figures it answers, when the parameter needs a plan now.
    unplanned = plans.unplanned(reports.cycles_visible_to(roles), [department.pk])
    needing = {score.charter_parameter_id: score for score in unplanned}  # type: ignore[attr-defined]
    form = NoActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.save(commit=False)
        note.parameter, note.written_by = parameter, roles.employee
        note.save()
        messages.success(
            request,
            _(
                "Your reason for taking no action on %(name)s was saved: it leaves the list of parameters "
                "needing a plan until the next results. Employees read it on your charter page while the published "
                "results show it below target."
            )
            % {"name": parameter.name},
        )
        return redirect("scorecards:action_list", code=department.code)
    context = {"department": department, "parameter": parameter, "score": needing.get(parameter.pk), "form": form}
    return render(request, "scorecards/no_action.html", context)


@hr_required
def hr_actions(request):
    """HR: what each department still has to plan, what is overdue and what was done lately."""
    roles = get_roles(request)
    today = timezone.localdate()
    needing = plans.unplanned_by_department(plans.unplanned(reports.cycles_visible_to(roles)))
    active = ActionItem.objects.filter(department__active=True)
    overdue = active.filter(plans.overdue(today))
    since = plans.last_opened_cycle()
    done = active.filter(plans.done_since(plans.opened_on(since))) if since else active.none()
    overdue_counts = plans.counts_by_department(overdue)
    done_counts = plans.counts_by_department(done)
    # Departments with something to chase: a parameter without a plan, or an item overdue.
    chased = Department.objects.filter(pk__in=set(needing) | set(overdue_counts)).select_related("head__user")
    departments = _page(request, chased.order_by("name"), "page", _("page number"), per_page=25)
    for department in departments:
        department.needing = needing.get(department.pk, [])
        department.overdue_count = overdue_counts.get(department.pk, 0)
        department.done_count = done_counts.get(department.pk, 0)
    overdue_page = _page(
        request,
        overdue.select_related("department").order_by("due_on", "department__name", "title"),
        "overdue_page",
        _("page of overdue actions"),
        per_page=25,
    )
    done_page = _page(
        request,
        done.select_related("department").order_by("-completed_on", "department__name", "title"),
        "done_page",
        _("page of done actions"),
        per_page=25,
    )
    plans.with_rows(overdue_page, done_page)
    context = {
        "departments": departments,
        "needing_count": sum(len(scores) for scores in needing.values()),
        "overdue": overdue_page,
        "done": done_page,
        "since": since,
        "today": today,
    }
    return render(request, "scorecards/hr_actions.html", context)
