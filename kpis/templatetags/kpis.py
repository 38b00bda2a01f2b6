"""{% load kpis %}: {{ number|kpi_format:kpi }} → "92 %", "5.5 h", "3 days", "41"."""

from __future__ import annotations

from django import template

from ..models import Kpi, format_value

register = template.Library()


@register.filter
def kpi_format(value, kpi: Kpi) -> str:
    return format_value(value, kpi.unit)
