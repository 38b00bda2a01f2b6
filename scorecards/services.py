"""Aggregation: a cycle's responses and invitations become its stored scorecards.

The database does the counting, in one GROUP BY pass per table, each an index-only scan of a
covering index on PostgreSQL:
  answers      → (parameter, score, how many): each parameter's whole distribution;
  responses    → (department, rater department): responses, rated responses, ratings and their sum
                 (each response carries its own totals, written with it): the heatmap cells and
                 the index's n, with no join from answers to responses; and, from the few
                 responses that answered it, (department, answer): the action-feedback question;
  invitations  → (department, rater department, status): participation both ways.
Python turns those few thousand rows into the figures (stats.py), applies suppression, and writes
them back with one upsert per table that leaves unchanged rows untouched.

Two rules keep small groups out of every figure (README, "Anonymity"):
- A cycle has results only once it is closed: while it is open nothing is computed, so no two
  views can differ by one person's answers (participation alone is live).
- The ratings of a parameter suppressed at department level count in no other figure: a heatmap
  cell's mean leaves them out, as the index does, and its n counts the responses that rated a
  shown parameter (one more small pass, over those parameters' answers only).
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from departments.models import Department
from survey_portal.celery import enqueue_on_commit
from surveys.models import (
    ActionFeedbackQuestion,
    Answer,
    Cycle,
    CycleParameter,
    ImportedInvitations,
    Invitation,
    Response,
)

from . import stats
from .models import (
    FEEDBACK_FIELDS,
    CycleResult,
    DepartmentScore,
    HeatmapCell,
    ParameterScore,
    Participation,
    TargetStatus,
    target_status,
)

logger = logging.getLogger(__name__)

SCORES = range(1, 6)


@dataclass
class AggregateSummary:
    cycle_id: int
    responses: int = 0
    parameters: int = 0
    departments: int = 0
    cells: int = 0
    suppressed_cells: int = 0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class _Cell:
    rater_id: int
    rater_code: str
    n: int  # responses that rated at least one parameter
    ratings: int
    total: int
    suppressed: bool = False
    complementary: bool = False


@dataclass
class _RatedDepartment:
    responses: int = 0
    n: int = 0
    cells: list[_Cell] = field(default_factory=list)
    feedback: dict[str, int] = field(default_factory=dict)  # action-feedback answer -> responses


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The last finished cycle that opened before this one: what "change since last cycle" compares to."""
    return Cycle.objects.finished().filter(opens_at__lt=cycle.opens_at).order_by("-opens_at").first()


def suppress_heatmap_row(cells: list[_Cell], threshold: int) -> None:
    """Suppress small cells, then enough further cells that the hidden ones hold ≥ threshold responses.

    Otherwise one small cell could be recovered by subtracting the shown cells from the row's total.
    The smallest shown cell goes first; ties are broken by the rating department's id, which never
    changes (a code can be renamed, and a recalculation must then hide the same cells, or the two
    results together would give a small cell back).
    """
    for cell in cells:
        cell.suppressed = cell.n < threshold
    while True:
        hidden = sum(cell.n for cell in cells if cell.suppressed)
        shown = [cell for cell in cells if not cell.suppressed]
        if hidden == 0 or hidden >= threshold or not shown:
            return
        smallest = min(shown, key=lambda cell: (cell.n, cell.rater_id))
        smallest.suppressed = smallest.complementary = True


def _round(value: float | None, places: int = 10) -> float | None:
    """Stored figures are rounded far below display precision, so reruns store identical values."""
    return None if value is None else round(value, places)


def cycle_aggregate(*, cycle_id: int) -> AggregateSummary:
    """Recompute every stored figure of a cycle from its responses and invitations.

    Idempotent: a rerun leaves the same rows (same ids, same values) and deletes only figures that
    no longer exist. Atomic, and serialised per cycle: the run locks the cycle's CycleResult row
    first, so two runs for one cycle never interleave (the second waits, then recomputes).
    Safe to retry at any point: nothing is visible until the transaction commits.
    """
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None or not cycle.is_finished:
        # No early results: an open cycle's figures would move by single responses between views.
        logger.info("cycle %s: not closed, nothing computed", cycle_id)
        return AggregateSummary(cycle_id)
    if Invitation.objects.filter(cycle_id=cycle_id, answers_sealed__isnull=False).exists():
        # Computed once everything has left: figures must not move by a late pair afterwards.
        logger.warning("cycle %s: responses still wait to be released, nothing computed yet", cycle_id)
        return AggregateSummary(cycle_id)
    with transaction.atomic():
        CycleResult.objects.get_or_create(cycle_id=cycle_id)
        result = CycleResult.objects.select_for_update().select_related("cycle").get(cycle_id=cycle_id)
        if result.cycle.purged_at is not None:
            # Its responses were deleted under the retention policy: its results are all that is left.
            logger.info("cycle %s: responses purged, results kept as they are", cycle_id)
            return AggregateSummary(cycle_id, responses=result.responses)
        summary = _aggregate(result.cycle)
        result.computed_at = timezone.now()
        result.responses = summary.responses
        result.runs += 1
        result.save(update_fields=["computed_at", "responses", "runs"])
        _recompute_next_later(result.cycle)
        if result.cycle.status == Cycle.Status.PUBLISHED:
            # Its awards rest on these figures: evaluated again, withdrawn where they no longer hold.
            from .tasks import awards_evaluate_task

            enqueue_on_commit(awards_evaluate_task, cycle_id)
    logger.info("aggregated cycle %s: %s", cycle_id, summary.as_dict())
    return summary


def _recompute_next_later(cycle: Cycle) -> None:
    """The next cycle compares itself with this one: if it was computed already, compute it again."""
    later = (
        Cycle.objects.filter(opens_at__gt=cycle.opens_at, result__computed_at__isnull=False)
        .order_by("opens_at")
        .values_list("pk", flat=True)
        .first()
    )
    if later is not None:
        from .tasks import cycle_aggregate_task

        enqueue_on_commit(cycle_aggregate_task, later)


_ANSWERS = f"""
    SELECT parameter_id, score, COUNT(*) FROM {Answer._meta.db_table} WHERE cycle_id = %s GROUP BY parameter_id, score
"""

# Only columns of the covering indexes (response_aggregation, invitation_participation) are read.
# Narrow rows (1 = response, 2 = invitation; NULL where a column does not apply) keep the planner's
# estimate of the Gather cost low enough for it to choose the Parallel Append.
_RESPONSES_AND_INVITATIONS = f"""
    SELECT 1, department_id, rater_department_id, NULL, COUNT(*),
           COUNT(rated_count) FILTER (WHERE rated_count > 0), SUM(rated_count), SUM(score_sum)
    FROM {Response._meta.db_table} WHERE cycle_id = %s GROUP BY department_id, rater_department_id
    UNION ALL
    SELECT 2, department_id, rater_department_id, status, COUNT(*), NULL, NULL, NULL
    FROM {Invitation._meta.db_table} WHERE cycle_id = %s GROUP BY department_id, rater_department_id, status
    UNION ALL
    SELECT 3, department_id, rater_department_id, NULL, invited, NULL, NULL, NULL
    FROM {ImportedInvitations._meta.db_table} WHERE cycle_id = %s
    UNION ALL
    SELECT 4, department_id, NULL, action_feedback, COUNT(*), NULL, NULL, NULL
    FROM {Response._meta.db_table} WHERE cycle_id = %s AND action_feedback IS NOT NULL
    GROUP BY department_id, action_feedback
"""
RESPONSE_ROW, INVITATION_ROW, IMPORTED_ROW, FEEDBACK_ROW = 1, 2, 3, 4


def _aggregate(cycle: Cycle) -> AggregateSummary:
    """The cycle's figures from its answers, responses and invitations, in named passes; each
    table of figures is then made exactly what was computed (_store_figures)."""
    counts = _distributions(cycle)
    rated_departments, invited = _responses_and_participation(cycle)
    previous_parameters, previous_index = _previous_figures(cycle)

    parameter_rows, by_department = _parameter_rows(cycle, counts, previous_parameters)
    scope = set(cycle.departments.values_list("pk", flat=True)) | set(by_department) | set(rated_departments)
    asked = set(ActionFeedbackQuestion.objects.filter(cycle=cycle).values_list("department_id", flat=True))
    department_rows = [
        _department_row(
            cycle,
            department_id,
            rated_departments.get(department_id, _RatedDepartment()),
            by_department,
            previous_index,
        )
        | _feedback_figures(cycle, rated_departments.get(department_id, _RatedDepartment()), department_id in asked)
        for department_id in sorted(scope)
    ]
    _leave_out_hidden_parameters(cycle, rated_departments, parameter_rows)
    cell_rows = _heatmap_rows(cycle, rated_departments)
    participation_rows = _participation_rows(cycle, invited)

    _store_figures(ParameterScore, cycle, parameter_rows, ["department_id", "code"])
    _store_figures(DepartmentScore, cycle, department_rows, ["department_id"])
    _store_figures(HeatmapCell, cycle, cell_rows, ["department_id", "rater_department_id"])
    _store_figures(Participation, cycle, participation_rows, ["department_id", "role"])

    return AggregateSummary(
        cycle.pk,
        responses=sum(p.responses for p in rated_departments.values()),
        parameters=len(parameter_rows),
        departments=len(department_rows),
        cells=len(cell_rows),
        suppressed_cells=sum(row["suppressed"] for row in cell_rows),
    )


def _distributions(cycle: Cycle) -> dict[int, dict[int, int]]:
    """Pass 1, over answers: the distribution of every parameter's scores. "Not applicable"
    (NULL) is counted too and dropped here: filtering it out in SQL would stop PostgreSQL reading
    only the index."""
    counts: dict[int, dict[int, int]] = {}
    with connection.cursor() as cursor:  # a plain cursor: thousands of rows, no model conversion needed
        cursor.execute(_ANSWERS, [cycle.pk])
        for parameter_id, score, k in cursor.fetchall():
            if score is not None:
                counts.setdefault(parameter_id, dict.fromkeys(SCORES, 0))[score] = k
    return counts


def _responses_and_participation(cycle: Cycle) -> tuple[dict[int, _RatedDepartment], dict[tuple[str, int], list[int]]]:
    """Passes 2 and 3 in one statement, so that PostgreSQL scans both tables at once (Parallel
    Append): responses → each department's heatmap cells and n, and the answers to its
    action-feedback question (read from their partial index alone); invitations → participation
    both ways, as [invited, completed, declined] per (role, department). An imported cycle has no
    invitations; when its import gave how many were invited per pair, each response counts as one
    completed invitation."""
    codes = dict(Department.objects.values_list("id", "code"))
    rated_departments: dict[int, _RatedDepartment] = defaultdict(_RatedDepartment)
    invited: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    with connection.cursor() as cursor:
        cursor.execute(_RESPONSES_AND_INVITATIONS, [cycle.pk, cycle.pk, cycle.pk, cycle.pk])
        rows = cursor.fetchall()
    imported = any(row[0] == IMPORTED_ROW for row in rows)
    for source, department_id, rater_id, status, k, rated, ratings, total in rows:
        if source == FEEDBACK_ROW:  # `status` holds the answer
            rated_departments[department_id].feedback[status] = k
            continue
        keys = ((Participation.Role.RATED, department_id), (Participation.Role.RATER, rater_id))
        if source == RESPONSE_ROW:
            department = rated_departments[department_id]
            department.responses += k
            department.n += rated
            if rated:
                department.cells.append(_Cell(rater_id, codes[rater_id], rated, ratings, total))
            if imported:
                for key in keys:
                    invited[key][1] += k
            continue
        for key in keys:
            figures = invited[key]
            figures[0] += k
            if status == Invitation.Status.COMPLETED:
                figures[1] += k
            elif status == Invitation.Status.DECLINED:
                figures[2] += k
    return rated_departments, invited


def _previous_figures(cycle: Cycle) -> tuple[dict[tuple[int, str], stats.Summary], dict[int, float | None]]:
    """The previous cycle's shown parameter figures (by department and code) and indexes, for the
    changes and their significance."""
    before = previous_cycle(cycle)
    if before is None:
        return {}, {}
    parameters = {
        (department_id, code): stats.Summary(n, mean or 0.0, stdev or 0.0)  # shown figures have both
        for department_id, code, n, mean, stdev in ParameterScore.objects.filter(
            cycle=before, suppressed=False
        ).values_list("department_id", "code", "n", "mean", "stdev")
    }
    index = dict(DepartmentScore.objects.filter(cycle=before, suppressed=False).values_list("department_id", "mean"))
    return parameters, index


def _parameter_rows(cycle: Cycle, counts, previous_parameters) -> tuple[list[dict], dict[int, list[dict]]]:
    """One row per question of the snapshot, and the same rows grouped by department."""
    questions = (
        CycleParameter.objects.filter(cycle=cycle)
        .order_by("department_id", "position", "code")
        .values_list("pk", "department_id", "code", "name", "position", "target", "weight")
    )
    rows = []
    by_department: dict[int, list[dict]] = defaultdict(list)
    for question in questions:
        row = _parameter_row(cycle.pk, question, counts.get(question[0]), cycle.score_threshold, previous_parameters)
        rows.append(row)
        by_department[row["department_id"]].append(row)
    return rows, by_department


def _heatmap_rows(cycle: Cycle, rated_departments: dict[int, _RatedDepartment]) -> list[dict]:
    """Each department's cells by rating department, small ones suppressed, and further ones until
    the hidden cells hold at least k responses (suppress_heatmap_row)."""
    rows: list[dict] = []
    for department_id, department in sorted(rated_departments.items()):
        cells = sorted(department.cells, key=lambda c: c.rater_code)
        suppress_heatmap_row(cells, cycle.score_threshold)
        rows.extend(
            {
                "cycle_id": cycle.pk,
                "department_id": department_id,
                "rater_department_id": cell.rater_id,
                "n": cell.n,
                "suppressed": cell.suppressed,
                "complementary": cell.complementary,
                "mean": None if cell.suppressed or not cell.ratings else _round(cell.total / cell.ratings),
            }
            for cell in cells
        )
    return rows


def _participation_rows(cycle: Cycle, invited: dict[tuple[str, int], list[int]]) -> list[dict]:
    return [
        {
            "cycle_id": cycle.pk,
            "department_id": department_id,
            "role": role,
            "invited": figures[0],
            "completed": figures[1],
            "declined": figures[2],
        }
        for (role, department_id), figures in sorted(invited.items())
    ]


def _leave_out_hidden_parameters(
    cycle: Cycle, rated_departments: dict[int, _RatedDepartment], parameter_rows: list[dict]
) -> None:
    """Take the ratings of suppressed parameters out of the heatmap cells: a cell's mean is then
    the mean of the shown parameters' ratings only, and gives none of them back; its n counts the
    responses that rated a shown parameter (one that rated only hidden ones adds nothing to the
    mean, and must not help it pass the threshold). Reads the answers of those parameters alone:
    each has fewer than the threshold of them."""
    hidden = [row["parameter_id"] for row in parameter_rows if row["suppressed"] and row["n"]]
    if not hidden:
        return
    cells = {
        (department_id, cell.rater_id): cell for department_id, p in rated_departments.items() for cell in p.cells
    }
    # One row per response that rated a hidden parameter: its pair, its ratings of them and their sum.
    for _response, department_id, rater_id, rated_count, ratings, total in (
        Answer.objects.filter(cycle=cycle, parameter_id__in=hidden, score__isnull=False)
        .values_list(
            "response_id", "response__department_id", "response__rater_department_id", "response__rated_count"
        )
        .annotate(ratings=Count("score"), total=Sum("score"))
        .order_by()
    ):
        cell = cells[department_id, rater_id]
        cell.ratings -= ratings
        cell.total -= total
        cell.n -= ratings == rated_count  # it rated hidden parameters only


def _parameter_row(cycle_id: int, question: tuple, distribution: dict[int, int] | None, threshold: int, previous):
    pk, department_id, code, name, position, target, weight = question
    distribution = distribution or dict.fromkeys(SCORES, 0)
    now = stats.summarise(distribution)
    row = {
        "cycle_id": cycle_id,
        "department_id": department_id,
        "parameter_id": pk,
        "code": code,
        "name": name,
        "position": position,
        "target": target,
        "weight": weight,
        "n": now.n,
        "suppressed": now.n < threshold,
        "mean": None,
        "stdev": None,
        **{f"count_{score}": None for score in SCORES},
        "top_box_pct": None,
        "gap": None,
        "ci_low": None,
        "ci_high": None,
        "previous_mean": None,
        "change": None,
        "change_significant": None,
    }
    if row["suppressed"]:
        return row
    low, high = stats.confidence_interval(now)
    row |= {
        "mean": _round(now.mean),
        "stdev": _round(now.stdev),
        **{f"count_{score}": distribution[score] for score in SCORES},
        "top_box_pct": _round(100 * (distribution[4] + distribution[5]) / now.n),
        "gap": _round(now.mean - float(target)),
        "ci_low": _round(low),
        "ci_high": _round(high),
    }
    before = previous.get((department_id, code))
    if before is not None:
        row |= {
            "previous_mean": before.mean,
            "change": _round(now.mean - before.mean),
            "change_significant": stats.significant_change(now, before),
        }
    return row


def _department_row(
    cycle: Cycle, department_id: int, department: _RatedDepartment, by_department, previous_index
) -> dict:
    """The overall index: the weighted mean of the *unsuppressed* parameter means only."""
    shown = [p for p in by_department.get(department_id, []) if not p["suppressed"]]
    row: dict[str, Any] = {
        "cycle_id": cycle.pk,
        "department_id": department_id,
        "n": department.n,
        "suppressed": department.n < cycle.score_threshold or not shown,
        "comments_visible": department.n >= cycle.comment_threshold,
        "below_target": sum(target_status(p["mean"], p["target"]) == TargetStatus.BELOW for p in shown),
        "close_to_target": sum(target_status(p["mean"], p["target"]) == TargetStatus.CLOSE for p in shown),
        "mean": None,
        "target": None,
        "previous_mean": None,
        "change": None,
    }
    if not row["suppressed"]:
        weights = sum((p["weight"] for p in shown), Decimal(0))
        row["mean"] = _round(sum(float(p["weight"]) * p["mean"] for p in shown) / float(weights))
        row["target"] = (sum(p["weight"] * p["target"] for p in shown) / weights).quantize(Decimal("0.01"))
        if department_id in previous_index:
            row["previous_mean"] = previous_index[department_id]
            row["change"] = _round(row["mean"] - row["previous_mean"])
    return row


def _feedback_figures(cycle: Cycle, department: _RatedDepartment, asked: bool) -> dict[str, int | None]:
    """The action-feedback question's figures of one department: how many answered it (None: it was
    neither asked nor answered, as in a cycle before it existed; an imported cycle's answers say it
    was asked), and each answer's count from the score threshold on (None below it)."""
    answered = sum(department.feedback.values())
    row: dict[str, int | None] = {"feedback_n": answered if asked or answered else None}
    shown = answered >= cycle.score_threshold
    for answer, column in FEEDBACK_FIELDS.items():
        row[column] = department.feedback.get(answer, 0) if shown else None
    return row


def _store_figures(model, cycle: Cycle, rows: list[dict], keys: list[str]) -> None:
    """Make the cycle's rows of `model` exactly `rows`, writing only what differs.

    Rows are matched on their natural key (cycle + `keys`): new ones are inserted, changed ones
    updated in place (ids are kept), vanished ones deleted, identical ones left alone, so a rerun
    over unchanged answers writes nothing. The upsert also makes a concurrent writer harmless.
    """
    if not rows:
        model.objects.filter(cycle=cycle).delete()
        return
    columns = list(rows[0])
    key_columns = ["cycle_id", *keys]
    updated = [c for c in columns if c not in key_columns]
    existing = {
        tuple(values[: len(key_columns)]): values[len(key_columns) :]
        for values in model.objects.filter(cycle=cycle).values_list(*key_columns, *updated)
    }
    new, changed = [], []
    for row in rows:
        key = tuple(row[c] for c in key_columns)
        before = existing.pop(key, None)
        if before is None:
            new.append(tuple(row[c] for c in columns))
        elif before != tuple(row[c] for c in updated):
            changed.append(tuple(row[c] for c in columns))
    if existing:  # figures that no longer exist (a department left the scope, a cell emptied)
        stale = Q()
        for key in existing:
            stale |= Q(**dict(zip(key_columns, key, strict=True)))
        model.objects.filter(stale).delete()
    table = model._meta.db_table
    if new:
        _insert(table, columns, new)
    if changed:
        _upsert(table, columns, key_columns, updated, changed)


def _insert(table: str, columns: list[str], values: list[tuple]) -> None:
    """Insert rows known to be new: COPY on PostgreSQL (the fastest path), executemany elsewhere."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in values:
                buffer.write("\t".join(_copy_text(value) for value in row))
                buffer.write("\n")
            buffer.seek(0)
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)


def _copy_text(value) -> str:
    """A value in PostgreSQL's COPY text format (called for every cell: the common types first)."""
    kind = type(value)
    if value is None:
        return "\\N"
    if kind is int or kind is float:
        return repr(value)
    if kind is bool:
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _upsert(table: str, columns: list[str], key_columns: list[str], updated: list[str], values: list[tuple]) -> None:
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES %s "
        f"ON CONFLICT ({', '.join(quote(c) for c in key_columns)}) DO UPDATE SET "
        + ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in updated)
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, sql, values, page_size=1000)
        else:
            row = "(" + ", ".join(["%s"] * len(columns)) + ")"
            cursor.executemany(sql.replace("VALUES %s", f"VALUES {row}"), values)
