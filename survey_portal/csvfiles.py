"""Reading CSV files for imports: bytes in, rows with their line numbers out, errors as ``file:line: reason``."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .text import refused_character


@dataclass(frozen=True)
class CsvFile:
    """An uploaded or on-disk CSV file: its name (for error messages) and raw bytes."""

    name: str
    content: bytes

    @classmethod
    def from_rows(cls, name: str, header: Sequence[str], rows: Iterable[Sequence]) -> CsvFile:
        """A CSV file written from rows (the demo and the benchmarks build their files with it)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        return cls(name, buffer.getvalue().encode())

    def stored(self) -> list[str]:
        """The file as JSON keeps it (a session between check and confirm, a held sync run)."""
        return [self.name, base64.b64encode(self.content).decode()]

    @classmethod
    def from_stored(cls, stored: Sequence[str]) -> CsvFile:
        name, data = stored
        return cls(name, base64.b64decode(data))


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class Row:
    file: str
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Table:
    name: str
    columns: set[str]
    rows: list[Row]


# Python's csv module, in strict mode, refuses what would otherwise swallow the rest of a file into
# one value: the people who fix the file read these instead of its words.
_CSV_ERRORS = {
    "unexpected end of data": "a quoted value that starts on this line has no closing quote",
    "',' expected after '\"'": (
        'text follows the closing quote of a value (a quote inside a quoted value is written twice: "")'
    ),
}


def _unreadable(exc: csv.Error) -> str:
    reason = str(exc)
    if reason.startswith("field larger than field limit"):
        return f"a value is longer than {csv.field_size_limit()} characters"
    return _CSV_ERRORS.get(reason, f"unreadable row ({reason})")


def read_table(
    file: CsvFile,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    errors: list[str],
    *,
    multiline: tuple[str, ...] = (),
) -> Table | None:
    """Parse one CSV file (UTF-8, BOM optional, header row required). None when unreadable.

    Problems are appended to `errors` as ``file:line: reason``; columns may come in any order and
    extra columns are ignored. Values are stripped; blank lines are skipped. The text of every
    column read follows survey_portal.text (the `multiline` ones may hold line breaks and tabs); a
    row with a refused character is left out, its error kept; a NUL anywhere in the file is refused.
    """
    try:
        text = file.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = file.content[: exc.start].count(b"\n") + 1
        errors.append(f"{file.name}:{line}: not UTF-8 text (save the file as 'CSV UTF-8')")
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        errors.append(f"{file.name}:1: unreadable header row: {_unreadable(exc)}")
        return None
    header = [column.strip().lower() for column in header or []]
    for column in header:
        refused = refused_character(column)
        if refused:
            errors.append(f"{file.name}:1: the column name {column!r} contains {refused}{_hint(refused)}")
            return None
    if not any(header):
        errors.append(f"{file.name}:1: the file is empty; a header row is required ({', '.join(required)})")
        return None
    ok = True
    for column in required:
        if column not in header:
            errors.append(f"{file.name}:1: missing required column {column!r}")
            ok = False
    duplicated = sorted({column for column in header if column and header.count(column) > 1})
    for column in duplicated:
        if column in required or column in optional:
            errors.append(f"{file.name}:1: column {column!r} appears more than once")
            ok = False
    if not ok:
        return None

    read = required + optional
    rows: list[Row] = []
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"{file.name}:{line}: {_unreadable(exc)}")
            return None
        if any(value.strip() for value in record):
            if len(record) > len(header):
                errors.append(
                    f"{file.name}:{line}: {len(record)} values but the header has {len(header)} columns "
                    "(a value containing a comma must be quoted)"
                )
            else:
                values = {column: value.strip() for column, value in zip(header, record, strict=False)}
                row = Row(file.name, line, values)
                if _plain_text(row, read, multiline, errors):
                    rows.append(row)
        line = reader.line_num + 1
    return Table(file.name, set(header), rows)


def _plain_text(row: Row, columns: tuple[str, ...], multiline: tuple[str, ...], errors: list[str]) -> bool:
    """Whether every value of `row` is text the portal keeps (survey_portal.text); errors name the column.
    A column the import does not read may hold anything but NUL, which never belongs in a text file."""
    ok = True
    for column, value in row.values.items():
        if column in columns:
            refused = refused_character(value, multiline=column in multiline)
        else:
            refused = "a NUL character (U+0000)" if "\x00" in value else None
        if refused:
            errors.append(f"{row.where()}: {column} contains {refused}, which is not allowed{_hint(refused)}")
            ok = False
    return ok


def _hint(refused: str) -> str:
    # Text saved as UTF-16 ("Unicode text") reads as UTF-8 with a NUL after every letter.
    return " (if the file was saved as “Unicode text”, save it as “CSV UTF-8”)" if "NUL" in refused else ""


def parse_decimal(row: Row, column: str, errors: list[str], *, low: Decimal, high: Decimal) -> Decimal | None:
    raw = row[column]
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.append(f"{row.where()}: {column} {raw!r} is not a number")
        return None
    if not value.is_finite() or value < low or value > high:
        errors.append(f"{row.where()}: {column} {raw} is outside {low}–{high}")
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.append(f"{row.where()}: {column} {raw} has more than 2 decimals")
        return None
    return value.quantize(Decimal("0.01"))


def require(row: Row, columns: tuple[str, ...], errors: list[str], max_lengths: dict[str, int]) -> bool:
    ok = True
    for column in columns:
        if not row[column]:
            errors.append(f"{row.where()}: {column} is empty")
            ok = False
    for column, limit in max_lengths.items():
        if len(row[column]) > limit:
            errors.append(f"{row.where()}: {column} is longer than {limit} characters")
            ok = False
    return ok
