"""The aggregation against an independent computation (NumPy, SciPy) on generated data."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date

import numpy as np
import pytest
from django.db import connection, transaction
from scipy import stats as sp

from scorecards.models import CycleResult, DepartmentScore, HeatmapCell, ParameterScore, Participation
from scorecards.services import _Cell, cycle_aggregate, suppress_heatmap_row
from surveys import services as survey_services
from surveys.models import Invitation
from tests.factories import ALL_GOOD, CHARTERS, PLAN, generate, make_cycle

APPROX = {"rel": 1e-9, "abs": 1e-9}


def stored(model, cycle, **filters):
    return model.objects.filter(cycle=cycle, **filters)


def test_parameter_figures_match_an_independent_computation(generated):
    checked = 0
    for department, parameters in CHARTERS.items():
        for code, _weight, target in parameters:
            scores = np.array(generated.scores(department, code))
            row = stored(ParameterScore, generated.cycle).get(department__code=department, code=code)
            assert row.n == len(scores)
            if len(scores) < 5:
                assert row.suppressed
                continue
            n, mean, sd = len(scores), scores.mean(), scores.std(ddof=1)
            low, high = sp.t.interval(0.95, n - 1, loc=mean, scale=sd / np.sqrt(n))
            counts = Counter(scores.tolist())
            assert not row.suppressed
            assert row.mean == pytest.approx(mean, **APPROX)
            assert row.stdev == pytest.approx(sd, **APPROX)
            assert [row.count_1, row.count_2, row.count_3, row.count_4, row.count_5] == [
                counts[s] for s in range(1, 6)
            ]
            assert row.top_box_pct == pytest.approx(100 * (counts[4] + counts[5]) / n, **APPROX)
            assert row.gap == pytest.approx(mean - float(target), **APPROX)
            assert (row.ci_low, row.ci_high) == (pytest.approx(low, **APPROX), pytest.approx(high, **APPROX))
            checked += 1
    assert checked >= 6


def test_change_and_its_significance_match_welchs_t_test(departments):
    before = generate("Q4 2025", seed=1, opens=date(2025, 10, 6))
    # IT's responsiveness improves a lot; Finance's accuracy gets exactly the same answers.
    after = generate("Q1 2026", seed=2, shift={("it", "resp"): 1.2})
    same = generate("Q2 2026", seed=3, same_as=after, opens=date(2026, 4, 6))

    verdicts = []
    for cycle_now, now, was in ((after.cycle, after, before), (same.cycle, same, after)):
        for department, code in (("it", "resp"), ("it", "qual"), ("fin", "resp"), ("fin", "acc"), ("fac", "clean")):
            row = stored(ParameterScore, cycle_now).get(department__code=department, code=code)
            a, b = np.array(now.scores(department, code)), np.array(was.scores(department, code))
            assert row.previous_mean == pytest.approx(b.mean(), **APPROX)
            assert row.change == pytest.approx(a.mean() - b.mean(), **APPROX)
            p_value = sp.ttest_ind(a, b, equal_var=False).pvalue if a.std() + b.std() else 1.0
            assert row.change_significant == (p_value < 0.05), (department, code, p_value)
            verdicts.append(row.change_significant)
    assert True in verdicts and False in verdicts  # both outcomes were exercised


def test_the_overall_index_is_the_weighted_mean_of_the_unsuppressed_parameters(generated):
    it = stored(DepartmentScore, generated.cycle).get(department__code="it")
    resp, qual = np.array(generated.scores("it", "resp")), np.array(generated.scores("it", "qual"))
    # avail (weight 1) had four ratings: suppressed, so it stays out of the index.
    assert stored(ParameterScore, generated.cycle).get(department__code="it", code="avail").suppressed
    assert it.mean == pytest.approx((1 * resp.mean() + 2 * qual.mean()) / 3, **APPROX)
    rated = [r for r in generated.responses if r["department"] == "it" and any(v for v in r["scores"].values())]
    assert it.n == len(rated)
    assert str(it.target) == f"{(4.00 * 1 + 3.75 * 2) / 3:.2f}"


def test_heatmap_cells_are_the_mean_of_the_shown_parameters_ratings_in_their_responses(generated):
    hidden = set(
        ParameterScore.objects.filter(cycle=generated.cycle, suppressed=True).values_list("department__code", "code")
    )
    for (department, rater), _count in PLAN.items():
        responses = [r for r in generated.responses if (r["department"], r["rater"]) == (department, rater)]
        ratings = [v for r in responses for code, v in r["scores"].items() if v and (department, code) not in hidden]
        cell = stored(HeatmapCell, generated.cycle).get(department__code=department, rater_department__code=rater)
        # n: the responses that rated a shown parameter (the others add nothing to the mean)
        assert cell.n == sum(
            1 for r in responses if any(v for c, v in r["scores"].items() if (department, c) not in hidden)
        )
        if not cell.suppressed:
            assert cell.mean == pytest.approx(np.mean(ratings), **APPROX)


def test_small_heatmap_cells_and_enough_others_to_protect_them_are_suppressed(generated):
    cells = {
        (c.department.code, c.rater_department.code): (c.suppressed, c.complementary, c.mean)
        for c in stored(HeatmapCell, generated.cycle).select_related("department", "rater_department")
    }
    # IT: legal (3) and audit (2) hold 5 hidden responses: nothing more to hide.
    assert cells["it", "legal"][:2] == (True, False) and cells["it", "audit"][:2] == (True, False)
    assert not cells["it", "ops"][0]
    # Finance: legal (2) alone could be recovered by subtraction, so ops (6, the smallest) is hidden too.
    assert cells["fin", "legal"][:2] == (True, False)
    assert cells["fin", "ops"][:2] == (True, True)
    assert not cells["fin", "hr"][0]
    assert all(mean is None for suppressed, _, mean in cells.values() if suppressed)


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ({"a": 30, "b": 2, "c": 6, "d": 7}, {"b", "c"}),  # 2 < 5: add the smallest shown (c, 6)
        ({"a": 30, "b": 1, "c": 6, "d": 6}, {"b", "c"}),  # a tie at 6: the lower code goes first
        ({"a": 30, "b": 3, "c": 2, "d": 9}, {"b", "c"}),  # 3 + 2 = 5: enough already
        ({"a": 30, "b": 1, "c": 1, "d": 1}, {"a", "b", "c", "d"}),  # 3 < 5 and only a is left: all hidden
        ({"a": 30, "b": 9}, set()),  # nothing small
        ({"a": 4}, {"a"}),  # a lone small cell
    ],
)
def test_the_heatmap_row_rule_hides_the_smallest_cells_until_the_hidden_hold_the_threshold(sizes, hidden):
    cells = [_Cell(rater_id=i, rater_code=code, n=n, ratings=n, total=n) for i, (code, n) in enumerate(sizes.items())]
    suppress_heatmap_row(cells, threshold=5)
    assert {c.rater_code for c in cells if c.suppressed} == hidden
    total_hidden = sum(c.n for c in cells if c.suppressed)
    # Either nothing is hidden, or the hidden hold enough, or the whole row is (its total is small).
    assert total_hidden == 0 or total_hidden >= 5 or all(c.suppressed for c in cells)


def test_suppressed_figures_are_stored_without_any_number(generated):
    rated = sum(1 for r in generated.responses if r["department"] == "tiny" and r["scores"]["resp"])
    tiny = stored(DepartmentScore, generated.cycle).get(department__code="tiny")
    assert (tiny.n, tiny.suppressed, tiny.mean, tiny.target) == (rated, True, None, None)
    row = stored(ParameterScore, generated.cycle).get(department__code="tiny", code="resp")
    assert row.suppressed and row.n == rated
    assert [row.mean, row.stdev, row.count_1, row.count_5, row.top_box_pct, row.gap, row.ci_low, row.ci_high] == [
        None
    ] * 8


def test_comments_are_allowed_only_from_the_comment_threshold(generated):
    visible = dict(stored(DepartmentScore, generated.cycle).values_list("department__code", "comments_visible"))
    assert visible == {"it": True, "fin": True, "fac": False, "tiny": False}


def test_aggregating_twice_leaves_identical_rows(generated):
    def snapshot():
        return {
            model.__name__: sorted(model.objects.filter(cycle=generated.cycle).values_list())
            for model in (ParameterScore, DepartmentScore, HeatmapCell, Participation)
        }

    first = snapshot()
    cycle_aggregate(cycle_id=generated.cycle.pk)
    assert snapshot() == first
    assert CycleResult.objects.get(cycle=generated.cycle).runs == 2


def test_participation_is_counted_both_ways(org):
    cycle = make_cycle(org, status="open")
    survey_services.response_submit(
        invitation=Invitation.objects.get(cycle=cycle, employee=org.outsider), scores=ALL_GOOD
    )
    survey_services.invitation_decline(invitation=Invitation.objects.get(cycle=cycle, employee=org.hr))
    survey_services.cycle_close(cycle_id=cycle.pk)

    cycle_aggregate(cycle_id=cycle.pk)

    rows = {
        (p.department.code, p.role): (p.invited, p.completed, p.declined, p.rate) for p in stored(Participation, cycle)
    }
    assert rows == {
        ("it", "rated"): (3, 1, 1, 67),
        ("sales", "rater"): (2, 1, 0, 50),
        ("hr", "rater"): (1, 0, 1, 100),
    }


def test_closing_a_cycle_and_importing_past_results_queue_the_aggregation(
    org, departments, django_capture_on_commit_callbacks
):
    cycle = make_cycle(org, status="open", name="Open one")
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.cycle_close(cycle_id=cycle.pk)
    assert CycleResult.objects.get(cycle=cycle).computed_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        imported = generate("Imported", seed=5, aggregate=False).cycle
    assert CycleResult.objects.get(cycle=imported).computed_at is not None


def test_recomputing_a_cycle_recomputes_the_next_one_that_compares_with_it(
    departments, django_capture_on_commit_callbacks
):
    first = generate("Q1", seed=1, opens=date(2026, 1, 5))
    second = generate("Q2", seed=2, opens=date(2026, 4, 6))
    ParameterScore.objects.filter(cycle=second.cycle).update(previous_mean=None)

    with django_capture_on_commit_callbacks(execute=True):
        cycle_aggregate(cycle_id=first.cycle.pk)

    assert not ParameterScore.objects.filter(cycle=second.cycle, suppressed=False, previous_mean=None).exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_for_one_cycle_never_interleave(departments):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for concurrent transactions and row locks (set DATABASE_URL)")
    cycle = generate("Q1 2026", seed=1).cycle
    runs = CycleResult.objects.get(cycle=cycle).runs
    holding, release, finished = threading.Event(), threading.Event(), threading.Event()

    def hold_the_lock():
        with transaction.atomic():
            CycleResult.objects.select_for_update().get(cycle=cycle)
            holding.set()
            release.wait(10)
        connection.close()

    def second_run():
        holding.wait(10)
        cycle_aggregate(cycle_id=cycle.pk)
        finished.set()
        connection.close()

    threads = [threading.Thread(target=hold_the_lock), threading.Thread(target=second_run)]
    for thread in threads:
        thread.start()
    holding.wait(10)
    time.sleep(0.5)
    assert not finished.is_set(), "the second run went ahead while the first held the cycle"
    release.set()
    for thread in threads:
        thread.join(20)
    assert finished.is_set()
    assert CycleResult.objects.get(cycle=cycle).runs == runs + 1


def test_names_with_tabs_backslashes_and_newlines_are_stored_as_they_are(departments):
    ServiceParameter = type(departments["it"].parameters.first())
    ServiceParameter.objects.filter(department=departments["it"], code="qual").update(
        name="Quality\tof work \\ care\nand =SUM(A1)"
    )
    cycle = generate("Q1 2026", seed=1).cycle
    assert stored(ParameterScore, cycle).get(department__code="it", code="qual").name == (
        "Quality\tof work \\ care\nand =SUM(A1)"
    )
