"""The answers to the action-feedback question ("Did the changes … make a difference for you?"),
counted per department rated at closing, with the suppression every figure has: the counts only
from the cycle's score threshold of answers on, never below it, on every page and export."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from improvements.models import ActionItem
from scorecards.exports import SCORE_COLUMNS, score_rows
from scorecards.models import DepartmentScore
from scorecards.services import cycle_aggregate
from survey_portal.csvfiles import CsvFile, ImportFailed
from surveys import services
from surveys.models import ActionFeedback, Cycle, Invitation
from surveys.past_import import FEEDBACK, OPTIONAL, REQUIRED, responses_import
from tests.factories import ALL_GOOD, make_cycle

ANSWERS = ActionFeedback.values  # yes, somewhat, no, unnoticed
# department -> (responses, how many of them answer the question): IT's answers are shown, Finance's
# are too few (4 < 5), Facilities was not asked (nobody answered).
PLAN = {"it": (40, 33), "fin": (20, 4), "fac": (7, 0)}


def import_with_feedback(seed: int = 3) -> tuple[Cycle, dict[str, Counter]]:
    """A closed cycle imported with its answers to the question; returns it and, computed here
    independently, the count of each answer per department."""
    rng = random.Random(seed)
    charters = {"it": ["resp", "qual", "avail"], "fin": ["resp", "acc"], "fac": ["resp", "clean"]}
    raters = ["sales", "hr", "ops"]
    expected: dict[str, Counter] = {}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*REQUIRED, *OPTIONAL, FEEDBACK])
    number = 0
    for department, (responses, answering) in PLAN.items():
        counted: Counter = Counter()
        for i in range(responses):
            number += 1
            feedback = rng.choice(ANSWERS) if i < answering else ""
            counted[feedback] += bool(feedback)
            for parameter in charters[department]:
                writer.writerow(
                    [f"r{number}", raters[i % 3], department, parameter, rng.randint(1, 5), "", "", feedback]
                )
        expected[department] = counted
    result = responses_import(
        file=CsvFile("past.csv", buffer.getvalue().encode()),
        name="Q1 2026",
        opens=date(2026, 1, 5),
        closes=date(2026, 1, 16),
    )
    cycle_aggregate(cycle_id=result.cycle.pk)
    return result.cycle, expected


def score_of(cycle: Cycle, code: str) -> DepartmentScore:
    return DepartmentScore.objects.select_related("department", "cycle").get(cycle=cycle, department__code=code)


def test_each_answer_is_counted_as_an_independent_count_of_the_responses_says(departments):
    cycle, expected = import_with_feedback()

    it = score_of(cycle, "it")
    assert it.feedback_n == sum(expected["it"].values()) == 33
    assert {a: getattr(it, f"feedback_{a}") for a in ANSWERS} == {a: expected["it"][a] for a in ANSWERS}
    assert [(answer, k) for answer, _label, k, _share in it.feedback_distribution] == [
        (a, expected["it"][a]) for a in ANSWERS
    ]


def test_fewer_answers_than_the_threshold_keep_their_number_and_no_count(departments):
    cycle, _ = import_with_feedback()

    fin = score_of(cycle, "fin")
    assert fin.feedback_n == 4 < cycle.score_threshold
    assert (fin.feedback_yes, fin.feedback_somewhat, fin.feedback_no, fin.feedback_unnoticed) == (None,) * 4
    assert not fin.feedback_shown and fin.feedback_distribution == []
    assert not fin.suppressed  # the department's scores themselves are shown: 20 responses


def test_a_department_not_asked_has_no_feedback_figures_at_all(departments):
    cycle, _ = import_with_feedback()

    fac = score_of(cycle, "fac")
    assert fac.feedback_n is None and fac.feedback_yes is None
    assert render_to_string("scorecards/_action_feedback.html", {"score": fac}).strip() == ""


def test_a_department_asked_that_nobody_answered_about_shows_zero_answers_and_no_count(org):
    opens = timezone.now() - timedelta(days=90)
    last = make_cycle(org, status="open", name="Last quarter", opens_at=opens, closes_at=opens + timedelta(days=14))
    services.cycle_close(cycle_id=last.pk)
    ActionItem.objects.create(
        department=org.it,
        title="Publish response times",
        change="Response times are published.",
        due_on=timezone.localdate(),
        status=ActionItem.Status.DONE,
        completed_on=timezone.localdate() - timedelta(days=20),
    )
    cycle = make_cycle(org, status="open")
    for employee in (org.outsider, org.outsider_head, org.hr):
        invitation = Invitation.objects.select_related("cycle", "department").get(cycle=cycle, employee=employee)
        services.response_submit(invitation=invitation, scores=ALL_GOOD)
    services.cycle_close(cycle_id=cycle.pk)
    cycle_aggregate(cycle_id=cycle.pk)

    it = score_of(cycle, "it")
    assert (it.feedback_n, it.feedback_yes) == (0, None)
    assert "Fewer than 5 answers" in render_to_string("scorecards/_action_feedback.html", {"score": it})


def test_the_partial_shows_each_answer_in_words_with_its_share_and_a_bar_that_repeats_them(departments):
    cycle, expected = import_with_feedback()

    html = render_to_string("scorecards/_action_feedback.html", {"score": score_of(cycle, "it"), "cycle": cycle})

    n = sum(expected["it"].values())
    assert f"{n} people answered “Did the changes IT made since last cycle make a difference for you?”" in html
    for answer, label in ActionFeedback.choices:
        k = expected["it"][answer]
        assert (
            f'{label}: <strong>{round(100 * k / n)}%</strong> <span class="text-body-secondary">({k})</span>' in html
        )
    assert 'class="dist mb-2" aria-hidden="true"' in html  # the bar: the words above are what is read out
    assert html.count('style="width: ') == 4 + 4  # a segment and a key swatch per answer


def test_the_partial_says_why_a_small_group_is_not_shown_and_gives_no_number(departments):
    cycle, expected = import_with_feedback()

    html = render_to_string("scorecards/_action_feedback.html", {"score": score_of(cycle, "fin")})

    assert "Fewer than 5 answers: not shown" in html
    assert "%" not in html and "people answered" not in html
    assert not any(f"({k})" in html for k in expected["fin"].values())


def test_the_scores_export_carries_the_counts_with_the_same_suppression(departments):
    cycle, expected = import_with_feedback()

    rows = {(row[0], row[1]): dict(zip(SCORE_COLUMNS, row, strict=True)) for row in score_rows(cycle)}

    it, fin, fac = (rows[code, "__overall__"] for code in ("it", "fin", "fac"))
    assert it["feedback_n"] == "33"
    assert [it[f"feedback_{a}"] for a in ANSWERS] == [str(expected["it"][a]) for a in ANSWERS]
    assert fin["feedback_n"] == "4" and [fin[f"feedback_{a}"] for a in ANSWERS] == [""] * 4
    assert fac["feedback_n"] == "" and fac["feedback_yes"] == ""
    assert rows["it", "resp"]["feedback_n"] == ""  # a parameter's row has none


def test_a_recalculation_stores_the_same_figures(departments):
    cycle, _ = import_with_feedback()
    before = list(DepartmentScore.objects.filter(cycle=cycle).order_by("pk").values())

    cycle_aggregate(cycle_id=cycle.pk)

    assert list(DepartmentScore.objects.filter(cycle=cycle).order_by("pk").values()) == before


def test_the_backup_export_carries_the_answers_and_loads_back_the_same(departments, tmp_path):
    from django.core.management import call_command

    cycle, expected = import_with_feedback()
    path = tmp_path / "backup.csv"
    call_command("export_responses", str(path), cycle=cycle.name, stdout=io.StringIO())
    call_command("import_responses", str(path), "--cycle=Restored", "--opens=2026-04-06", "--closes=2026-04-17")

    restored = Cycle.objects.get(name="Restored")
    cycle_aggregate(cycle_id=restored.pk)
    it = score_of(restored, "it")
    assert [getattr(it, f"feedback_{a}") for a in ANSWERS] == [expected["it"][a] for a in ANSWERS]


def test_an_import_refuses_an_answer_that_is_not_one_of_the_four(departments):
    text = (
        f"{','.join([*REQUIRED, *OPTIONAL, FEEDBACK])}\n"
        "r1,sales,it,resp,4,,,maybe\n"
        "r2,sales,it,resp,4,,,yes\n"
        "r2,sales,it,qual,4,,,no\n"
    )
    with pytest.raises(ImportFailed) as failed:
        responses_import(
            file=CsvFile("past.csv", text.encode()), name="X", opens=date(2026, 1, 5), closes=date(2026, 1, 9)
        )

    assert failed.value.errors == [
        "past.csv:2: action_feedback 'maybe' is not one of yes, somewhat, no, unnoticed (or empty)",
        "past.csv:4: action_feedback differs from line 3 of the same response",
    ]
