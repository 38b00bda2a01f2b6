"""Numbers as people read them, in the active language (machine-read numbers keep the point)."""

from __future__ import annotations

from django.utils import formats


def decimal_text(text: str) -> str:
    """A number written with a point, with the reader's decimal separator ("4.0" reads "4,0" in German)."""
    separator = formats.get_format("DECIMAL_SEPARATOR")
    return text if separator == "." else text.replace(".", separator)
