"""Reads for the scorecard pages and exports: who may see which cycle, and each page's data.

Every page reads stored results only (services.cycle_aggregate wrote them), with a fixed number of
queries whatever the size of the organisation or the number of cycles. Suppressed figures are
NULL in the database, so nothing here can show them by accident.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from departments.languages import in_language
from departments.models import DEFAULT_TARGET, Department
from departments.roles import Roles
from survey_portal.numbers import decimal_text
from surveys.models import Cycle, Response

from .models import DepartmentScore, HeatmapCell, ParameterScore, Participation


def cycles_visible_to(roles: Roles, *, organisation_wide: bool = False) -> QuerySet[Cycle]:
    """Cycles whose results this person may read, newest first.

    HR and heads: finished cycles (an open cycle has no results: see services.cycle_aggregate).
    Everyone else: published cycles only. `organisation_wide`, for pages that show every
    department's figures (the value chain): finished cycles for HR, published ones for the rest.
    """
    cycles = (
        Cycle.objects.finished()
        .filter(result__computed_at__isnull=False)
        .select_related("result")
        .order_by("-opens_at")
    )
    if roles.can_read_unpublished_organisation or (roles.can_read_unpublished_results and not organisation_wide):
        return cycles
    return cycles.filter(status=Cycle.Status.PUBLISHED)


def version(cycles: list[Cycle]) -> str:
    """Changes whenever what result pages show of these cycles changes (figures recomputed, a
    cycle closed, published or purged): they cache their rendering under it. Every cycle counts:
    a trend shows them all."""
    state = [(c.pk, c.status, c.result.computed_at, c.published_at, c.purged_at) for c in cycles]
    return hashlib.md5(repr(state).encode(), usedforsecurity=False).hexdigest()


def pick_cycle(cycles: list[Cycle], wanted: str | None) -> Cycle | None:
    """The cycle asked for in ?cycle=, else the newest; None when the id is not among `cycles`."""
    if wanted in (None, ""):
        return cycles[0] if cycles else None
    return next((c for c in cycles if str(c.pk) == wanted), None)


@dataclass
class Trend:
    """Values per cycle (oldest first) for the chart and its table."""

    cycles: list[Cycle]
    index: list[float | None]
    parameters: list[tuple[str, list[float | None]]]  # (parameter name, values)

    def headline(self) -> str:
        """The chart's finding, in words: how the index moved and where the trend is weakest."""
        points = [(c, v) for c, v in zip(self.cycles, self.index, strict=True) if v is not None]
        if len(points) < 2:
            return _("The trend appears once two cycles have results.")
        (first_cycle, first), (__, last) = points[0], points[-1]
        change = last - first
        if abs(change) < 0.05:
            sentence = _("The overall index held steady at %(last)s since %(cycle)s") % {
                "last": decimal_text(f"{last:.1f}"),
                "cycle": first_cycle.name,
            }
        else:
            words = {
                "first": decimal_text(f"{first:.1f}"),
                "last": decimal_text(f"{last:.1f}"),
                "cycle": first_cycle.name,
            }
            if change > 0:
                sentence = _("The overall index rose from %(first)s to %(last)s since %(cycle)s") % words
            else:
                sentence = _("The overall index fell from %(first)s to %(last)s since %(cycle)s") % words
        falling = [
            (values[-1] - values[-2], name)
            for name, values in self.parameters
            if len(values) >= 2 and values[-1] is not None and values[-2] is not None
        ]
        worst = min(falling, default=None)
        if worst and worst[0] <= -0.1:
            sentence += _("; %(name)s fell most in the last cycle (%(change)s)") % {
                "name": worst[1],
                "change": decimal_text(f"{worst[0]:+.1f}"),
            }
        return sentence + "."

    def sparkline(self, width: int = 120, height: int = 32) -> str:
        """SVG polyline points of the index on a fixed 1–5 axis (gaps where it was suppressed)."""
        values = [(i, v) for i, v in enumerate(self.index) if v is not None]
        if len(values) < 2:
            return ""
        step = width / max(1, len(self.index) - 1)
        return " ".join(f"{i * step:.1f},{height - (v - 1) / 4 * height:.1f}" for i, v in values)

    def chart_data(self) -> dict:
        return {
            "labels": [c.name for c in self.cycles],
            "series": [{"label": _("Overall index"), "values": self.index}]
            + [{"label": name, "values": values} for name, values in self.parameters],
        }


@dataclass
class Scorecard:
    department: Department
    cycle: Cycle
    overall: DepartmentScore | None
    parameters: list[ParameterScore]
    cells: list[HeatmapCell]
    participation: Participation | None
    trend: Trend
    # (text, how many gave exactly this text), sorted by text.
    comments_good: list[tuple[str, int]] = field(default_factory=list)
    comments_improve: list[tuple[str, int]] = field(default_factory=list)

    @property
    def last_shown(self) -> tuple[Cycle, float] | None:
        """The newest earlier cycle whose index was shown, and that index: where to look when this
        cycle had too few responses."""
        earlier = [(c, v) for c, v in zip(self.trend.cycles, self.trend.index, strict=True) if c.pk != self.cycle.pk]
        return next(((c, v) for c, v in reversed(earlier) if v is not None), None)

    @property
    def comments_count(self) -> int:
        return sum(k for _, k in self.comments_good) + sum(k for _, k in self.comments_improve)

    @property
    def comments_good_count(self) -> int:
        return sum(k for _, k in self.comments_good)

    @property
    def comments_improve_count(self) -> int:
        return sum(k for _, k in self.comments_improve)


def scorecard(department: Department, cycle: Cycle, cycles: list[Cycle], *, with_comments: bool) -> Scorecard:
    """One department's scorecard for `cycle`, with its trend over the `cycles` up to it."""
    cycles = [c for c in cycles if c.opens_at <= cycle.opens_at]
    cycle_ids = [c.pk for c in cycles]
    scores = {s.cycle_id: s for s in DepartmentScore.objects.filter(department=department, cycle_id__in=cycle_ids)}
    parameters_by_cycle: dict[int, list[ParameterScore]] = {}
    # Each cycle kept its parameters' English names: shown in the reader's language (departments.languages).
    stored = ParameterScore.objects.filter(department=department, cycle_id__in=cycle_ids).order_by("position", "name")
    for p in in_language(stored, ("name",)):
        parameters_by_cycle.setdefault(p.cycle_id, []).append(p)

    ordered = sorted(cycles, key=lambda c: c.opens_at)
    names: dict[str, str] = {}
    for c in ordered:
        for p in parameters_by_cycle.get(c.pk, []):
            names[p.code] = p.name  # the latest name of each parameter
    by_code = {c.pk: {p.code: p.mean for p in parameters_by_cycle.get(c.pk, [])} for c in ordered}
    trend = Trend(
        cycles=ordered,
        index=[scores[c.pk].mean if c.pk in scores else None for c in ordered],
        parameters=[(name, [by_code[c.pk].get(code) for c in ordered]) for code, name in names.items()],
    )
    overall = scores.get(cycle.pk)
    card = Scorecard(
        department=department,
        cycle=cycle,
        overall=overall,
        parameters=parameters_by_cycle.get(cycle.pk, []),
        cells=list(
            HeatmapCell.objects.filter(cycle=cycle, department=department)
            .select_related("rater_department")
            .order_by("rater_department__name")
        ),
        participation=Participation.objects.filter(
            cycle=cycle, department=department, role=Participation.Role.RATED
        ).first(),
        trend=trend,
    )
    if with_comments and overall is not None and overall.comments_visible:
        # Text only: sorted, not in any stored order, without the rater's department; the same
        # words from several people are shown once with their count.
        good: Counter[str] = Counter()
        improve: Counter[str] = Counter()
        for text_good, text_improve in Response.objects.filter(cycle=cycle, department=department).values_list(
            "comment_good", "comment_improve"
        ):
            good.update([text_good] if text_good else [])
            improve.update([text_improve] if text_improve else [])
        card.comments_good = sorted(good.items(), key=lambda item: item[0].casefold())
        card.comments_improve = sorted(improve.items(), key=lambda item: item[0].casefold())
    return card


@dataclass
class Ranked:
    score: DepartmentScore
    participation: Participation | None
    history: list[float | None]  # the index per visible cycle, oldest first


@dataclass
class Organisation:
    cycle: Cycle
    ranking: list[Ranked]
    departments: list[Department]  # heatmap columns (this page of them)
    column_pages: list[tuple[int, str, str]]  # (page, first department, last department)
    columns_page: int
    raters: list[Department]  # heatmap rows
    heatmap: dict[tuple[int, int], HeatmapCell]  # (rater id, department id) -> cell
    below_target: list[ParameterScore]  # short of target: Below and Close, largest gap first
    anything_shown: bool  # whether any department had enough responses for its figures to be shown
    rater_participation: list[Participation]

    def heatmap_rows(self) -> list[tuple[Department, list[tuple[Department, HeatmapCell | None, Decimal]]]]:
        """Rows of raters; each cell with the rated department's target, where its colour is centred."""
        targets = {r.score.department_id: r.score.target for r in self.ranking if r.score.target is not None}
        return [
            (
                rater,
                [
                    (
                        department,
                        self.heatmap.get((rater.pk, department.pk)),
                        targets.get(department.pk, DEFAULT_TARGET),
                    )
                    for department in self.departments
                ],
            )
            for rater in self.raters
        ]


HEATMAP_COLUMNS = 25  # departments rated per heatmap page: wider is neither readable nor quick


def organisation(cycle: Cycle, cycles: list[Cycle], *, columns_page: int = 1) -> Organisation:
    """HR's view of one cycle: the departments ranked, the heatmap, what falls below target.

    The heatmap shows HEATMAP_COLUMNS departments rated at a time (`columns_page`, from 1), with
    the rating departments that rated any of them.
    """
    # The trend of a cycle ends with it: later cycles are not part of its story.
    ordered = sorted((c for c in cycles if c.opens_at <= cycle.opens_at), key=lambda c: c.opens_at)
    history: dict[int, dict[int, float | None]] = {}
    for department_id, cycle_id, mean in DepartmentScore.objects.filter(
        cycle_id__in=[c.pk for c in ordered]
    ).values_list("department_id", "cycle_id", "mean"):
        history.setdefault(department_id, {})[cycle_id] = mean
    scores = list(DepartmentScore.objects.filter(cycle=cycle).select_related("department"))
    participation = list(Participation.objects.filter(cycle=cycle).select_related("department"))
    by_department = {p.department_id: p for p in participation if p.role == Participation.Role.RATED}
    scores.sort(key=lambda s: (s.mean is None, -(s.mean or 0), s.department.name))
    ranking = [
        Ranked(s, by_department.get(s.department_id), [history.get(s.department_id, {}).get(c.pk) for c in ordered])
        for s in scores
    ]
    all_departments = sorted(
        Department.objects.filter(pk__in=HeatmapCell.objects.filter(cycle=cycle).values("department_id")),
        key=lambda d: d.name,
    )
    pages = max(1, -(-len(all_departments) // HEATMAP_COLUMNS))
    columns_page = min(max(1, columns_page), pages)
    departments = all_departments[(columns_page - 1) * HEATMAP_COLUMNS : columns_page * HEATMAP_COLUMNS]
    cells = list(
        HeatmapCell.objects.filter(cycle=cycle, department__in=departments).select_related("rater_department")
    )
    raters = sorted({c.rater_department for c in cells}, key=lambda d: d.name)
    below = in_language(
        ParameterScore.objects.filter(cycle=cycle, suppressed=False, gap__lt=0)
        .select_related("department")
        .order_by("gap", "department__name", "position"),
        ("name",),
    )
    return Organisation(
        cycle=cycle,
        ranking=ranking,
        departments=departments,
        column_pages=[
            (number, page[0].name, page[-1].name)
            for number, page in enumerate(
                (all_departments[i : i + HEATMAP_COLUMNS] for i in range(0, len(all_departments), HEATMAP_COLUMNS)),
                start=1,
            )
        ],
        columns_page=columns_page,
        raters=raters,
        heatmap={(c.rater_department_id, c.department_id): c for c in cells},
        below_target=below,
        anything_shown=any(not s.suppressed for s in scores),
        rater_participation=sorted(
            (p for p in participation if p.role == Participation.Role.RATER), key=lambda p: (p.rate, p.department.name)
        ),
    )


@dataclass
class Published:
    """A department's latest published results, for its public charter page."""

    cycle: Cycle
    overall: DepartmentScore | None
    parameters: dict[str, ParameterScore]  # by parameter code
    latest: Cycle  # the newest published cycle: `cycle` unless it had too few responses to show


def published_cycles() -> QuerySet[Cycle]:
    """Published cycles whose figures are computed, newest first: the one definition of the results
    people may read."""
    return Cycle.objects.filter(status=Cycle.Status.PUBLISHED, result__computed_at__isnull=False).order_by("-opens_at")


def latest_published_cycle() -> Cycle | None:
    return published_cycles().first()


def latest_with_figures(department_ids, cycles: QuerySet[Cycle]) -> dict[int, DepartmentScore]:
    """Per department, its overall score (with its cycle) in the newest of `cycles` in which its
    figures were shown: a cycle with too few responses does not hide the last real results."""
    shown = DepartmentScore.objects.filter(suppressed=False, cycle__in=cycles)
    newest = shown.filter(department=OuterRef("department")).order_by("-cycle__opens_at").values("pk")[:1]
    scores = shown.filter(department_id__in=department_ids, pk=Subquery(newest)).select_related("cycle")
    return {score.department_id: score for score in scores}


def latest_published(department: Department) -> Published | None:
    """The department's results in the newest published cycle in which they were shown, or what the
    newest published cycle says (too few responses) when none ever was."""
    latest = latest_published_cycle()
    if latest is None:
        return None
    shown = latest_with_figures([department.pk], published_cycles()).get(department.pk)
    cycle = shown.cycle if shown else latest
    parameters = {p.code: p for p in ParameterScore.objects.filter(cycle=cycle, department=department)}
    overall = shown or DepartmentScore.objects.filter(cycle=latest, department=department).first()
    if overall is None and not parameters:
        return None
    return Published(cycle, overall, parameters, latest)
