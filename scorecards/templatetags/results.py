"""Filters for showing results: one decimal for means, signed changes, positions on the 1–5 scale."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from survey_portal.numbers import decimal_text

register = template.Library()

MINUS = "\N{MINUS SIGN}"


@register.filter
def mean(value) -> str:
    """A mean on the 1–5 scale, to one decimal."""
    return "" if value is None else decimal_text(f"{float(value):.1f}")


@register.filter
def signed(value, places: int = 1) -> str:
    """+0.3 / −0.2 / ±0.0, with a real minus sign."""
    if value is None:
        return ""
    rounded = round(float(value), int(places))
    text = decimal_text(f"{abs(rounded):.{int(places)}f}")
    if rounded > 0:
        return f"+{text}"
    return f"{MINUS}{text}" if rounded < 0 else f"±{text}"


@register.filter
def percent(value) -> str:
    return "" if value is None else f"{round(float(value))}%"


@register.filter
def on_scale(value) -> float:
    """Where a 1–5 value sits on a bar from 1 (0%) to 5 (100%)."""
    if value is None:
        return 0.0
    return round(max(0.0, min(100.0, (float(value) - 1) / 4 * 100)), 2)


@register.filter
def heat(cell_mean, target) -> str:
    """Diverging colour class of a heatmap cell, centred on the department's target."""
    if cell_mean is None:
        return "heat-none"
    gap = float(cell_mean) - float(target if target is not None else 4)
    if gap <= -0.75:
        return "heat-m2"
    if gap < -0.25:
        return "heat-m1"
    if gap < 0:
        return "heat-0"
    return "heat-p1" if gap < 0.5 else "heat-p2"


@register.filter
def status_label(status) -> str:
    return {"meets": _("Meets"), "close": _("Close"), "below": _("Below")}.get(status or "", "")


@register.filter
def gap_to(value, target) -> str:
    """value − target, signed, to one decimal."""
    if value is None or target is None:
        return ""
    return signed(float(value) - float(target))


@register.filter
def short_of_target(score) -> str:
    """How many shown parameters of a DepartmentScore are below or close to target, in the
    scorecard's words (Meets / Close / Below): "1 below target and 2 close to it"."""
    below, close = score.below_target, score.close_to_target
    if below and close:
        return _("%(below)s below target and %(close)s close to it") % {"below": below, "close": close}
    if below:
        return _("%(count)s below target") % {"count": below}
    if close:
        return _("%(count)s close to target") % {"count": close}
    return _("every parameter shown meets its target")
