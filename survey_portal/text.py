"""What text people may give us, in one rule for every form (survey_portal.forms) and import (csvfiles).

A single-line value (a name, a code, a job title, an email, a cycle's name) holds no control
character (U+0000–U+001F, U+007F–U+009F), no line or paragraph separator and no text-direction
control (U+202A–U+202E, U+2066–U+2069): such values are shown inside other text — lists, email
subjects, other people's pages — where a line break forges an email header and a direction
override makes a name read as something it is not. A multi-line value (a comment, a description,
a message to employees) may also hold line breaks (\\n or \\r\\n) and tabs; direction controls are
left to it, as writers of right-to-left languages may need them in a paragraph of their own.
NUL is refused everywhere: PostgreSQL cannot store it.
"""

from __future__ import annotations

import re

_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_LINE_BREAKS = "\n\r\u2028\u2029"
_DIRECTION = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def refused_character(value: str, *, multiline: bool = False) -> str | None:
    """What in `value` cannot be kept, as a noun phrase ("a line break"), or None when all of it can."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    if found is None:
        return None
    character = found.group()[0]
    code = f"U+{ord(character):04X}"
    if character == "\x00":
        return f"a NUL character ({code})"
    if character in _LINE_BREAKS:
        return "a line break" if not multiline else f"a carriage return without a line feed ({code})"
    if character == "\t":
        return f"a tab ({code})"
    if character in _DIRECTION:
        return f"a text-direction control ({code})"
    return f"an invisible control character ({code})"
