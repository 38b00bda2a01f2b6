"""Text cells that a spreadsheet would run as a formula, written as text (OWASP CSV injection).

A cell starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe, which
spreadsheets read as "this is text". So does a cell that starts with an apostrophe already, so that
`text_from_cell` gives back exactly what was written: the backup export loads back unchanged.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*FORMULA_STARTS, "'")


def cell_from_text(value: str) -> str:
    return "'" + value if value.startswith(_ESCAPED_STARTS) else value


def text_from_cell(value: str) -> str:
    """The text `cell_from_text` was given (a cell written by anything else is returned as it is,
    but for one apostrophe before a formula character, which only such an escape puts there)."""
    if value.startswith("'") and value[1:].startswith(_ESCAPED_STARTS):
        return value[1:]
    return value
