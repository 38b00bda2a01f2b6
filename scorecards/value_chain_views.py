"""The value chain map (who serves whom, coloured by the stored figures of a cycle), its data and
its text version. Every member may open them: they show what HR's heatmap shows, suppressed alike."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from departments.decorators import member_required
from departments.models import Department
from departments.roles import Roles, get_roles
from survey_portal.query import query_choice, query_page
from surveys.models import Cycle

from . import reports
from . import value_chain as chains

TABLE_PER_PAGE = 50  # dependencies per page of the text version


def _cycles_and_cycle(request) -> tuple[list[Cycle], Cycle | None]:
    """The cycles whose organisation-wide figures this person may read (published ones, but for HR)
    and the one asked for in ?cycle= (else the newest); a cycle that is not among them is 404,
    never another cycle's figures."""
    cycles = list(reports.cycles_visible_to(get_roles(request), organisation_wide=True))
    cycle = reports.pick_cycle(cycles, request.GET.get("cycle"))
    if cycle is None and request.GET.get("cycle"):
        raise Http404("No results for this cycle.")
    return cycles, cycle


def _scorecard_url(roles: Roles):
    def url(department: Department) -> str | None:
        return (
            reverse("scorecards:scorecard", args=[department.code]) if roles.can_read_scorecard(department) else None
        )

    return url


def _map_words() -> dict[str, str]:
    """The words static/js/value_chain.js writes, in the reader's language (%(name)s-style placeholders)."""
    return {
        "not_enough": _(chains.NOT_ENOUGH),
        "no_results": _("no results"),
        "front_line": _("(front line)"),
        "too_few": _("too few responses"),
        "not_rated": _("not rated"),
        "charter_link": _("%(name)s — charter"),
        "scorecard": _("scorecard"),
        "serves": _("%(provider)s serves %(consumer)s."),
        "serves_front_line": _("%(provider)s serves %(consumer)s (front line)."),
        "provider": _("Provider"),
        "consumer": _("Consumer"),
        "rating": _("Rating"),
        "no_results_yet": _("no results yet"),
        "rating_of": _("%(consumer)s’s rating of %(provider)s"),
        "against": _("%(mean)s against target %(target)s — %(status)s"),
        "overall": _("%(name)s’s overall index"),
        "focused": _("Showing %(name)s and the %(count)s departments within two steps of it."),
        "all": _("Showing all %(count)s departments."),
        "one_match": _("1 department matches."),
        "matches": _("%(count)s departments match."),
        "focus": _("Focus"),
        "focus_on": _("on %(name)s"),
        "more": _("and %(count)s more: type more of the name."),
        "failed": _("The map could not be loaded. Reload the page, or use the text version."),
    }


@member_required
def value_chain(request):
    """The map: drawn by static/js/value_chain.js from value_chain_data; the search, the "focus on"
    choice and the text version work without it."""
    cycles, cycle = _cycles_and_cycle(request)
    departments = list(Department.objects.active().only("code", "name", "front_line").order_by("name"))
    focus = query_choice(request, "focus", {d.code for d in departments}, label=_("department to focus on"))
    query = f"?cycle={cycle.pk}" if cycle else ""
    context = {
        "cycles": cycles,
        "cycle": cycle,
        "departments": departments,
        "focus": next((d for d in departments if d.code == focus), None),
        "data_url": reverse("scorecards:value_chain_data") + query,
        "table_url": reverse("scorecards:value_chain_table") + query,
        "words": _map_words(),
    }
    return render(request, "scorecards/value_chain.html", context)


@member_required
def value_chain_data(request):
    """The map's nodes and arrows with the cycle's stored figures, in one query."""
    _, cycle = _cycles_and_cycle(request)
    chain = chains.chain_map(cycle)
    data = chains.payload(
        chain, charter_url=Department.get_absolute_url, scorecard_url=_scorecard_url(get_roles(request))
    )
    return JsonResponse(data)


@member_required
def value_chain_table(request):
    """The map as a table, grouped by provider: who serves whom, with the same figures."""
    cycles, cycle = _cycles_and_cycle(request)
    chain = chains.chain_map(cycle)
    page = query_page(request, chain.edges, TABLE_PER_PAGE)
    rows = [
        (edge, chains.node_figure(edge.provider) if cycle else None, chains.edge_figure(edge) if cycle else None)
        for edge in page.object_list
    ]
    context = {
        "cycles": cycles,
        "cycle": cycle,
        "page": page,
        "rows": rows,
        "department_count": len(chain.departments),
        "map_url": reverse("scorecards:value_chain") + (f"?cycle={cycle.pk}" if cycle else ""),
    }
    return render(request, "scorecards/value_chain_table.html", context)
