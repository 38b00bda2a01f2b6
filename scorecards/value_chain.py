"""The value chain map: every active department, who serves whom, and the stored figures of a cycle.

Reads stored results only, exactly those HR's results page shows: a department's overall index
(DepartmentScore) and, for each dependency, the heatmap cell of the consumer's raters about the
provider (HeatmapCell). Suppressed figures are NULL in the database and are passed on as "not
enough responses", without their n: nothing here computes a figure from responses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, CharField, DecimalField, F, FloatField, IntegerField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from departments.languages import localised
from departments.models import DEFAULT_TARGET, Department, Dependency
from surveys.models import Cycle

from .models import DepartmentScore, HeatmapCell, TargetStatus, target_status
from .templatetags.results import heat

NOT_ENOUGH = gettext_noop("not enough responses")  # English here; gettext() where it is shown
STATUS_WORDS = {
    TargetStatus.MEETS: gettext_lazy("Meets"),
    TargetStatus.CLOSE: gettext_lazy("Close"),
    TargetStatus.BELOW: gettext_lazy("Below"),
}

# What each row of the one query is (its first column).
_DEPARTMENT, _DEPENDENCY, _SCORE, _CELL = 1, 2, 3, 4


@dataclass(frozen=True)
class Stored:
    """A stored figure as read for the map (a DepartmentScore's index or a HeatmapCell's mean):
    `mean` is None when it is suppressed."""

    n: int
    suppressed: bool
    mean: float | None
    target: Decimal | None = None


@dataclass
class Edge:
    """The provider serves the consumer; `cell` is the consumer's raters' rating of the provider."""

    provider: Department
    consumer: Department
    cell: Stored | None
    target: Decimal  # the provider's target, where the cell's colour is centred (as on the heatmap)


@dataclass
class ChainMap:
    cycle: Cycle | None
    departments: list[Department]  # active ones, by name; each with `score` (its Stored index, or None)
    edges: list[Edge]  # between active departments, by provider name then consumer name


def _rows(cycle: Cycle | None):
    """Departments, dependencies, and the cycle's stored indexes and heatmap cells, as one
    UNION ALL of four plain reads: one query, each part an index scan (no per-row subquery).
    Columns: kind, a, b, code, name, flag, n, mean, target."""
    # Typed NULLs: PostgreSQL gives a column of untyped NULLs the type text, which no later part matches.
    null_int = Cast(Value(None), IntegerField())
    null_text = Cast(Value(None), CharField())
    null_float = Cast(Value(None), FloatField())
    null_decimal = Cast(Value(None), DecimalField(max_digits=3, decimal_places=2))
    null_bool = Cast(Value(None), BooleanField())

    def kind(number: int) -> Value:
        return Value(number, output_field=IntegerField())

    parts = [
        # a: the department, b: its head (for "may read its scorecard"), flag: front line.
        # Not rewritten by modeltranslation, whose values_list would put the columns in any order.
        Department.objects.rewrite(False)
        .filter(active=True)
        .values_list(
            kind(_DEPARTMENT),
            F("pk"),
            F("head_id"),
            F("code"),
            localised("name"),  # the reader's language, English where it has none
            F("front_line"),
            null_int,
            null_float,
            null_decimal,
        ),
        # a: provider, b: consumer.
        Dependency.objects.values_list(
            kind(_DEPENDENCY),
            F("provider_id"),
            F("consumer_id"),
            null_text,
            null_text,
            null_bool,
            null_int,
            null_float,
            null_decimal,
        ),
    ]
    if cycle is not None:
        parts += [
            # a: the department rated, flag: suppressed.
            DepartmentScore.objects.filter(cycle=cycle).values_list(
                kind(_SCORE),
                F("department_id"),
                null_int,
                null_text,
                null_text,
                F("suppressed"),
                F("n"),
                F("mean"),
                F("target"),
            ),
            # a: the department rated (the provider), b: the rating department (the consumer).
            HeatmapCell.objects.filter(cycle=cycle).values_list(
                kind(_CELL),
                F("department_id"),
                F("rater_department_id"),
                null_text,
                null_text,
                F("suppressed"),
                F("n"),
                F("mean"),
                null_decimal,
            ),
        ]
    first, *rest = [part.order_by() for part in parts]
    return first.union(*rest, all=True)


def chain_map(cycle: Cycle | None) -> ChainMap:
    """The whole map for `cycle` (None: the departments and arrows without figures), in one query."""
    departments: dict[int, Department] = {}
    pairs: list[tuple[int, int]] = []
    scores: dict[int, Stored] = {}
    cells: dict[tuple[int, int], Stored] = {}
    for kind, a, b, code, name, flag, n, mean, target in _rows(cycle):
        if kind == _DEPARTMENT:
            departments[a] = Department(pk=a, head_id=b, code=code, name=name, front_line=bool(flag), active=True)
        elif kind == _DEPENDENCY:
            pairs.append((a, b))
        elif kind == _SCORE:
            scores[a] = Stored(n=n, suppressed=bool(flag), mean=None if flag else mean, target=target)
        else:
            cells[a, b] = Stored(n=n, suppressed=bool(flag), mean=None if flag else mean)
    for pk, department in departments.items():
        department.score = scores.get(pk)  # type: ignore[attr-defined]  # for the page and the payload
    edges = [
        Edge(
            provider=departments[provider],
            consumer=departments[consumer],
            cell=cells.get((provider, consumer)),
            target=_target(scores.get(provider)),
        )
        for provider, consumer in pairs
        if provider in departments and consumer in departments
    ]

    def by_name(department: Department) -> tuple[str, int]:
        return department.name.casefold(), department.pk

    edges.sort(key=lambda e: (by_name(e.provider), by_name(e.consumer)))
    return ChainMap(cycle=cycle, departments=sorted(departments.values(), key=by_name), edges=edges)


def _target(score: Stored | None) -> Decimal:
    """The rated department's target for the cycle, as the heatmap centres its colours."""
    return score.target if score is not None and score.target is not None else DEFAULT_TARGET


def figure(mean: float | None, target, *, suppressed: bool) -> dict:
    """A stored figure as the map shows it: the mean to one decimal against the target, its status
    word and colour; or only "not enough responses" when it is suppressed (no number at all) or
    missing, which the map does not tell apart. Never n:
    every member reads the map, and the n of an index less those of its shown cells would count
    the raters behind its hidden cells."""
    if suppressed or mean is None:
        return {"shown": False, "note": gettext(NOT_ENOUGH)}
    status = TargetStatus(target_status(mean, target) or TargetStatus.MEETS)  # both are set here
    return {
        "shown": True,
        "mean": float(f"{mean:.1f}"),
        "target": float(target),
        "status": status.value,
        "status_label": str(STATUS_WORDS[status]),
        "heat": heat(mean, target),
    }


def node_figure(department: Department) -> dict:
    score: Stored | None = department.score  # type: ignore[attr-defined]
    if score is None:
        return {"shown": False, "note": gettext("not rated in this cycle")}
    return figure(score.mean, score.target, suppressed=score.suppressed)


def edge_figure(edge: Edge) -> dict:
    cell = edge.cell
    if cell is None:
        # Said as of a suppressed cell: "no ratings" beside "not enough" would tell that each
        # suppressed cell holds at least one rater.
        return {"shown": False, "note": gettext(NOT_ENOUGH)}
    return figure(cell.mean, edge.target, suppressed=cell.suppressed)


def payload(
    chain: ChainMap,
    *,
    charter_url: Callable[[Department], str],
    scorecard_url: Callable[[Department], str | None],
) -> dict:
    """The map's JSON: nodes and edges as cytoscape reads them, with the figures the person may see."""
    with_figures = chain.cycle is not None
    nodes = []
    for department in chain.departments:
        node = {
            "id": department.code,
            "name": department.name,
            "front_line": department.front_line,
            "url": charter_url(department),
            "index": node_figure(department) if with_figures else None,
        }
        scorecard = scorecard_url(department)
        if scorecard:
            node["scorecard_url"] = scorecard
        nodes.append(node)
    edges = [
        {
            "id": f"{edge.provider.code}->{edge.consumer.code}",
            "source": edge.provider.code,
            "target": edge.consumer.code,
            "rating": edge_figure(edge) if with_figures else None,
        }
        for edge in chain.edges
    ]
    cycle = chain.cycle
    return {
        "cycle": {"id": cycle.pk, "name": cycle.name, "score_threshold": cycle.score_threshold} if cycle else None,
        "nodes": nodes,
        "edges": edges,
    }
