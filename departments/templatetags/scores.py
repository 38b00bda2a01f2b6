"""{% load scores %}: scores, targets and weights as people read them, with the active language's
decimal separator ("4.0", "4,0" in German). Text only: every use is in words on a page,
never in a style=, data-*, value= attribute or JSON, which need the point (|unlocalize a raw number)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from survey_portal.numbers import decimal_text

register = template.Library()


@register.filter
def score(value) -> str:
    """A score or target on the 1–5 scale: one decimal, two when the second one matters (3.75, not 3.8)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return ""
    two = number.quantize(Decimal("0.01"))
    return decimal_text(f"{two:.2f}" if two != two.quantize(Decimal("0.1")) else f"{two:.1f}")


@register.filter
def plain_number(value) -> str:
    """A decimal without trailing zeros: 2.00 → 2, 1.50 → 1.5."""
    try:
        return decimal_text(format(Decimal(str(value)).normalize(), "f"))
    except InvalidOperation:
        return ""
