"""Import past results from CSV into a new closed cycle (history from spreadsheets or another tool).

One row per rating: response_id, rater_department, provider_department, parameter, score,
comment_good, comment_improve. Every row is checked before anything is written; any error aborts
with every problem as ``file:line: reason``. The cycle's questions are the departments' current charters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from departments.models import Department, ServiceParameter
from survey_portal.csvfiles import CsvFile, ImportFailed, read_table, require
from survey_portal.spreadsheets import text_from_cell

from .models import MIN_SCORE_THRESHOLD, Cycle
from .sealing import Answers
from .services import cycle_snapshot, responses_store
from .signals import cycle_finished

REQUIRED = ("response_id", "rater_department", "provider_department", "parameter", "score")
OPTIONAL = ("comment_good", "comment_improve")


@dataclass
class _Response:
    line: int
    rater: str
    department: str
    scores: dict[str, int | None] = field(default_factory=dict)
    comments: dict[str, tuple[str, int]] = field(default_factory=dict)  # column -> (text, line)


@dataclass
class PastImportResult:
    cycle: Cycle
    responses: int
    ratings: int


def _check_cycle(name: str, opens: date, closes: date, threshold: int, comment_threshold: int) -> list[str]:
    errors = []
    if not name.strip():
        errors.append("--cycle: the cycle needs a name")
    elif Cycle.objects.filter(name=name.strip()).exists():
        errors.append(f"--cycle: a cycle named {name!r} exists already")
    if closes < opens:
        errors.append(f"--closes: {closes} is before --opens {opens}")
    if threshold < MIN_SCORE_THRESHOLD:
        errors.append(f"--threshold: at least {MIN_SCORE_THRESHOLD}, smaller groups would expose people")
    if comment_threshold < threshold:
        errors.append("--comment-threshold: must be at least --threshold")
    return errors


def responses_import(
    *, file: CsvFile, name: str, opens: date, closes: date, threshold: int = 5, comment_threshold: int = 10
) -> PastImportResult:
    """Create a closed cycle holding the file's responses. All or nothing; raises ImportFailed."""
    errors = _check_cycle(name, opens, closes, threshold, comment_threshold)
    table = read_table(file, REQUIRED, OPTIONAL, errors)
    if table is None:
        raise ImportFailed(errors)
    departments = dict(Department.objects.values_list("code", "id"))
    charters: dict[str, set[str]] = {}
    for code, parameter in ServiceParameter.objects.filter(active=True).values_list("department__code", "code"):
        charters.setdefault(code, set()).add(parameter)

    responses: dict[str, _Response] = {}
    for row in table.rows:
        if not require(row, ("response_id", "rater_department", "provider_department", "parameter"), errors, {}):
            continue
        rater, department, parameter = (
            text_from_cell(row[column]).lower() for column in ("rater_department", "provider_department", "parameter")
        )
        ok = True
        for column, code in (("rater_department", rater), ("provider_department", department)):
            if code not in departments:
                errors.append(f"{row.where()}: unknown department {row[column]!r} in {column}")
                ok = False
        if ok and rater == department:
            errors.append(f"{row.where()}: department {rater!r} cannot rate itself")
            ok = False
        if ok and parameter not in charters.get(department, set()):
            errors.append(f"{row.where()}: {parameter!r} is not a parameter of {department!r}'s charter")
            ok = False
        score: int | None = None
        if row["score"]:
            if row["score"] not in {"1", "2", "3", "4", "5"}:
                errors.append(f"{row.where()}: score {row['score']!r} is not a whole number from 1 to 5 (or empty)")
                ok = False
            else:
                score = int(row["score"])
        response = responses.setdefault(row["response_id"], _Response(row.line, rater, department))
        if (response.rater, response.department) != (rater, department):
            errors.append(
                f"{row.where()}: response {row['response_id']!r} is {rater} → {department} here "
                f"but {response.rater} → {response.department} on line {response.line}"
            )
            ok = False
        if parameter in response.scores:
            errors.append(f"{row.where()}: response {row['response_id']!r} rates {parameter!r} twice")
            ok = False
        for column in OPTIONAL:
            text = text_from_cell(row[column])
            if not text:
                continue
            earlier = response.comments.get(column)
            if earlier and earlier[0] != text:
                errors.append(f"{row.where()}: {column} differs from line {earlier[1]} of the same response")
                ok = False
            response.comments.setdefault(column, (text, row.line))
        if ok:
            response.scores[parameter] = score
    if not responses and not errors:
        errors.append(f"{file.name}: has no ratings")
    if errors:
        raise ImportFailed(errors)
    return _write(name.strip(), opens, closes, threshold, comment_threshold, responses, departments)


@transaction.atomic
def _write(name, opens, closes, threshold, comment_threshold, responses, departments) -> PastImportResult:
    """The cycle is created as an imported draft, given its scope and questions, filled through the
    one writer of responses (release.responses_store, pair by pair, in random order), then closed:
    the database refuses scope and questions for a cycle that is no longer a draft."""
    opens_at = timezone.make_aware(datetime.combine(opens, time.min))
    closes_at = timezone.make_aware(datetime.combine(closes + timedelta(days=1), time.min))
    cycle = Cycle.objects.create(
        name=name,
        status=Cycle.Status.DRAFT,
        imported=True,
        opens_at=opens_at,
        closes_at=closes_at,
        opened_at=opens_at,
        closed_at=closes_at,
        score_threshold=threshold,
        comment_threshold=comment_threshold,
        reminder_days_after_open=None,
        reminder_days_before_close=None,
    )
    cycle.departments.set({departments[r.department] for r in responses.values()})
    cycle_snapshot(cycle=cycle)
    pairs: dict[tuple[str, str], list[Answers]] = {}
    for r in responses.values():
        comments = {column: text for column, (text, _line) in r.comments.items()}
        pairs.setdefault((r.department, r.rater), []).append(Answers(r.scores, **comments))
    for (department, rater), answers in sorted(pairs.items()):
        responses_store(
            cycle=cycle,
            department_id=departments[department],
            rater_department_id=departments[rater],
            answers=answers,
        )
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.CLOSED)
    cycle.refresh_from_db()

    cycle_finished.send(sender=Cycle, cycle_id=cycle.pk)
    return PastImportResult(cycle, len(responses), sum(len(r.scores) for r in responses.values()))
