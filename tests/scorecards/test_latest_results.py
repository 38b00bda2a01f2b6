"""What people read when a cycle had too few responses, and one count of parameters short of target."""

from __future__ import annotations

import re
from datetime import date

import pytest

from departments.models import Dependency
from scorecards.models import DepartmentScore, ParameterScore, TargetStatus
from surveys import services as survey_services
from tests.factories import PLAN, generate

# A later cycle in which IT is rated by two people only: its figures are not shown.
FEW_FOR_IT = {pair: n for pair, n in PLAN.items() if pair[0] != "it"} | {("it", "sales"): 2}


@pytest.fixture
def two_published(people):
    first = generate("Q1 2026", seed=1, opens=date(2026, 1, 5))
    second = generate("Q2 2026", seed=2, plan=FEW_FOR_IT, opens=date(2026, 4, 6))
    for generated in (first, second):
        survey_services.cycle_publish(cycle=generated.cycle)
    assert DepartmentScore.objects.get(cycle=second.cycle, department__code="it").suppressed
    return first.cycle, second.cycle


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_cycle_with_too_few_responses_leaves_the_last_results_shown_and_named(as_, people, two_published):
    first, second = two_published
    Dependency.objects.create(consumer=people["employee"].department, provider=people["head"].department)
    client = as_(people["employee"])

    charter = text(client.get("/departments/it/"))
    assert f"Published results · {first.name}" in charter
    assert f"{second.name} has no results to show for IT" in charter
    assert "Too few responses to show results" not in charter

    mine = text(client.get("/my/surveys/"))
    assert f"Their published results · {second.name}" in mine
    assert f"from {first.name}, the latest with enough responses" in mine

    fin = text(client.get("/departments/fin/"))  # enough responses in both: the newest is shown
    assert f"Published results · {second.name}" in fin and "has no results to show" not in fin


def test_the_head_is_pointed_to_the_latest_scorecard_with_figures(as_, people, two_published):
    first, second = two_published
    client = as_(people["head"])

    home = text(client.get("/my/department/"))
    assert f"Too few people rated IT in {second.name}" in home
    assert f"Latest results that could be shown, from {first.name}" in home
    assert f"/scorecards/it/?cycle={first.pk}" in home

    card = text(client.get(f"/scorecards/it/?cycle={second.pk}"))
    assert "Not shown" in card and f'href="?cycle={first.pk}">{first.name}</a>' in card


def test_the_head_home_counts_parameters_short_of_target_as_the_scorecard_shows_them(as_, people, generated):
    shown = [
        p for p in ParameterScore.objects.filter(cycle=generated.cycle, department__code="it") if not p.suppressed
    ]
    statuses = [p.status for p in shown]
    below, close = statuses.count(TargetStatus.BELOW), statuses.count(TargetStatus.CLOSE)
    score = DepartmentScore.objects.get(cycle=generated.cycle, department__code="it")
    assert (score.below_target, score.close_to_target) == (below, close)

    home = text(as_(people["head"]).get("/my/department/"))
    card = text(as_(people["head"]).get("/scorecards/it/"))

    words = " and ".join(
        part for part in (f"{below} below target" if below else "", f"{close} close to" if close else "") if part
    )
    assert words and words in home
    badges = re.findall(r'<span class="status status-(below|close|meets)">', card.split("parameters-heading")[-1])
    assert badges[: len(shown)].count("below") == below and badges[: len(shown)].count("close") == close


def test_the_results_trend_of_a_cycle_ends_with_that_cycle(as_, people):
    first = generate("Q1 2026", seed=1, opens=date(2026, 1, 5))
    generate("Q2 2026", seed=2, opens=date(2026, 4, 6))

    response = as_(people["hr"]).get(f"/hr/results/?cycle={first.cycle.pk}")

    assert response.status_code == 200
    assert {len(r.history) for r in response.context["org"].ranking} == {1}


def test_a_results_page_with_nothing_shown_does_not_say_everything_meets_its_target(as_, people):
    generate("Q1 2026", seed=1, plan={("it", "sales"): 2, ("fin", "hr"): 3})

    page = text(as_(people["hr"]).get("/hr/results/"))

    assert "Every parameter shown meets its target" not in page
    assert "no department had enough responses in this cycle" in page
