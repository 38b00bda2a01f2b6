"""Which parameters need a plan (scorecards.plans): the rule, checked against an independent
calculation on generated responses, and each way a department answers a parameter below target."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from statistics import fmean

import pytest
from django.utils import timezone

from departments.models import ServiceParameter
from improvements.models import ActionItem, NoActionNote
from scorecards import plans
from scorecards.models import CLOSE_MARGIN
from scorecards.reports import published_cycles
from surveys import services as survey_services
from surveys.models import Cycle
from tests.factories import CHARTERS, generate


def finished() -> Cycle.objects:
    return Cycle.objects.finished().filter(result__computed_at__isnull=False)


def expected_below(generated, threshold: int = 5) -> set[tuple[str, str]]:
    """(department, parameter) Below target, from the generated answers themselves."""
    below = set()
    for department, parameters in CHARTERS.items():
        for code, _weight, target in parameters:
            scores = generated.scores(department, code)
            if len(scores) < threshold:
                continue  # suppressed: nobody saw it
            gap = Decimal(str(round(fmean(scores), 4))) - Decimal(target)
            if gap < -CLOSE_MARGIN:
                below.add((department, code))
    return below


def needing(department_ids=None) -> set[tuple[str, str]]:
    return {(s.department.code, s.code) for s in plans.unplanned(finished(), department_ids)}


def charter_parameter(department, code: str) -> ServiceParameter:
    return ServiceParameter.objects.get(department=department, code=code)


def action(department, parameters, **fields) -> ActionItem:
    fields = {
        "title": "Answer within a day",
        "change": "A rota.",
        "due_on": date.today() + timedelta(days=30),
    } | fields
    item = ActionItem.objects.create(department=department, **fields)
    item.parameters.set(parameters)
    return item


@pytest.fixture
def below(departments, generated):
    """IT's responsiveness is below target in the generated cycle (mean 3.2 against 4.0)."""
    assert ("it", "resp") in expected_below(generated)
    return charter_parameter(departments["it"], "resp")


def test_every_parameter_below_target_with_no_plan_is_listed_and_nothing_else(generated):
    expected = expected_below(generated)
    assert expected and needing() == expected


def test_close_to_target_is_not_below_it(departments, generated):
    """Only Below needs a plan: a parameter Close to its target (within 0.25) does not."""
    listed = plans.unplanned(finished())
    assert listed and all(s.gap < -float(CLOSE_MARGIN) and s.status == "below" for s in listed)


def test_suppressed_figures_never_need_a_plan(departments, generated):
    """tiny has three responses, IT's availability four ratings: nothing of theirs was shown."""
    listed = needing()
    assert not {code for code, _ in listed} & {"tiny"}
    assert ("it", "avail") not in listed


def test_a_planned_or_started_action_answers_the_parameter(departments, below):
    item = action(departments["it"], [below])
    assert ("it", "resp") not in needing()

    ActionItem.objects.filter(pk=item.pk).update(status=ActionItem.Status.IN_PROGRESS, percent_complete=40)
    assert ("it", "resp") not in needing()


def test_a_dropped_action_answers_nothing(departments, below):
    action(departments["it"], [below], status=ActionItem.Status.DROPPED, dropped_reason="No budget.")
    assert ("it", "resp") in needing()


def test_an_action_done_before_the_cycle_closed_answers_nothing_one_done_since_does(departments, generated, below):
    closed = generated.cycle.closed_at
    old = action(
        departments["it"], [below], status=ActionItem.Status.DONE, completed_on=closed.date() - timedelta(days=20)
    )
    ActionItem.objects.filter(pk=old.pk).update(created_at=closed - timedelta(days=40))
    assert ("it", "resp") in needing()

    ActionItem.objects.filter(pk=old.pk).update(completed_on=timezone.localdate())
    assert ("it", "resp") not in needing()


def test_an_action_created_since_the_cycle_closed_answers_it_even_if_dated_done_before(departments, generated, below):
    closed = generated.cycle.closed_at
    action(departments["it"], [below], status=ActionItem.Status.DONE, completed_on=closed.date() - timedelta(days=3))
    assert ("it", "resp") not in needing()


def test_an_action_about_another_parameter_answers_nothing(departments, below):
    action(departments["it"], [charter_parameter(departments["it"], "qual")])
    assert ("it", "resp") in needing()


def test_a_no_action_note_written_after_the_cycle_closed_answers_it(departments, below):
    NoActionNote.objects.create(parameter=below, reason="We are moving offices.")
    assert ("it", "resp") not in needing()


def test_a_no_action_note_written_before_the_cycle_closed_does_not_count(departments, generated, below):
    note = NoActionNote.objects.create(parameter=below, reason="Last year's reason.")
    NoActionNote.objects.filter(pk=note.pk).update(written_at=generated.cycle.closed_at - timedelta(hours=1))
    assert ("it", "resp") in needing()


def test_a_newer_cycle_with_figures_asks_again(departments, generated, below):
    """A note answers the cycle it followed; the next results below target need a new answer."""
    NoActionNote.objects.create(parameter=below, reason="Moving offices.")
    assert ("it", "resp") not in needing()

    later = generate("Q2 2026", seed=2, opens=date(2026, 4, 6))
    NoActionNote.objects.filter(parameter=below).update(written_at=later.cycle.closed_at - timedelta(days=1))
    assert ("it", "resp") in needing()


def test_a_newer_cycle_with_too_few_responses_leaves_the_last_shown_results_in_force(departments, generated):
    """The latest cycle *with figures* counts: one where nothing could be shown hides nothing."""
    small_plan = {("it", "sales"): 2, ("fin", "sales"): 2, ("fac", "sales"): 2, ("tiny", "hr"): 2}
    generate("Q2 2026", seed=3, opens=date(2026, 4, 6), plan=small_plan)
    assert needing() == expected_below(generated)


def test_a_parameter_taken_out_of_the_charter_needs_no_plan(departments, below):
    ServiceParameter.objects.filter(pk=below.pk).update(active=False)
    assert ("it", "resp") not in needing()


def test_one_department_or_all_of_them_ask_the_same_rule(departments, generated):
    everyone = needing()
    it_only = needing([departments["it"].pk])
    assert it_only == {pair for pair in everyone if pair[0] == "it"}


def test_published_cycles_only_when_asked(departments, generated):
    assert plans.unplanned(published_cycles()) == []
    survey_services.cycle_publish(cycle=generated.cycle)
    assert {(s.department.code, s.code) for s in plans.unplanned(published_cycles())} == expected_below(generated)


def test_the_scorecards_plan_agrees_with_the_list(departments, generated, below):
    """department_plan (per cycle, with what answers each parameter) and unplanned (the list) agree."""
    note = NoActionNote.objects.create(parameter=below, reason="Moving offices.")
    fin = departments["fin"]
    fin_below = [s.code for s in plans.unplanned(finished(), [fin.pk])]
    item = action(fin, [charter_parameter(fin, fin_below[0])])

    it_plan = plans.department_plan(departments["it"], generated.cycle)
    fin_plan = plans.department_plan(fin, generated.cycle)

    assert {p.score.code for p in it_plan.below} == {code for dept, code in expected_below(generated) if dept == "it"}
    assert next(p for p in it_plan.below if p.score.code == "resp").note == note
    assert next(p for p in fin_plan.below if p.score.code == fin_below[0]).actions == [item]
    assert fin_plan.current == [item]
    for department in (departments["it"], fin):
        plan = plans.department_plan(department, generated.cycle)
        assert {p.score.code for p in plan.needing} == {s.code for s in plans.unplanned(finished(), [department.pk])}


def test_asking_for_every_department_runs_one_query(departments, generated, django_assert_num_queries):
    with django_assert_num_queries(1):
        plans.unplanned(finished())


def test_the_charter_pages_shortcut_finds_the_same_parameters_below_target(departments, generated):
    """below_target_of (from scores already read) agrees with the query, department by department."""
    from scorecards.models import ParameterScore

    for department in departments.values():
        scores = ParameterScore.objects.filter(cycle=generated.cycle, department=department)
        charter = department.charter_queryset()
        shortcut = plans.below_target_of(department, scores, charter)
        queried = plans.department_plan(department, generated.cycle).below
        assert [(s.code, s.charter_parameter_id) for s in shortcut] == [
            (p.score.code, p.charter_parameter_id) for p in queried
        ]
