"""What an import reads and plans: the files' columns, the parsed values, the summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug

from survey_portal.csvfiles import CsvFile, Row, Table, read_table

TRUE_WORDS = {"yes", "true", "1", "y"}
FALSE_WORDS = {"no", "false", "0", "n", ""}
BATCH = 2000


@dataclass
class KindSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    removed: int = 0

    def __str__(self) -> str:
        parts = [f"{self.created} created", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.deactivated:
            parts.append(f"{self.deactivated} deactivated")
        if self.removed:
            parts.append(f"{self.removed} removed")
        return ", ".join(parts)


@dataclass
class ImportSummary:
    departments: KindSummary = field(default_factory=KindSummary)
    employees: KindSummary = field(default_factory=KindSummary)
    dependencies: KindSummary = field(default_factory=KindSummary)
    parameters: KindSummary = field(default_factory=KindSummary)
    dry_run: bool = False

    def items(self) -> list[tuple[str, KindSummary]]:
        return [
            ("departments", self.departments),
            ("employees", self.employees),
            ("dependencies", self.dependencies),
            ("parameters", self.parameters),
        ]

    def lines(self) -> list[str]:
        return [f"{kind}: {summary}" for kind, summary in self.items()]


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# Columns per file: (required, optional). Extra columns are ignored.
SCHEMAS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "departments": (("code", "name"), ("head_email", "front_line", "description")),
    "employees": (("email", "first_name", "last_name", "department_code"), ("job_title",)),
    "dependencies": (("consumer_code", "provider_code"), ()),
    "parameters": (("department_code", "code", "name", "target", "description"), ("weight",)),
}


# Columns that may hold line breaks and tabs: what the pages show as paragraphs.
MULTILINE: dict[str, tuple[str, ...]] = {"departments": ("description",)}


def read_csv(file: CsvFile, kind: str, errors: list[str]) -> Table | None:
    return read_table(file, *SCHEMAS[kind], errors, multiline=MULTILINE.get(kind, ()))


def parse_bool(row: Row, column: str, errors: list[str]) -> bool:
    value = row[column].lower()
    if value in TRUE_WORDS:
        return True
    if value not in FALSE_WORDS:
        errors.append(f"{row.where()}: {column} {row[column]!r} is not yes/no, true/false or 1/0")
    return False


def check_slug(row: Row, column: str, errors: list[str]) -> bool:
    try:
        validate_slug(row[column])
    except ValidationError:
        errors.append(f"{row.where()}: {column} {row[column]!r} may contain only letters, digits, - and _")
        return False
    return True


@dataclass
class Plan:
    """Validated rows, ready to write."""

    departments: list[dict] = field(default_factory=list)
    heads: dict[str, str | None] = field(default_factory=dict)  # department code -> head email (None: clear)
    employees: list[dict] = field(default_factory=list)
    dependencies: dict[str, set[str]] = field(default_factory=dict)  # consumer -> providers
    parameters: dict[str, list[dict]] = field(default_factory=dict)  # department code -> charter


def is_repeat(seen: dict, key, row: Row, what: str, errors: list[str]) -> bool:
    """Whether `key` was already on an earlier line of this file (then an error names both lines);
    otherwise this line is remembered as its first."""
    first = seen.setdefault(key, row.line)
    if first == row.line:
        return False
    errors.append(f"{row.where()}: duplicate {what} (first on line {first})")
    return True
