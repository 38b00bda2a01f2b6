"""Demo survey history for `seed_demo`: three past cycles and one open cycle, made through the real
import and submit code paths. Deterministic (seeded), so every demo shows the same story:
IT and Logistics improve, Facilities slips, Procurement and Finance sit below target, and the
small departments (Legal, Internal Audit) form rater groups too small to be shown.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

from django.utils import timezone

from departments.models import Dependency, Employee, ServiceParameter
from survey_portal.csvfiles import CsvFile

from . import services
from .models import Cycle, Invitation
from .past_import import INVITED, OPTIONAL, REQUIRED, responses_import

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


def _score(rng: random.Random, mean: float) -> int | None:
    if rng.random() < 0.07:
        return None  # not applicable
    return max(1, min(5, round(rng.gauss(mean, 0.85))))


def _past_files(rng: random.Random, index: int, name: str) -> tuple[CsvFile, CsvFile]:
    """A past cycle's ratings, and how many people were invited per pair (its participation)."""
    providers: dict[int, list[str]] = {}
    for consumer_id, code in Dependency.objects.values_list("consumer_id", "provider__code"):
        providers.setdefault(consumer_id, []).append(code)
    charters: dict[str, list[str]] = {}
    for department, code in ServiceParameter.objects.filter(active=True).values_list("department__code", "code"):
        charters.setdefault(department, []).append(code)
    offsets = {(d, p): rng.gauss(0, 0.3) for d, codes in charters.items() for p in codes}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*REQUIRED, *OPTIONAL])
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
            for parameter in charters[provider]:
                score = _score(rng, mean + offsets[provider, parameter])
                writer.writerow([f"r{number}", rater, provider, parameter, score or "", good, improve])
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
    for index, months_ago in enumerate((9, 6, 3)):
        opens = today - timedelta(days=30 * months_ago)
        name = services.quarter_name(opens)
        file, invited_file = _past_files(rng, index, name)
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
            services.response_submit(
                invitation=invitation, scores=scores, comment_good=rng.choice(GOOD) if roll < 0.1 else ""
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
