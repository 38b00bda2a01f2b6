"""What a department's completed audits say, as the viewer may see it (the scorecard's section).

The anonymity rule: outside HR, an audit is shown by its month only — never its date, never who
audited — and audits still in progress do not exist (not even as a count). Attachments are never
part of it (images carry EXIF).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from departments.models import Department

from .models import Audit, AuditResult, AuditScore


@dataclass
class AuditView:
    """One completed audit as the viewer may see it."""

    month: datetime.date  # first day of the month of the request date
    date: datetime.date | None  # the request date: HR only, else None
    auditor_name: str | None  # HR only, else None
    template_name: str
    scenario: str
    overall: float  # 0–100
    by_parameter: dict[int, float]  # parameter id -> 0–100
    notes: list[tuple[str, str, str]]  # (parameter name, item text, note) for non-empty notes
    response_hours: Decimal | None


@dataclass
class DepartmentAudits:
    audits: list[AuditView]  # newest first, completed only, request month <= until
    latest_by_parameter: dict[
        int, tuple[float, datetime.date]
    ]  # parameter id -> (score, month) of the latest audit scoring it
    parameter_names: dict[int, str] = field(default_factory=dict)  # every parameter id above -> its name

    @property
    def trend(self) -> list[AuditView]:
        """Oldest first: the order of a trend line."""
        return list(reversed(self.audits))

    @property
    def score_rows(self) -> list[tuple[AuditView, list[float | None]]]:
        """Each audit, newest first, with its score per parameter in parameter_names' order (None:
        not scored by that audit)."""
        return [(view, [view.by_parameter.get(pk) for pk in self.parameter_names]) for view in self.audits]

    @property
    def latest_rows(self) -> list[tuple[str, float, datetime.date]]:
        """(parameter name, latest score, month of that audit), in the charter's order."""
        return [
            (name, *self.latest_by_parameter[pk])
            for pk, name in self.parameter_names.items()
            if pk in self.latest_by_parameter
        ]

    @property
    def has_notes(self) -> bool:
        return any(view.notes for view in self.audits)

    @property
    def sparkline(self) -> list[tuple[float, float, AuditView]]:
        """(x, y, audit) of the trend, oldest first, in a 300 × 80 box (0 at the bottom, 100 at the
        top): what the section's small SVG line draws."""
        trend = self.trend
        step = 280 / max(len(trend) - 1, 1)
        return [
            (round(10 + index * step, 1), round(75 - view.overall * 0.7, 1), view) for index, view in enumerate(trend)
        ]

    @property
    def sparkline_points(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _ in self.sparkline)


def _first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def department_audits(department: Department, *, until: datetime.date | None, for_hr: bool) -> DepartmentAudits:
    """The department's completed audits whose request month is `until`'s or earlier (every one when
    None), newest first; dates and auditors for HR only. Three queries, whatever the data size."""
    audits = Audit.objects.completed().of(department)
    if until is not None:
        audits = audits.filter(requested_on__lt=_first_of_next_month(until))
    rows = list(
        audits.select_related("template", "auditor__user")
        .only(
            "requested_on",
            "overall",
            "response_hours",
            "template__name",
            "template__scenario",
            "auditor__user__first_name",
            "auditor__user__last_name",
            "auditor__user__email",
        )
        .order_by("-requested_on", "-pk")
    )
    ids = [audit.pk for audit in rows]
    by_audit: dict[int, dict[int, float]] = {pk: {} for pk in ids}
    names: dict[int, str] = {}
    for audit_id, parameter_id, name, score in (
        AuditResult.objects.filter(audit_id__in=ids)
        .order_by("parameter__position", "parameter__name")
        .values_list("audit_id", "parameter_id", "parameter__name", "score")
    ):
        by_audit[audit_id][parameter_id] = float(score)
        names[parameter_id] = name
    notes: dict[int, list[tuple[str, str, str]]] = {pk: [] for pk in ids}
    for audit_id, parameter_name, text, note in (
        AuditScore.objects.filter(audit_id__in=ids)
        .exclude(note="")
        .order_by("item__position", "item_id")
        .values_list("audit_id", "item__parameter__name", "item__text", "note")
    ):
        notes[audit_id].append((parameter_name, text, note))
    views = [
        AuditView(
            month=audit.requested_on.replace(day=1),
            date=audit.requested_on if for_hr else None,
            auditor_name=audit.auditor.full_name if for_hr else None,
            template_name=audit.template.name,
            scenario=audit.template.scenario,
            overall=float(audit.overall),
            by_parameter=by_audit[audit.pk],
            notes=notes[audit.pk],
            response_hours=audit.response_hours,
        )
        for audit in rows
    ]
    latest: dict[int, tuple[float, datetime.date]] = {}
    for view in views:  # newest first: the first score of a parameter is its latest
        for parameter_id, value in view.by_parameter.items():
            latest.setdefault(parameter_id, (value, view.month))
    return DepartmentAudits(audits=views, latest_by_parameter=latest, parameter_names=names)
