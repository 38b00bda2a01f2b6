"""Demo survey history for `seed_demo`: three past cycles and one open cycle, made through the real
import and submit code paths. Deterministic (seeded), so every demo shows the same story:
IT and Logistics improve, Facilities slips, Procurement and Finance sit below target, and the
small departments (Legal, Internal Audit) form rater groups too small to be shown.

"You said, we did": improvements.demo (run first) finishes action items between the last past
cycle and the open one, so the open cycle shows them and asks whether they made a difference (IT
among others, for the demo employee in Sales). The second past cycle, published, holds answers to
that question too, about the changes done since the first (made here when missing): IT's and
Facilities' are shown, Legal's are too few and stay hidden.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from django.utils import timezone

from departments.models import Department, Dependency, Employee, ServiceParameter
from improvements.models import ActionItem
from survey_portal.csvfiles import CsvFile

from . import services
from .models import ActionFeedback, Cycle, Invitation
from .past_import import FEEDBACK, INVITED, OPTIONAL, REQUIRED, responses_import

BASE_QUALITY = {"it": 3.4, "hr": 3.9, "finance": 3.3, "procurement": 3.1, "legal": 4.0, "facilities": 4.0}
TREND = {"it": 0.25, "logistics": 0.2, "facilities": -0.2, "marketing": 0.1}  # change per cycle
GOOD = [
    "Quick to answer and always polite.",
    "They explain clearly what happens next.",
    "Very helpful when things get urgent.",
    "Knowledgeable people who follow through.",
    "The new request form made things much easier.",
    "Always willing to jump on a call and sort it out.",
    "Clear owners for each request: I know who to ask.",
    "They flagged a problem before it hit us. Thank you!",
    "Patient with questions from people outside their field.",
    "Deadlines they commit to are met.",
    "Friendly, even on the busiest days.",
    "Documentation on the intranet is up to date and useful.",
]
IMPROVE = [
    "Replies can take a week; an acknowledgement would help.",
    "We rarely hear about progress until we chase.",
    "Too many hand-offs between people.",
    "Please publish the turnaround times you commit to.",
    "Priorities change without telling us.",
    "The ticket form asks for the same details twice.",
    "Hard to reach anyone after 4 pm.",
    "Decisions come without the reasons behind them.",
    "Urgent requests and routine ones are queued the same way.",
    "Handover between shifts loses information.",
    "Status updates are full of jargon.",
    "Please tell us when a request is closed.",
]


# How people answer "Did the changes … make a difference for you?", per department (others: the
# default): weights of yes, somewhat, no, didn't notice. Most answer it; in Legal only three do.
FEEDBACK_WEIGHTS = {"it": (5, 3, 1, 1), "facilities": (2, 3, 3, 2)}
DEFAULT_FEEDBACK_WEIGHTS = (3, 3, 2, 2)
FEEDBACK_RATE = 0.75
FEEDBACK_AT_MOST = {"legal": 3}
# Done between the first and second past cycles, where improvements.demo has nothing that early:
# (department, title, what changed, days after the first cycle opened).
EARLIER_CHANGES = [
    ("it", "One number for every IT request", "The service desk answers on one number and one email address.", 40),
    ("facilities", "Meeting rooms cleaned between bookings", "A cleaning round passes every room at noon.", 55),
    ("legal", "Contract templates on the intranet", "Standard NDAs and supplier contracts can be downloaded.", 30),
]


def _feedback(rng: random.Random, department: str, given: dict[str, int]) -> str:
    """One person's answer to the action-feedback question about `department` ("" for none)."""
    if rng.random() > FEEDBACK_RATE or given.get(department, 0) >= FEEDBACK_AT_MOST.get(department, 10**6):
        return ""
    given[department] = given.get(department, 0) + 1
    weights = FEEDBACK_WEIGHTS.get(department, DEFAULT_FEEDBACK_WEIGHTS)
    return rng.choices(ActionFeedback.values, weights=weights)[0]


def _changes_done_between(since: date, before: date) -> set[str]:
    """The codes of the departments that finished an action item in [since, before)."""
    return set(ActionItem.objects.done_between(since, before).values_list("department__code", flat=True))


def _earlier_changes(first_opened: date, second_opened: date) -> None:
    """EARLIER_CHANGES, for the departments that have nothing done between the first two past
    cycles (improvements.demo's items are all recent): the story of the second one's answers to
    the question."""
    done_then = _changes_done_between(first_opened, second_opened)
    departments = {d.code: d for d in Department.objects.filter(code__in=[c[0] for c in EARLIER_CHANGES])}
    for code, title, change, days in EARLIER_CHANGES:
        if code in done_then or code not in departments:
            continue
        ActionItem.objects.create(
            department=departments[code],
            title=title,
            change=change,
            due_on=first_opened + timedelta(days=days),
            status=ActionItem.Status.DONE,
            percent_complete=100,
            completed_on=first_opened + timedelta(days=days),
        )


def _score(rng: random.Random, mean: float) -> int | None:
    if rng.random() < 0.07:
        return None  # not applicable
    return max(1, min(5, round(rng.gauss(mean, 0.85))))


def _past_files(
    rng: random.Random, index: int, name: str, changed: frozenset[str] = frozenset()
) -> tuple[CsvFile, CsvFile]:
    """A past cycle's ratings, and how many people were invited per pair (its participation); the
    departments `changed` were asked the action-feedback question."""
    providers: dict[int, list[str]] = {}
    for consumer_id, code in Dependency.objects.values_list("consumer_id", "provider__code"):
        providers.setdefault(consumer_id, []).append(code)
    charters: dict[str, list[str]] = {}
    for department, code in ServiceParameter.objects.filter(active=True).values_list("department__code", "code"):
        charters.setdefault(department, []).append(code)
    offsets = {(d, p): rng.gauss(0, 0.3) for d, codes in charters.items() for p in codes}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*REQUIRED, *OPTIONAL, FEEDBACK])
    # Its own generator, so that the ratings are those of a demo without the question.
    feedback_rng = random.Random(f"feedback {index}")
    given: dict[str, int] = {}
    number = 0
    invited: dict[tuple[str, str], int] = {}
    for department_id, rater in Employee.objects.active().values_list("department_id", "department__code"):
        for provider in providers.get(department_id, []):
            invited[rater, provider] = invited.get((rater, provider), 0) + 1
            if rng.random() > 0.62 + 0.06 * index:
                continue
            number += 1
            mean = BASE_QUALITY.get(provider, 3.7) + TREND.get(provider, 0) * index
            good = rng.choice(GOOD) if rng.random() < 0.2 else ""
            improve = rng.choice(IMPROVE) if rng.random() < 0.2 else ""
            feedback = _feedback(feedback_rng, provider, given) if provider in changed else ""
            for parameter in charters[provider]:
                score = _score(rng, mean + offsets[provider, parameter])
                writer.writerow([f"r{number}", rater, provider, parameter, score or "", good, improve, feedback])
    counts = io.StringIO()
    csv.writer(counts).writerows([INVITED, *((r, p, n) for (r, p), n in sorted(invited.items()))])
    return CsvFile(f"{name}.csv", buffer.getvalue().encode()), CsvFile(
        f"{name} invited.csv", counts.getvalue().encode()
    )


def seed_surveys(*, demo_employee: str) -> list[str]:
    """Create the demo cycles once; a rerun finds them and changes nothing."""
    if Cycle.objects.exists():
        return ["survey cycles: already present, unchanged"]
    rng = random.Random(2026)
    today = timezone.localdate()
    lines = []
    openings = [today - timedelta(days=30 * months_ago) for months_ago in (9, 6, 3)]
    _earlier_changes(openings[0], openings[1])
    for index, months_ago in enumerate((9, 6, 3)):
        opens = openings[index]
        name = services.quarter_name(opens)
        changed = frozenset(_changes_done_between(openings[index - 1], opens)) if index else frozenset()
        file, invited_file = _past_files(rng, index, name, changed)
        result = responses_import(
            file=file, invited=invited_file, name=name, opens=opens, closes=opens + timedelta(days=13)
        )
        # The latest past cycle is closed and waits for HR to review and publish its results.
        if months_ago > 3:
            services.cycle_publish(cycle=result.cycle)
        lines.append(f"past cycle “{name}”: {result.responses} responses, {result.cycle.get_status_display().lower()}")

    now = timezone.now()
    cycle = Cycle.objects.create(
        name=services.quarter_name(today),
        opens_at=now - timedelta(days=5),
        closes_at=now + timedelta(days=9),
        intro="Thank you for taking part. Rate each department on what it promised in its charter.",
    )
    cycle.departments.set(services.eligible_departments())
    invited = services.cycle_open(cycle_id=cycle.pk)
    feedback_rng = random.Random("feedback open")
    given: dict[str, int] = {}
    answered = 0
    invitations = list(
        Invitation.objects.filter(cycle=cycle)
        .exclude(employee__user__username=demo_employee)
        .select_related("cycle", "department")
    )
    for invitation in invitations:
        roll = rng.random()
        if roll < 0.04:
            services.invitation_decline(invitation=invitation)
        elif roll < 0.40:
            scores = {
                q.code: _score(rng, BASE_QUALITY.get(invitation.department.code, 3.7) + 0.1)
                for q in invitation.questions
            }
            feedback = _feedback(feedback_rng, invitation.department.code, given)
            services.response_submit(
                invitation=invitation,
                scores=scores,
                comment_good=rng.choice(GOOD) if roll < 0.1 else "",
                action_feedback=(feedback or None) if invitation.asks_action_feedback else None,
            )
        else:
            continue
        answered += 1
    lines.append(f"open cycle “{cycle.name}”: {invited} invitations, {answered} answered so far")

    # The demo employee has begun: a private draft for their first department.
    mine = (
        Invitation.objects.filter(cycle=cycle, employee__user__username=demo_employee)
        .select_related("cycle", "department")
        .order_by("department__name")
        .first()
    )
    if mine is not None:
        first = mine.questions[0]
        services.draft_save(invitation=mine, scores={first.code: 4}, comment_good="Quick replies.", comment_improve="")
        lines.append(f"a draft of the demo employee for {mine.department.name}")

    # Next quarter's cycle, prepared as a draft.
    following = today + timedelta(days=92)
    draft = Cycle.objects.create(
        name=services.quarter_name(following),
        opens_at=now + timedelta(days=85),
        closes_at=now + timedelta(days=99),
    )
    draft.departments.set(services.eligible_departments())
    lines.append(f"draft cycle “{draft.name}”")
    return lines
