from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from departments.decorators import hr_required
from departments.models import Department
from departments.roles import get_roles
from survey_portal.celery import enqueue
from survey_portal.query import query_int
from surveys.models import Cycle

from . import exports, reports
from .models import CycleResult
from .tasks import cycle_aggregate_task


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
    context = {"department": department, "cycles": cycles, "cycle": cycle, "version": reports.version(cycles)}
    if cycle is not None:
        # Built only when the page renders it anew: the rendering is cached until results change.
        context["card"] = SimpleLazyObject(lambda: reports.scorecard(department, cycle, cycles, with_comments=True))
    return render(request, "scorecards/scorecard.html", context)


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
    columns_page = query_int(request, "cols", default=1, low=1, high=1000, label="page of the heatmap")
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
            "Results are calculated once, when the cycle closes: figures that moved with each answer "
            "would let anyone compare two views and single out one person. Participation is live on the cycle page.",
        )
        return redirect(cycle)
    if enqueue(cycle_aggregate_task, cycle.pk):
        messages.success(request, f"The results of “{cycle.name}” are being recalculated; reload in a moment.")
    else:
        messages.error(request, "The task service is unavailable: the results will be recalculated when it is back.")
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
