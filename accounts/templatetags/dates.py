"""Dates as each viewer reads them: `{{ moment|when:"full" }}`.

The server writes the date in the person's time zone (kept on their profile, from their browser)
inside a <time> element; static/js/time.js then rewrites it in the browser's own language and
conventions. In a fragment cached for everyone the server's text is in the time zone of whoever
rendered it first; the `datetime` attribute is the same instant for all, so the browser's rewrite is
right for each viewer (without JavaScript, that text may be in another person's zone).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html

register = template.Library()

# Style -> the server's format (Django's date format) ; static/js/time.js has the same styles.
FORMATS = {
    "full": "l j F Y, H:i",
    "date": "j F Y",
    "datetime": "j M Y, H:i",
    "day": "j F",
    "daytime": "j F, H:i",
    "weekdaytime": "l j F, H:i",
    "time": "H:i:s",
}


@register.filter
def when(value, style: str = "datetime") -> str:
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        local, instant = timezone.localtime(value), value.astimezone(UTC)
    else:
        local = instant = value
    text = dateformat.format(local, FORMATS[style])
    return format_html('<time datetime="{}" data-when="{}">{}</time>', instant.isoformat(), style, text)
