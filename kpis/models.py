"""Measured service levels (KPIs): what a department's charter promises in figures, and the values
measured per period ("Tickets resolved within 2 working days: 92 % in March, agreed 90 %")."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from simple_history.models import HistoricalRecords

from departments.models import Department, ServiceParameter
from survey_portal.numbers import decimal_text

VALUE_MAX = Decimal("1000000")  # hours, days and counts: anything larger is a typing mistake
PERCENT_MAX = Decimal("100")


class Kpi(models.Model):
    """One measured service level of a department's charter."""

    class Unit(models.TextChoices):
        PERCENT = "percent", gettext_lazy("Percent")
        HOURS = "hours", gettext_lazy("Hours")
        DAYS = "days", gettext_lazy("Days")
        COUNT = "count", pgettext_lazy("unit", "Count")

    class Direction(models.TextChoices):
        HIGHER = "higher", gettext_lazy("Higher is better")
        LOWER = "lower", gettext_lazy("Lower is better")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", gettext_lazy("Monthly")
        QUARTERLY = "quarterly", gettext_lazy("Quarterly")

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="kpis")
    code = models.SlugField(
        max_length=50,
        verbose_name=gettext_lazy("code"),
        help_text=gettext_lazy("Short code used in the CSV files, e.g. 'tickets-2-days'."),
    )
    name = models.CharField(
        max_length=160,
        verbose_name=gettext_lazy("name"),
        help_text=gettext_lazy("What is measured, e.g. “Tickets resolved within 2 working days”."),
    )
    unit = models.CharField(max_length=10, choices=Unit.choices, verbose_name=gettext_lazy("unit"))
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.HIGHER, verbose_name=gettext_lazy("direction")
    )
    frequency = models.CharField(
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
        verbose_name=gettext_lazy("frequency"),
        help_text=gettext_lazy("How often a value is measured: each calendar month or quarter."),
    )
    agreed = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        verbose_name=gettext_lazy("agreed level"),
        help_text=gettext_lazy("The level the charter promises."),
    )
    warning = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        verbose_name=gettext_lazy("warning level"),
        help_text=gettext_lazy(
            "Optional early warning, on the good side of the agreed level: a value between the two "
            "meets the agreed level only just."
        ),
    )
    parameter = models.ForeignKey(
        ServiceParameter,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kpis",
        verbose_name=gettext_lazy("evidences parameter"),
        help_text=gettext_lazy("The perceived parameter of the charter this figure evidences."),
    )
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["department", "name"]
        verbose_name = gettext_lazy("KPI")
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="unique_kpi_code_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.department.code}: {self.name}" if "department" in self._state.fields_cache else self.name

    @property
    def value_max(self) -> Decimal:
        return PERCENT_MAX if self.unit == self.Unit.PERCENT else VALUE_MAX

    def format(self, value: Decimal | None) -> str:
        """A figure with its unit: "92 %", "5.5 h", "3 days", "41"; "—" for none. For people to read:
        in the active language (decimal comma and "Tage" in German)."""
        return format_value(value, self.unit)

    @property
    def agreed_display(self) -> str:
        return self.format(self.agreed)

    @property
    def warning_display(self) -> str:
        return self.format(self.warning)

    @property
    def better_word(self) -> str:
        """ "at least" or "at most": how the agreed level reads."""
        return _("at least") if self.direction == self.Direction.HIGHER else _("at most")

    def status_of(self, value: Decimal | None) -> str:
        """ "meets", "warning" (meets the agreed level, but not the warning level on its good side),
        "below" (worse than the agreed level, whichever way is better) or "missing"."""
        if value is None:
            return "missing"
        sign = 1 if self.direction == self.Direction.HIGHER else -1
        if sign * (value - self.agreed) < 0:
            return "below"
        if self.warning is not None and sign * (value - self.warning) < 0:
            return "warning"
        return "meets"

    def last_period(self, today: date) -> tuple[date, date]:
        """The last complete calendar month or quarter before `today`."""
        first_of_month = today.replace(day=1)
        if self.frequency == self.Frequency.QUARTERLY:
            first_of_quarter = first_of_month.replace(month=(today.month - 1) // 3 * 3 + 1)
            end = first_of_quarter - timedelta(days=1)
            return end.replace(day=1, month=(end.month - 1) // 3 * 3 + 1), end
        end = first_of_month - timedelta(days=1)
        return end.replace(day=1), end


def format_value(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    number = decimal_text(format(Decimal(value).quantize(Decimal("0.01")).normalize(), "f"))
    if unit == Kpi.Unit.PERCENT:
        return _("%(number)s %%") % {"number": number}
    if unit == Kpi.Unit.HOURS:
        return _("%(number)s h") % {"number": number}
    if unit == Kpi.Unit.DAYS:
        return ngettext("%(number)s day", "%(number)s days", 1 if value == 1 else 2) % {"number": number}
    return number


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class KpiValue(models.Model):
    """The value a KPI measured over one period. A re-import of the same period replaces it; its
    history keeps every earlier value and who changed it."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=9, decimal_places=2)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kpi", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_start"], name="unique_kpi_value_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="kpi_period_ordered"),
            models.CheckConstraint(condition=Q(value__gte=0), name="kpi_value_not_negative"),
        ]
        indexes = [models.Index(fields=["kpi", "-period_end"], name="kpi_value_latest")]

    def __str__(self) -> str:
        return f"{self.period_label}: {self.value}"

    @property
    def display(self) -> str:
        """The value with its KPI's unit (the KPI is attached by kpi_levels, or loaded)."""
        return self.kpi.format(self.value)

    @property
    def status(self) -> str:
        return self.kpi.status_of(self.value)

    @property
    def period_label(self) -> str:
        """ "Mar 2026", "Q1 2026", or the two dates."""
        start, end = self.period_start, self.period_end
        if start.day == 1 and end == month_end(start):
            return date_format(start, "M Y")
        if start.day == 1 and start.month % 3 == 1 and end == month_end(start.replace(month=start.month + 2)):
            return _("Q%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
        return f"{start.isoformat()} – {end.isoformat()}"


class KpiBreach(models.Model):
    """A KPI's latest value was below its agreed level: raised once per KPI and period, whatever
    the re-imports. The action item is None when the department has nobody to own it."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="breaches")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=9, decimal_places=2)
    agreed = models.DecimalField(max_digits=9, decimal_places=2)
    action_item = models.ForeignKey(
        "improvements.ActionItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="kpi_breaches"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "period_start", "period_end"], name="unique_kpi_breach_period"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.period_start}–{self.period_end}"

    @property
    def value_display(self) -> str:
        return self.kpi.format(self.value)

    @property
    def agreed_display(self) -> str:
        return self.kpi.format(self.agreed)
