"""Awards earned by rule (scorecards/awards.py), on generated cycles (tests/factories.generate)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from concerns.reports import ConcernFigures
from recognition.models import Award, AwardCriterion
from scorecards.awards import awards_evaluate
from scorecards.models import DepartmentScore, HeatmapCell, ParameterScore, Participation
from scorecards.services import cycle_aggregate
from surveys import services
from surveys.models import Cycle
from tests.factories import EmployeeFactory, generate

SUPPRESSED = {"got": "not evaluated: fewer than 5 responses", "met": False}


def publish(cycle: Cycle) -> Cycle:
    """Published without the signal: the tests below call the service themselves."""
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED, published_at=timezone.now())
    cycle.refresh_from_db()
    return cycle


def rule(name: str = "Rule", **measures) -> AwardCriterion:
    return AwardCriterion.objects.create(name=name, **measures)


def award_of(criterion, code: str, cycle) -> Award | None:
    return Award.objects.filter(criterion=criterion, department__code=code, cycle=cycle).first()


def index_of(cycle, code: str) -> float:
    return DepartmentScore.objects.get(cycle=cycle, department__code=code).mean


@pytest.fixture
def q1(departments):
    return generate("Q1 2026", seed=1)


@pytest.fixture
def published(q1):
    return publish(q1.cycle)


def evaluate(cycle):
    return awards_evaluate(cycle=cycle)


def checks_for(criterion, code, cycle, monkeypatch) -> list[dict]:
    """The explanation the engine builds for one department, whether or not it earns the award."""
    from scorecards import awards

    seen: dict = {}
    original = awards._record

    def spy(criterion, department, cycle, checks, holds, *args):
        seen[(criterion.pk, department.code)] = [check.as_dict() for check in checks]
        return original(criterion, department, cycle, checks, holds, *args)

    monkeypatch.setattr(awards, "_record", spy)
    awards_evaluate(cycle=cycle)
    monkeypatch.setattr(awards, "_record", original)
    return seen[(criterion.pk, code)]


def no_figures_in(explanation: list[dict]) -> bool:
    """Nothing but the threshold k in a "not evaluated" line: no mean, no count."""
    return all(
        re.sub(r"fewer than \d+ responses", "", str(line["got"])) == "not evaluated: "
        for line in explanation
        if str(line["got"]).startswith("not evaluated")
    )


# --- each measure: met, not met, not evaluated ----------------------------------------------------


def test_overall_index_is_met_from_its_value_and_not_above_it(published):
    index = round(index_of(published, "it"), 2)
    met = rule("Met", min_index=Decimal(str(index)))
    missed = rule("Missed", min_index=Decimal(str(index)) + Decimal("0.01"))
    evaluate(published)
    award = award_of(met, "it", published)
    assert award is not None and award.withdrawn_at is None
    assert award.explanation == [
        {"measure": "overall index", "wanted": f"≥ {index:.2f}", "got": f"{index:.2f}", "met": True}
    ]
    assert f"IT: overall index {index:.2f} (≥ {index:.2f}) in Q1 2026" in award.citation
    assert award_of(missed, "it", published) is None


def test_a_suppressed_index_is_not_evaluated_and_earns_nothing(published, monkeypatch):
    criterion = rule(min_index=Decimal("1.00"), min_responses=1)
    explanation = checks_for(criterion, "tiny", published, monkeypatch)  # 3 responses, k = 5
    assert award_of(criterion, "tiny", published) is None
    assert [line | {"measure": ""} for line in explanation] == [
        {"measure": "", "wanted": "at least 1", **SUPPRESSED},
        {"measure": "", "wanted": "≥ 1.00", **SUPPRESSED},
    ]
    assert no_figures_in(explanation)


def test_every_shown_parameter_must_meet_its_target_and_a_suppressed_one_blocks_nothing(published, monkeypatch):
    criterion = rule(all_parameters_meet_target=True)
    explanation = checks_for(criterion, "it", published, monkeypatch)
    assert not explanation[0]["met"] and "below target" in explanation[0]["got"]
    assert award_of(criterion, "it", published) is None
    # Every shown parameter's target lowered: IT's "avail" stays suppressed (four raters) and target 4.25.
    assert ParameterScore.objects.get(cycle=published, department__code="it", code="avail").suppressed
    ParameterScore.objects.filter(cycle=published, department__code="it", suppressed=False).update(target=1)
    evaluate(published)
    award = award_of(criterion, "it", published)
    assert award.explanation[0]["met"] and award.explanation[0]["got"] == "all 2 meet their targets"
    assert "every parameter meets its target" in award.citation


def test_parameters_of_a_suppressed_department_are_not_evaluated(published, monkeypatch):
    criterion = rule(all_parameters_meet_target=True)
    ParameterScore.objects.filter(cycle=published).update(target=1)
    explanation = checks_for(criterion, "tiny", published, monkeypatch)
    assert explanation == [{"measure": "every shown parameter meets its target", "wanted": "all", **SUPPRESSED}]


@pytest.fixture
def improved(q1):
    """Q1 and Q2 published; IT's responsiveness and quality rise by a point in Q2, Finance's stay."""
    q2 = generate("Q2 2026", seed=2, opens=date(2026, 4, 6), shift={("it", "resp"): 1.2, ("it", "qual"): 1.0})
    publish(q1.cycle)
    return publish(q2.cycle)


def test_a_significant_improvement_of_the_index_is_met(improved):
    change = DepartmentScore.objects.get(cycle=improved, department__code="it").change
    assert change is not None and change > 0.3
    criterion = rule(min_improvement=Decimal("0.30"))
    evaluate(improved)
    award = award_of(criterion, "it", improved)
    assert award is not None
    assert award.explanation[0]["got"] == f"{change:+.2f}" and award.explanation[0]["met"]


def test_an_improvement_below_the_amount_or_without_significance_is_not_met(improved, monkeypatch):
    change = DepartmentScore.objects.get(cycle=improved, department__code="it").change
    too_much = rule("Too much", min_improvement=Decimal(str(round(change, 2))) + Decimal("0.01"))
    evaluate(improved)
    assert award_of(too_much, "it", improved) is None
    # The same rise, but no parameter changed significantly: not met, and said so.
    ParameterScore.objects.filter(cycle=improved, department__code="it").update(change_significant=False)
    criterion = rule("Enough", min_improvement=Decimal("0.10"))
    explanation = checks_for(criterion, "it", improved, monkeypatch)
    assert explanation[0]["got"].endswith("(not significant)") and not explanation[0]["met"]


def test_an_improvement_without_a_previous_cycle_or_suppressed_is_not_evaluated(published, monkeypatch):
    criterion = rule(min_improvement=Decimal("0.10"))
    it = checks_for(criterion, "it", published, monkeypatch)
    assert it[0]["got"].startswith("not evaluated") and not it[0]["met"]
    assert checks_for(criterion, "tiny", published, monkeypatch)[0] | {"measure": "", "wanted": ""} == {
        "measure": "",
        "wanted": "",
        **SUPPRESSED,
    }


def front_line_mean(generated, provider: str, raters: list[str], hidden: set[str]) -> tuple[int, float]:
    """Independently: responses and ratings of `raters` about `provider`, weighted by responses; the
    ratings of a suppressed parameter (`hidden`) are left out, as everywhere."""
    n = 0
    total = 0.0
    for rater in raters:
        rows = [r for r in generated.responses if r["department"] == provider and r["rater"] == rater]
        rows = [r for r in rows if any(r["scores"].values())]
        scores = [s for r in rows for code, s in r["scores"].items() if s and code not in hidden]
        n += len(rows)
        total += len(rows) * sum(scores) / len(scores)
    return n, total / n


def test_the_front_line_mean_reads_shown_cells_only(q1, departments, monkeypatch):
    cycle = publish(q1.cycle)
    # Sales (30) and HR (12) are shown, weighted by responses; legal (3) is suppressed in IT's row:
    # it must change nothing.
    for code in ("sales", "hr"):
        departments[code].front_line = True
        departments[code].save()
    _, mean = front_line_mean(q1, "it", ["sales", "hr"], hidden={"avail"})  # avail: four raters only
    criterion = rule(min_front_line_mean=Decimal(str(round(mean, 2))))
    before = checks_for(criterion, "it", cycle, monkeypatch)
    assert before == [
        {
            "measure": "mean given by front-line departments",
            "wanted": f"≥ {mean:.2f}",
            "got": f"{mean:.2f}",
            "met": True,
        }
    ]
    assert HeatmapCell.objects.get(cycle=cycle, department__code="it", rater_department__code="legal").suppressed
    departments["legal"].front_line = True
    departments["legal"].save()
    assert checks_for(criterion, "it", cycle, monkeypatch) == before


def test_the_front_line_mean_from_suppressed_cells_only_is_not_evaluated_and_reveals_nothing(
    q1, departments, monkeypatch
):
    cycle = publish(q1.cycle)
    for code in ("legal", "audit"):  # IT's two suppressed cells
        departments[code].front_line = True
        departments[code].save()
    criterion = rule(min_front_line_mean=Decimal("1.00"))
    explanation = checks_for(criterion, "it", cycle, monkeypatch)
    assert explanation[0]["got"] == SUPPRESSED["got"] and no_figures_in(explanation)
    assert award_of(criterion, "it", cycle) is None


def test_back_office_only_excludes_front_line_departments(published, departments):
    criterion = rule(back_office_only=True, min_index=Decimal("1.00"))
    evaluate(published)
    assert award_of(criterion, "it", published) is not None
    departments["it"].front_line = True
    departments["it"].save()
    evaluate(published)
    award = award_of(criterion, "it", published)
    assert award.withdrawn_at is not None and "back office only" in award.withdrawn_reason


def test_concerns_in_time_takes_the_lower_of_acknowledged_and_answered(published, monkeypatch):
    from concerns import reports

    it_id = DepartmentScore.objects.get(cycle=published, department__code="it").department_id
    quarters = []

    def figures(start, end, department_ids=None, now=None):
        quarters.append((start, end))
        return {it_id: ConcernFigures(acknowledged_due=4, acknowledged_in_time=4, answered_due=4, answered_in_time=3)}

    monkeypatch.setattr(reports, "figures", figures)
    met = rule("75", min_concerns_in_time_pct=75)
    missed = rule("80", min_concerns_in_time_pct=80)
    evaluate(published)
    assert quarters[0] == (date(2026, 1, 1), date(2026, 4, 1))
    assert award_of(met, "it", published).explanation[0]["got"] == "100% acknowledged, 75% answered in time"
    assert award_of(missed, "it", published) is None
    # A department with no concern due: not evaluated.
    explanation = checks_for(met, "fin", published, monkeypatch)
    assert explanation[0]["got"].startswith("not evaluated") and not explanation[0]["met"]


def test_action_feedback_counts_yes_only_and_suppressed_answers_are_not_evaluated(published, monkeypatch):
    scores = DepartmentScore.objects.filter(cycle=published, department__code="it")
    scores.update(feedback_n=10, feedback_yes=6, feedback_somewhat=3, feedback_no=1, feedback_unnoticed=0)
    met = rule("60", min_action_feedback_pct=60)
    missed = rule("70", min_action_feedback_pct=70)  # yes + somewhat would be 90
    evaluate(published)
    assert award_of(met, "it", published).explanation[0]["got"] == "60%"
    assert award_of(missed, "it", published) is None
    scores.update(feedback_n=4, feedback_yes=None, feedback_somewhat=None, feedback_no=None, feedback_unnoticed=None)
    explanation = checks_for(met, "it", published, monkeypatch)
    assert explanation[0]["got"] == SUPPRESSED["got"] and no_figures_in(explanation)
    assert award_of(met, "it", published).withdrawn_at is not None


def test_participation_as_a_rating_department(published, departments, monkeypatch):
    Participation.objects.update_or_create(
        cycle=published,
        department=departments["it"],
        role=Participation.Role.RATER,
        defaults={"invited": 10, "completed": 7, "declined": 1},
    )
    met = rule("80", min_participation_pct=80)
    missed = rule("90", min_participation_pct=90)
    evaluate(published)
    assert award_of(met, "it", published).explanation[0]["got"] == "80%"
    assert award_of(missed, "it", published) is None
    Participation.objects.filter(cycle=published, department__code="fin", role="rater").delete()
    assert checks_for(met, "fin", published, monkeypatch)[0]["got"].startswith("not evaluated")


def test_min_responses_reads_the_department_n(published):
    n = DepartmentScore.objects.get(cycle=published, department__code="it").n
    met = rule("n", min_index=Decimal("1.00"), min_responses=n)
    missed = rule("n+1", min_index=Decimal("1.00"), min_responses=n + 1)
    evaluate(published)
    assert award_of(met, "it", published) is not None
    assert award_of(missed, "it", published) is None


def test_consecutive_cycles_need_the_rule_in_each_published_cycle(q1):
    q2 = generate("Q2 2026", seed=2, opens=date(2026, 4, 6))
    criterion = rule(min_index=Decimal("1.00"), consecutive_cycles=2)
    publish(q2.cycle)
    evaluate(q2.cycle)  # Q1 is closed, not published: one cycle only
    assert award_of(criterion, "it", q2.cycle) is None
    publish(q1.cycle)
    evaluate(q2.cycle)
    award = award_of(criterion, "it", q2.cycle)
    assert award.explanation[-1] == {
        "measure": "consecutive cycles",
        "wanted": "2 published cycles in a row",
        "got": "2",
        "met": True,
    }
    # The rule stops holding in Q1 (the index there below the minimum): the run is broken.
    DepartmentScore.objects.filter(cycle=q1.cycle, department__code="it").update(mean=1.5)
    criterion.min_index = Decimal("2.00")
    criterion.save()
    evaluate(q2.cycle)
    award.refresh_from_db()
    assert award.withdrawn_at is not None and "consecutive cycles" in award.withdrawn_reason


# --- idempotence, withdrawal, restoration, email ------------------------------------------------


def test_evaluating_twice_writes_the_same_rows(published):
    rule("Index", min_index=Decimal("1.00"))
    rule("Nominated", by_nomination=True)
    first = evaluate(published)
    rows = list(Award.objects.order_by("pk").values())
    second = evaluate(published)
    assert list(Award.objects.order_by("pk").values()) == rows
    assert first.awarded == len(rows) > 0 and second.awarded == 0 and second.kept == len(rows)
    assert not Award.objects.filter(criterion__name="Nominated").exists()


def test_an_award_is_withdrawn_when_its_figures_change_and_restored_when_they_hold_again(published):
    index = index_of(published, "it")
    criterion = rule(min_index=Decimal(str(round(index, 2))))
    evaluate(published)
    award = award_of(criterion, "it", published)
    scores = DepartmentScore.objects.filter(cycle=published, department__code="it")
    scores.update(mean=index - 0.5)  # as a recalculation would leave it
    summary = evaluate(published)
    award.refresh_from_db()
    assert summary.withdrawn == 1 and award.withdrawn_at is not None
    assert award.withdrawn_reason == f"No longer holds: overall index ≥ {index:.2f}, got {index - 0.5:.2f}."
    scores.update(mean=index)
    summary = evaluate(published)
    award.refresh_from_db()
    assert summary.restored == 1 and award.withdrawn_at is None and award.withdrawn_reason == ""
    assert Award.objects.filter(criterion=criterion).count() == 1


def test_each_new_award_is_emailed_once_to_the_departments_active_employees(
    published, departments, django_capture_on_commit_callbacks
):
    members = [EmployeeFactory(department=departments["it"]) for _ in range(2)]
    EmployeeFactory(department=departments["it"], active=False)
    EmployeeFactory(department=departments["fin"])
    rule("Index", min_index=Decimal("1.00"))
    Award.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(published)
    to_it = [m for m in mail.outbox if "IT earned" in m.subject]
    assert len(to_it) == 1 and sorted(to_it[0].bcc) == sorted(m.user.email for m in members)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        evaluate(published)
    assert mail.outbox == []


# --- the task: after publishing, after recalculating a published cycle ---------------------------


def test_publishing_a_cycle_evaluates_its_awards(q1, django_capture_on_commit_callbacks):
    criterion = rule(min_index=Decimal("1.00"))
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_publish(cycle=q1.cycle)
    assert award_of(criterion, "it", q1.cycle) is not None


def test_recalculating_a_published_cycle_evaluates_its_awards_again(published, django_capture_on_commit_callbacks):
    criterion = rule(min_index=Decimal("1.00"))
    with django_capture_on_commit_callbacks(execute=True):
        cycle_aggregate(cycle_id=published.pk)
    assert award_of(criterion, "it", published) is not None


def test_a_cycle_not_published_earns_nothing(q1):
    rule(min_index=Decimal("1.00"))
    assert evaluate(q1.cycle).skipped
    assert not Award.objects.exists()
