"""Perceived, measured and audited service, side by side: one row per charter parameter with the
agreed target, the survey's mean, the latest KPI level and the latest audit score, and, where they
disagree, a sentence that says so.

Each source gives a verdict, on target or not, against its own yardstick: the survey mean against
the parameter's target (Close counts as not on target), a KPI against its agreed level, an audit
score against the target placed on the 0–100 scale the same way as on the 1–5 scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.reports import DepartmentAudits, department_audits
from departments.models import Department, ServiceParameter
from kpis.reports import KpiLevel, kpi_levels
from surveys.models import Cycle

from .models import ParameterScore, TargetStatus

SURVEY, MEASURE, AUDIT = "survey", "measure", "audit"
SOURCE_NAMES = {
    SURVEY: gettext_lazy("survey"),
    MEASURE: gettext_lazy("measure"),
    AUDIT: gettext_lazy("mystery shopping"),
}

# What a disagreement may mean, for each pair of sources in the order (on target, below target).
READINGS = {
    (MEASURE, SURVEY): gettext_lazy("the measure may not capture what people feel"),
    (SURVEY, MEASURE): gettext_lazy(
        "people may not feel the shortfall yet, or the measure counts something they do not see"
    ),
    (AUDIT, SURVEY): gettext_lazy("one audited request went well; everyday service may differ"),
    (SURVEY, AUDIT): gettext_lazy("regular customers are content, but a first-time request was not served as agreed"),
    (MEASURE, AUDIT): gettext_lazy("the measure may count what is easy to count rather than what a requester meets"),
    (AUDIT, MEASURE): gettext_lazy(
        "the audited request went well, but the measure shows the service falls short over the period"
    ),
}


def audit_yardstick(target: Decimal) -> float:
    """The audit score (0–100) that matches a 1–5 target: the same place on its scale."""
    return (float(target) - 1) / 4 * 100


def disagreement(verdicts: dict[str, bool | None]) -> str:
    """The sources' verdicts in words: "" when fewer than two sources have one, a short
    agreement when they agree, else which are on target, which are below, and what it may mean."""
    known = {source: verdict for source, verdict in verdicts.items() if verdict is not None}
    if len(known) < 2:
        return ""
    on = [source for source in (SURVEY, MEASURE, AUDIT) if known.get(source) is True]
    below = [source for source in (SURVEY, MEASURE, AUDIT) if known.get(source) is False]
    if not below:
        return _("On target by %(sources)s.") % {"sources": _and([SOURCE_NAMES[s] for s in on])}
    if not on:
        return _("Below target by %(sources)s.") % {"sources": _and([SOURCE_NAMES[s] for s in below])}
    return _("On target by %(on)s, below target by %(below)s: %(reading)s.") % {
        "on": _and([SOURCE_NAMES[s] for s in on]),
        "below": _and([SOURCE_NAMES[s] for s in below]),
        "reading": READINGS[(on[0], below[0])],
    }


def _and(words) -> str:
    words = [str(word) for word in words]
    if len(words) == 1:
        return words[0]
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


@dataclass
class MeasuredRow:
    name: str
    target: Decimal | None
    perceived: ParameterScore | None  # None: not rated in this cycle
    kpis: list[KpiLevel] = field(default_factory=list)
    audit: tuple[float, date] | None = None  # (score 0–100, month) of the latest audit scoring it

    @property
    def survey_verdict(self) -> bool | None:
        if self.perceived is None or self.perceived.suppressed or self.perceived.status is None:
            return None
        return self.perceived.status == TargetStatus.MEETS

    @property
    def measure_verdict(self) -> bool | None:
        verdicts = [level.meets for level in self.kpis if level.meets is not None]
        return all(verdicts) if verdicts else None

    @property
    def audit_verdict(self) -> bool | None:
        if self.audit is None or self.target is None:
            return None
        return self.audit[0] >= audit_yardstick(self.target)

    @property
    def audit_target(self) -> float | None:
        return None if self.target is None else audit_yardstick(self.target)

    @property
    def says(self) -> str:
        return disagreement({SURVEY: self.survey_verdict, MEASURE: self.measure_verdict, AUDIT: self.audit_verdict})


@dataclass
class Measured:
    rows: list[MeasuredRow]
    unlinked_kpis: list[KpiLevel]  # measured levels that evidence no parameter
    audits: DepartmentAudits

    @property
    def has_measures(self) -> bool:
        return bool(self.unlinked_kpis) or any(row.kpis or row.audit for row in self.rows)


def measured(
    department: Department, cycle: Cycle, perceived: list[ParameterScore], *, latest: bool, for_hr: bool
) -> Measured:
    """The side-by-side rows for `department` in `cycle`: the newest KPI values and audits when
    `cycle` is the latest with results, else those up to the day it closed (what was known then).
    A constant number of queries: the charter, the KPI levels and the audits."""
    until = None if latest else timezone.localdate(cycle.closes_at)
    charter = list(ServiceParameter.objects.filter(department=department, active=True).order_by("position", "name"))
    levels = kpi_levels(department, until=until)
    audits = department_audits(department, until=until, for_hr=for_hr)
    by_code = {score.code: score for score in perceived}
    rows = []
    for parameter in charter:
        score = by_code.get(parameter.code)
        rows.append(
            MeasuredRow(
                name=parameter.name,
                target=score.target if score is not None else parameter.target,
                perceived=score,
                kpis=[level for level in levels if level.kpi.parameter_id == parameter.pk],
                audit=audits.latest_by_parameter.get(parameter.pk),
            )
        )
    charter_ids = {parameter.pk for parameter in charter}
    unlinked = [level for level in levels if level.kpi.parameter_id not in charter_ids]
    return Measured(rows=rows, unlinked_kpis=unlinked, audits=audits)
