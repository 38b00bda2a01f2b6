"""JSON errors: DRF's {"detail": ...}, and import errors as a list of {file, line, reason}."""

from __future__ import annotations

import re

from rest_framework.views import exception_handler as drf_exception_handler

_WITH_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<reason>.*)$", re.DOTALL)
_WITHOUT_LINE = re.compile(r"^(?P<file>[^\s:]+): (?P<reason>.*)$", re.DOTALL)


def structured(errors: list[str], file_names: list[str]) -> list[dict]:
    """The import's `file:line: reason` strings as {file, line, reason}. File names known to be in
    the request are matched first (a name may hold a colon); line is null for whole-file errors
    and file too for errors about the request as a whole."""
    result = []
    for error in errors:
        item = None
        for name in sorted(file_names, key=len, reverse=True):
            if error.startswith(name + ":"):
                rest = error[len(name) + 1 :]
                line, sep, reason = rest.partition(": ")
                if sep and line.isdigit():
                    item = {"file": name, "line": int(line), "reason": reason}
                else:
                    item = {"file": name, "line": None, "reason": rest.strip()}
                break
        if item is None:
            if match := _WITH_LINE.match(error):
                item = {"file": match["file"], "line": int(match["line"]), "reason": match["reason"]}
            elif match := _WITHOUT_LINE.match(error):
                item = {"file": match["file"], "line": None, "reason": match["reason"]}
            else:
                item = {"file": None, "line": None, "reason": error}
        result.append(item)
    return result


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response
