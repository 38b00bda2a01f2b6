"""Awards earned by rule: each active rule criterion checked against a published cycle's scorecards.

The rules live in recognition (AwardCriterion); the figures they read are the scorecards', so the
engine lives here and writes recognition.Award rows.

Choices, so every page and test reads the rules the same way:
- "Improved significantly": the index has no standard deviation of its own (it is a weighted mean
  of parameter means), so no test of its own. The index must have risen by at least the amount
  (DepartmentScore.change), and at least one shown parameter must have risen with a significant
  Welch's t-test (ParameterScore.change_significant, stored by the aggregation) while none fell
  significantly.
- "Made a difference": the share of "yes" among the answers to the action-feedback question
  ("somewhat" is not counted: it is the hedged answer).
- "Concerns in time": both the acknowledged-in-time and the answered-in-time percentages of the
  cycle's quarter must reach the figure (the lower of the two decides). A quarter with no concern
  due is "not evaluated".
- "Participation": completed and declined surveys as a share of invited, as the rating department
  (Participation.rate, the figure the participation pages show).
- A figure that is suppressed or missing is "not evaluated": the criterion is not awarded, and the
  explanation gives a reason, never a number. The response count of a suppressed index is not shown
  either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from concerns import reports as concern_reports
from departments.models import Department, Employee
from recognition.models import Award, AwardCriterion
from surveys.models import Cycle

from .models import DepartmentScore, HeatmapCell, ParameterScore, Participation, TargetStatus, target_status
from .reports import published_cycles

logger = logging.getLogger(__name__)

NOT_EVALUATED = "not evaluated"


@dataclass
class Summary:
    cycle_id: int
    awarded: int = 0  # new awards
    kept: int = 0  # standing awards that still hold
    restored: int = 0
    withdrawn: int = 0
    skipped: str = ""

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class Check:
    """One measure of a rule in one cycle: what it wants, what was found (or why not), whether met."""

    measure: str
    wanted: str
    got: str
    met: bool
    words: str = ""  # for the citation: "overall index 4.30 (≥ 4.20)"

    def as_dict(self) -> dict:
        return {"measure": self.measure, "wanted": self.wanted, "got": self.got, "met": self.met}


def _fmt(value: float | Decimal) -> str:
    return f"{float(value):.2f}"


def quarter_label(cycle: Cycle) -> str:
    day = timezone.localtime(cycle.opens_at).date()
    return f"Q{(day.month - 1) // 3 + 1} {day.year}"


@dataclass
class _Figures:
    """What one cycle's rules read, loaded once per cycle."""

    cycle: Cycle
    scores: dict[int, DepartmentScore]
    parameters: dict[int, list[ParameterScore]] = field(default_factory=dict)
    front_line: dict[int, tuple[int, float]] = field(default_factory=dict)  # department -> (n, sum of n·mean)
    participation: dict[int, Participation] = field(default_factory=dict)
    concerns: dict[int, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, cycle: Cycle) -> _Figures:
        figures = cls(cycle, {s.department_id: s for s in DepartmentScore.objects.filter(cycle=cycle)})
        for parameter in ParameterScore.objects.filter(cycle=cycle).order_by("position", "name"):
            figures.parameters.setdefault(parameter.department_id, []).append(parameter)
        # Shown cells only: a suppressed cell neither counts nor changes the mean.
        front_line_cells = HeatmapCell.objects.filter(
            cycle=cycle, suppressed=False, rater_department__front_line=True
        ).values_list("department_id", "n", "mean")
        for department_id, n, mean in front_line_cells:
            total_n, total = figures.front_line.get(department_id, (0, 0.0))
            figures.front_line[department_id] = (total_n + n, total + n * (mean or 0.0))  # shown cells have a mean
        figures.participation = {
            p.department_id: p for p in Participation.objects.filter(cycle=cycle, role=Participation.Role.RATER)
        }
        start, end = concern_reports.quarter_of(timezone.localtime(cycle.opens_at).date())
        figures.concerns = concern_reports.figures(start, end, list(figures.scores))
        return figures


def _suppressed(measure: str, wanted: str, cycle: Cycle) -> Check:
    return Check(measure, wanted, f"{NOT_EVALUATED}: fewer than {cycle.score_threshold} responses", False)


def _checks(criterion: AwardCriterion, department: Department, figures: _Figures) -> list[Check]:
    """Every measure of the rule for one department in one cycle (not counting consecutive cycles)."""
    cycle = figures.cycle
    score = figures.scores.get(department.pk)
    shown_index = score is not None and not score.suppressed and score.mean is not None
    checks: list[Check] = []
    if criterion.back_office_only:
        holds = not department.front_line
        checks.append(
            Check(
                "back office only", "not front line", "front line" if department.front_line else "back office", holds
            )
        )
    if criterion.min_responses:
        measure, wanted = "responses", f"at least {criterion.min_responses}"
        if not shown_index:
            checks.append(_suppressed(measure, wanted, cycle))
        else:
            assert score is not None
            holds = score.n >= criterion.min_responses
            checks.append(
                Check(measure, wanted, str(score.n), holds, f"{score.n} responses (≥ {criterion.min_responses})")
            )
    if criterion.min_index is not None:
        measure, wanted = "overall index", f"≥ {_fmt(criterion.min_index)}"
        if not shown_index:
            checks.append(_suppressed(measure, wanted, cycle))
        else:
            assert score is not None and score.mean is not None
            holds = round(score.mean, 2) >= float(criterion.min_index)
            checks.append(
                Check(measure, wanted, _fmt(score.mean), holds, f"overall index {_fmt(score.mean)} ({wanted})")
            )
    if criterion.all_parameters_meet_target:
        checks.append(_parameters_check(figures.parameters.get(department.pk, []), cycle))
    if criterion.min_improvement is not None:
        checks.append(_improvement_check(criterion, score, figures.parameters.get(department.pk, []), cycle))
    if criterion.min_front_line_mean is not None:
        measure, wanted = "mean given by front-line departments", f"≥ {_fmt(criterion.min_front_line_mean)}"
        n, total = figures.front_line.get(department.pk, (0, 0.0))
        if not n:
            checks.append(_suppressed(measure, wanted, cycle))
        else:
            mean = total / n
            holds = round(mean, 2) >= float(criterion.min_front_line_mean)
            checks.append(Check(measure, wanted, _fmt(mean), holds, f"front-line departments rate it {_fmt(mean)}"))
    if criterion.min_concerns_in_time_pct is not None:
        measure, wanted = "concerns acknowledged and answered in time", f"≥ {criterion.min_concerns_in_time_pct}%"
        concern = figures.concerns.get(department.pk)
        acknowledged = concern.acknowledged_percent if concern else None
        answered = concern.answered_percent if concern else None
        if acknowledged is None or answered is None:
            checks.append(Check(measure, wanted, f"{NOT_EVALUATED}: no concern was due this quarter", False))
        else:
            lower = min(acknowledged, answered)
            got = f"{acknowledged}% acknowledged, {answered}% answered in time"
            checks.append(Check(measure, wanted, got, lower >= criterion.min_concerns_in_time_pct, got))
    if criterion.min_action_feedback_pct is not None:
        measure, wanted = "action feedback “made a difference”", f"≥ {criterion.min_action_feedback_pct}%"
        if score is None or score.feedback_n is None:
            checks.append(Check(measure, wanted, f"{NOT_EVALUATED}: the question was not asked", False))
        elif not score.feedback_shown or not score.feedback_n:
            checks.append(_suppressed(measure, wanted, cycle))
        else:
            share = round(100 * (score.feedback_yes or 0) / score.feedback_n)
            got = f"{share}%"
            checks.append(
                Check(
                    measure,
                    wanted,
                    got,
                    share >= criterion.min_action_feedback_pct,
                    f"{share}% say its changes made a difference",
                )
            )
    if criterion.min_participation_pct is not None:
        measure, wanted = "participation as a rating department", f"≥ {criterion.min_participation_pct}%"
        participation = figures.participation.get(department.pk)
        if participation is None or not participation.invited:
            checks.append(Check(measure, wanted, f"{NOT_EVALUATED}: nobody was invited to rate", False))
        else:
            rate = participation.rate
            holds = rate >= criterion.min_participation_pct
            checks.append(Check(measure, wanted, f"{rate}%", holds, f"{rate}% of its people took part"))
    return checks


def _parameters_check(parameters: list[ParameterScore], cycle: Cycle) -> Check:
    measure, wanted = "every shown parameter meets its target", "all"
    shown = [p for p in parameters if not p.suppressed and p.mean is not None]
    if not shown:
        return _suppressed(measure, wanted, cycle)
    below = [p for p in shown if target_status(p.mean, p.target) != TargetStatus.MEETS]
    if below:
        got = "; ".join(f"{p.name} {_fmt(p.mean)} (target {_fmt(p.target)})" for p in below if p.mean is not None)
        return Check(measure, wanted, f"{len(below)} of {len(shown)} below target: {got}", False)
    return Check(measure, wanted, f"all {len(shown)} meet their targets", True, "every parameter meets its target")


def _improvement_check(
    criterion: AwardCriterion, score: DepartmentScore | None, parameters: list[ParameterScore], cycle: Cycle
) -> Check:
    assert criterion.min_improvement is not None
    measure, wanted = (
        "index improved significantly since the previous cycle",
        f"by ≥ {_fmt(criterion.min_improvement)}",
    )
    if score is None or score.suppressed or score.mean is None:
        return _suppressed(measure, wanted, cycle)
    if score.change is None:
        return Check(measure, wanted, f"{NOT_EVALUATED}: no figures of the previous cycle to compare with", False)
    compared = [p for p in parameters if not p.suppressed and p.change is not None]
    rose = any(p.change_significant and (p.change or 0) > 0 for p in compared)
    fell = any(p.change_significant and (p.change or 0) < 0 for p in compared)
    big_enough = round(score.change, 2) >= float(criterion.min_improvement)
    significant = rose and not fell
    got = f"{score.change:+.2f}" + ("" if significant else " (not significant)")
    return Check(measure, wanted, got, big_enough and significant, f"index up {score.change:+.2f}, significantly")


def _consecutive(
    criterion: AwardCriterion, department: Department, earlier: list[_Figures], holds_now: bool
) -> Check | None:
    """How many published cycles in a row (up to this one) the rule held, when the rule asks for more than one."""
    wanted_cycles = criterion.consecutive_cycles
    if wanted_cycles <= 1:
        return None
    run = 1 if holds_now else 0
    if holds_now:
        for figures in earlier[: wanted_cycles - 1]:
            if not all(check.met for check in _checks(criterion, department, figures)):
                break
            run += 1
    return Check(
        "consecutive cycles",
        f"{wanted_cycles} published cycles in a row",
        str(run),
        run >= wanted_cycles,
        f"for {run} cycles in a row",
    )


def _citation(department: Department, cycle: Cycle, checks: list[Check]) -> str:
    words = [check.words for check in checks if check.words and check.measure != "back office only"]
    said = ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1] if words else "the rule holds"
    return f"{department.name}: {said} in {quarter_label(cycle)}."


def _reason(checks: list[Check]) -> str:
    failed = [check for check in checks if not check.met]
    return "No longer holds: " + "; ".join(f"{c.measure} {c.wanted}, got {c.got}" for c in failed) + "."


def awards_evaluate(*, cycle: Cycle) -> Summary:
    """Evaluate every active rule criterion for every department rated in a published cycle.

    Idempotent: one rule award per criterion, department and cycle (update_or_create on the unique
    constraint); a standing award whose rule no longer holds is withdrawn with the reason, a
    withdrawn one that holds again is restored. Atomic. Each new award is emailed to the
    department's active employees after commit. Called by awards_evaluate_task (after publishing
    and after a published cycle is recalculated) and by the demo seed.
    """
    summary = Summary(cycle.pk)
    if cycle.status != Cycle.Status.PUBLISHED or not published_cycles().filter(pk=cycle.pk).exists():
        summary.skipped = "not published, or no results yet"
        return summary
    criteria = list(AwardCriterion.objects.filter(active=True, by_nomination=False))
    with transaction.atomic():
        now_figures = _Figures.load(cycle)
        most = max((c.consecutive_cycles for c in criteria), default=1)
        earlier_cycles = list(published_cycles().filter(opens_at__lt=cycle.opens_at)[: max(most - 1, 0)])
        earlier = [_Figures.load(c) for c in earlier_cycles]
        departments = {d.pk: d for d in Department.objects.filter(pk__in=now_figures.scores)}
        existing = {
            (a.criterion_id, a.department_id): a
            for a in Award.objects.select_for_update().filter(cycle=cycle, source=Award.Source.RULE)
        }
        new_awards: list[Award] = []
        for criterion in criteria:
            for department in departments.values():
                checks = _checks(criterion, department, now_figures)
                holds = bool(checks) and all(check.met for check in checks)
                consecutive = _consecutive(criterion, department, earlier, holds)
                if consecutive is not None:
                    checks.append(consecutive)
                    holds = holds and consecutive.met
                _record(criterion, department, cycle, checks, holds, existing, summary, new_awards)
        # Awards of departments no longer rated in the cycle (or of criteria made inactive) are left as
        # they are, except a rated department gone from the results: its rule no longer holds.
        for (criterion_id, department_id), award in existing.items():
            evaluated = any(c.pk == criterion_id for c in criteria)
            if evaluated and department_id not in departments and award.withdrawn_at is None:
                award.withdrawn_at = timezone.now()
                award.withdrawn_reason = "No longer holds: the department has no results in this cycle."
                award.save(update_fields=["withdrawn_at", "withdrawn_reason"])
                summary.withdrawn += 1
        for award in new_awards:
            transaction.on_commit(partial(_email, award))
    logger.info("awards of cycle %s: %s", cycle.pk, summary.as_dict())
    return summary


def _record(criterion, department, cycle, checks, holds, existing, summary, new_awards) -> None:
    award = existing.get((criterion.pk, department.pk))
    explanation = [check.as_dict() for check in checks]
    if holds:
        award, created = Award.objects.update_or_create(
            criterion=criterion,
            department=department,
            cycle=cycle,
            source=Award.Source.RULE,
            defaults={
                "citation": _citation(department, cycle, checks),
                "explanation": explanation,
                "withdrawn_at": None,
                "withdrawn_reason": "",
            },
        )
        if created:
            summary.awarded += 1
            new_awards.append(award)
        elif existing[(criterion.pk, department.pk)].withdrawn_at is not None:
            summary.restored += 1
        else:
            summary.kept += 1
    elif award is not None and award.withdrawn_at is None:
        award.withdrawn_at = timezone.now()
        award.withdrawn_reason = _reason(checks)
        award.explanation = explanation
        award.save(update_fields=["withdrawn_at", "withdrawn_reason", "explanation"])
        summary.withdrawn += 1


def _email(award: Award) -> None:
    """One email per new award to the department's active employees."""
    to = list(
        Employee.objects.active()
        .filter(department_id=award.department_id)
        .exclude(Q(user__email="") | Q(user__email=None))
        .values_list("user__email", flat=True)
    )
    if not to:
        return
    subject = _("%(department)s earned “%(award)s”") % {
        "department": award.department.name,
        "award": award.criterion.name,
    }
    body = "{}\n\n{}\n\n{}\n".format(
        _("Congratulations!"),
        award.citation,
        _("See the awards wall on the portal for the figures behind it."),
    )
    # Bcc: colleagues do not see each other's addresses.
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [], bcc=to).send()
