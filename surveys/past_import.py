"""Import past results from CSV into a new closed cycle (history from spreadsheets or another tool).

One row per rating: response_id, rater_department, provider_department, parameter, score,
comment_good, comment_improve, and optionally action_feedback (the answer to "Did the changes …
make a difference for you?": yes, somewhat, no, unnoticed or empty; like the comments, read from
any row of the response). Optionally a second file gives how many people were invited per
pair: rater_department, provider_department, invited; the cycle then shows participation. Every row
is checked before anything is written; any error aborts with every problem as ``file:line: reason``.
The cycle's questions are the departments' current charters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from departments.models import Department, ServiceParameter
from survey_portal.csvfiles import CsvFile, ImportFailed, read_table, require
from survey_portal.spreadsheets import text_from_cell
from survey_portal.text import refused_character

from .models import MIN_SCORE_THRESHOLD, ActionFeedback, Cycle, ImportedInvitations
from .sealing import Answers
from .services import cycle_snapshot, responses_store
from .signals import cycle_finished

REQUIRED = ("response_id", "rater_department", "provider_department", "parameter", "score")
OPTIONAL = ("comment_good", "comment_improve")
FEEDBACK = "action_feedback"  # optional too
INVITED = ("rater_department", "provider_department", "invited")


@dataclass
class _Response:
    line: int
    rater: str
    department: str
    scores: dict[str, int | None] = field(default_factory=dict)
    comments: dict[str, tuple[str, int]] = field(default_factory=dict)  # column -> (text, line)
    action_feedback: tuple[str, int] | None = None  # (answer, line)


@dataclass
class PastImportResult:
    cycle: Cycle
    responses: int
    ratings: int


def _check_cycle(name: str, opens: date, closes: date, threshold: int, comment_threshold: int) -> list[str]:
    errors = []
    name_limit = Cycle._meta.get_field("name").max_length
    if not name.strip():
        errors.append("--cycle: the cycle needs a name")
    elif refused := refused_character(name.strip()):
        errors.append(f"--cycle: the name contains {refused}, which is not allowed")
    elif name_limit is not None and len(name.strip()) > name_limit:
        errors.append(f"--cycle: the name is longer than {name_limit} characters")
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
    *,
    file: CsvFile,
    name: str,
    opens: date,
    closes: date,
    threshold: int = 5,
    comment_threshold: int = 10,
    invited: CsvFile | None = None,
) -> PastImportResult:
    """Create a closed cycle holding the file's responses (and, with `invited`, how many were
    invited per pair). All or nothing; raises ImportFailed."""
    errors = _check_cycle(name, opens, closes, threshold, comment_threshold)
    table = read_table(file, REQUIRED, (*OPTIONAL, FEEDBACK), errors, multiline=OPTIONAL)
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
        feedback = text_from_cell(row[FEEDBACK]).lower()
        if feedback and feedback not in ActionFeedback.values:
            errors.append(
                f"{row.where()}: {FEEDBACK} {row[FEEDBACK]!r} is not one of {', '.join(ActionFeedback.values)} (or empty)"
            )
            ok = False
        elif feedback and response.action_feedback and response.action_feedback[0] != feedback:
            errors.append(
                f"{row.where()}: {FEEDBACK} differs from line {response.action_feedback[1]} of the same response"
            )
            ok = False
        elif feedback and not response.action_feedback:
            response.action_feedback = (feedback, row.line)
        if ok:
            response.scores[parameter] = score
    if not responses and not errors:
        errors.append(f"{file.name}: has no ratings")
    invited_counts = _invited(invited, responses, departments, errors) if invited is not None else {}
    if errors:
        raise ImportFailed(errors)
    return _write(name.strip(), opens, closes, threshold, comment_threshold, responses, departments, invited_counts)


def _invited(
    file: CsvFile, responses: dict[str, _Response], departments: dict[str, int], errors: list[str]
) -> dict[tuple[str, str], int]:
    """(department rated, rating department) -> people invited, checked against the responses:
    every pair that answered is listed once, with at least as many invited as answered."""
    table = read_table(file, INVITED, (), errors)
    if table is None:
        return {}
    if not table.rows:
        errors.append(f"{file.name}: has no invited counts (one row per pair that answered is needed)")
        return {}
    answered: dict[tuple[str, str], int] = {}
    for r in responses.values():
        answered[r.department, r.rater] = answered.get((r.department, r.rater), 0) + 1
    counts: dict[tuple[str, str], int] = {}
    lines: dict[tuple[str, str], int] = {}
    for row in table.rows:
        if not require(row, INVITED, errors, {}):
            continue
        rater, department = (text_from_cell(row[c]).lower() for c in ("rater_department", "provider_department"))
        unknown = [
            c
            for c, code in (("rater_department", rater), ("provider_department", department))
            if code not in departments
        ]
        for column in unknown:
            errors.append(f"{row.where()}: unknown department {row[column]!r} in {column}")
        value = row["invited"]
        if not (value.isascii() and value.isdigit()) or len(value) > 7:
            errors.append(f"{row.where()}: invited {value!r} is not a whole number of people")
            continue
        pair = (department, rater)
        if unknown:
            continue
        if rater == department:
            errors.append(f"{row.where()}: department {rater!r} cannot rate itself")
            continue
        if pair in lines:
            errors.append(f"{row.where()}: {rater} → {department} is listed already, on line {lines[pair]}")
            continue
        lines[pair], counts[pair] = row.line, int(value)
        if int(value) < answered.get(pair, 0):
            errors.append(
                f"{row.where()}: {value} invited from {rater} to rate {department}, but {answered[pair]} responses"
            )
    for (department, rater), n in sorted(answered.items()):
        if (department, rater) not in counts:
            errors.append(f"{file.name}: no invited count for {rater} → {department}, which has {n} responses")
    return counts


@transaction.atomic
def _write(name, opens, closes, threshold, comment_threshold, responses, departments, invited) -> PastImportResult:
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
        feedback = r.action_feedback[0] if r.action_feedback else None
        pairs.setdefault((r.department, r.rater), []).append(Answers(r.scores, **comments, action_feedback=feedback))
    for (department, rater), answers in sorted(pairs.items()):
        responses_store(
            cycle=cycle,
            department_id=departments[department],
            rater_department_id=departments[rater],
            answers=answers,
        )
    ImportedInvitations.objects.bulk_create(
        ImportedInvitations(
            cycle=cycle, department_id=departments[department], rater_department_id=departments[rater], invited=n
        )
        for (department, rater), n in sorted(invited.items())
    )
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.CLOSED)
    cycle.refresh_from_db()

    cycle_finished.send(sender=Cycle, cycle_id=cycle.pk)
    return PastImportResult(cycle, len(responses), sum(len(r.scores) for r in responses.values()))
