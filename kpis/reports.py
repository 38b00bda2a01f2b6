"""Reads of measured service levels, for the department's KPI page, HR's view and the scorecard."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import RowNumber

from departments.models import Department

from .models import Kpi, KpiValue

TREND_LENGTH = 8


@dataclass
class KpiLevel:
    """One KPI with its latest value (at most `until`), its last values and their status."""

    kpi: Kpi
    latest: KpiValue | None
    trend: list[KpiValue]  # the last up to 8 values, oldest first, ending with latest
    status: str  # "meets" | "warning" | "below" | "missing"
    action_id: int | None = None  # the action item its breach raised, when a page looks it up

    @property
    def meets(self) -> bool | None:
        """Whether the latest value meets the agreed level ("warning" meets it only just); None when missing."""
        return None if self.status == "missing" else self.status != "below"

    @property
    def trend_text(self) -> str:
        """ "88 → 90 → 92 %": the unit once, at the end."""
        if not self.trend:
            return ""
        *earlier, last = self.trend
        numbers = [self.kpi.format(value.value).split(" ")[0] for value in earlier]
        return " → ".join([*numbers, last.display])

    def _y(self, value) -> float:
        """Height in a 24-high box: the lowest of the values and the agreed level at 22, the highest at 2."""
        points = [*(v.value for v in self.trend), self.kpi.agreed]
        low, high = min(points), max(points)
        return 22 - float((value - low) / ((high - low) or 1)) * 20

    @property
    def sparkline(self) -> str:
        """The points of an SVG polyline 100 × 24 (higher values up, whichever direction is better)."""
        if len(self.trend) < 2:
            return ""
        step = 100 / (len(self.trend) - 1)
        return " ".join(f"{i * step:.1f},{self._y(v.value):.1f}" for i, v in enumerate(self.trend))

    @property
    def agreed_y(self) -> str:
        """Where the agreed level's dashed line runs in the sparkline."""
        return f"{self._y(self.kpi.agreed):.1f}" if len(self.trend) >= 2 else ""


def kpi_levels(department: Department, *, until: datetime.date | None = None) -> list[KpiLevel]:
    """Active KPIs of the department with values whose period_end <= until (all when None); at most
    2 queries whatever the data size (the last values per KPI are picked by a window function)."""
    kpis = list(department.kpis.filter(active=True).select_related("parameter").order_by("name"))
    if not kpis:
        return []
    values = KpiValue.objects.filter(kpi__in=kpis)
    if until is not None:
        values = values.filter(period_end__lte=until)
    recent = values.annotate(
        rank=Window(RowNumber(), partition_by=[F("kpi_id")], order_by=[F("period_end").desc(), F("pk").desc()])
    ).filter(rank__lte=TREND_LENGTH)
    trends: dict[int, list[KpiValue]] = {}
    for recent_value in recent.order_by("kpi_id", "period_end"):
        trends.setdefault(recent_value.kpi_id, []).append(recent_value)
    levels = []
    for kpi in kpis:
        trend = trends.get(kpi.pk, [])
        for value in trend:
            value.kpi = kpi
        latest = trend[-1] if trend else None
        levels.append(KpiLevel(kpi, latest, trend, kpi.status_of(latest.value if latest else None)))
    return levels


def kpis_needing_attention(today: datetime.date) -> QuerySet[Kpi]:
    """Active KPIs of active departments that miss a value for their last complete period
    (month or quarter before `today`), or whose latest value is below the agreed level: one query,
    missing ones first. Each carries latest_value, latest_start, latest_end, missing and below."""
    # Each frequency's last complete period, by the one rule Kpi.last_period spells.
    month_end = Kpi(frequency=Kpi.Frequency.MONTHLY).last_period(today)[1]
    quarter_end = Kpi(frequency=Kpi.Frequency.QUARTERLY).last_period(today)[1]
    latest = KpiValue.objects.filter(kpi=OuterRef("pk")).order_by("-period_end")
    due_end = Case(
        When(frequency=Kpi.Frequency.QUARTERLY, then=Value(quarter_end)),
        default=Value(month_end),
    )
    below = Q(direction=Kpi.Direction.HIGHER, latest_value__lt=F("agreed")) | Q(
        direction=Kpi.Direction.LOWER, latest_value__gt=F("agreed")
    )
    missing = Q(latest_end__isnull=True) | Q(latest_end__lt=F("due_end"))
    return (
        Kpi.objects.filter(active=True, department__active=True)
        .annotate(
            latest_value=Subquery(latest.values("value")[:1], output_field=DecimalField()),
            latest_start=Subquery(latest.values("period_start")[:1]),
            latest_end=Subquery(latest.values("period_end")[:1]),
            due_end=due_end,
        )
        .annotate(
            missing=Case(When(missing, then=Value(True)), default=Value(False)),
            below=Case(When(below, then=Value(True)), default=Value(False)),
        )
        .filter(missing | below)
        .select_related("department")
        .order_by("-missing", "department__name", "name")
    )


def attention_counts(today: datetime.date) -> dict[str, int]:
    """How many KPIs `kpis_needing_attention` lists as missing and as below: one query."""
    flags = list(kpis_needing_attention(today).values_list("missing", "below"))  # type: ignore[misc]
    return {"missing": sum(missing for missing, _ in flags), "below": sum(below for _, below in flags)}
