"""Dates as each viewer reads them: `{{ moment|when:"full" }}`.

The server writes the date in the person's time zone (kept on their profile, from their browser)
inside a <time> element, in the page's language (German puts a full stop after the day);
static/js/time.js then rewrites it with the conventions of the page's language, in the browser's
variant of it (en-GB, de-AT). In a fragment cached for everyone the server's text is in the time zone of whoever
rendered it first; the `datetime` attribute is the same instant for all, so the browser's rewrite is
right for each viewer (without JavaScript, that text may be in another person's zone).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import get_language

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
# German writes the day with a full stop ("24. Dezember 2026") and the weekday with a comma.
FORMATS_BY_LANGUAGE = {
    "de": {
        "full": "l, j. F Y, H:i",
        "date": "j. F Y",
        "datetime": "j. M Y, H:i",
        "day": "j. F",
        "daytime": "j. F, H:i",
        "weekdaytime": "l, j. F, H:i",
        "time": "H:i:s",
    },
}


@register.filter
def when(value, style: str = "datetime") -> str:
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        local, instant = timezone.localtime(value), value.astimezone(UTC)
    else:
        local = instant = value
    language = (get_language() or "en").split("-")[0]
    text = dateformat.format(local, FORMATS_BY_LANGUAGE.get(language, FORMATS)[style])
    return format_html('<time datetime="{}" data-when="{}">{}</time>', instant.isoformat(), style, text)
