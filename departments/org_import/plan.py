"""What an import reads and plans: the files' columns, the parsed values, the summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

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
        parts = [
            _("%(count)s created") % {"count": self.created},
            _("%(count)s updated") % {"count": self.updated},
            _("%(count)s unchanged") % {"count": self.unchanged},
        ]
        if self.deactivated:
            parts.append(_("%(count)s deactivated") % {"count": self.deactivated})
        if self.removed:
            parts.append(_("%(count)s removed") % {"count": self.removed})
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


# Columns per file: (required, optional). Extra columns are ignored. name_de and description_de are
# the German texts (departments/translation.py): a file without the column leaves them as they
# are, an empty cell clears them (German pages then show the English text).
SCHEMAS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "departments": (("code", "name"), ("head_email", "front_line", "description", "name_de", "description_de")),
    "employees": (("email", "first_name", "last_name", "department_code"), ("job_title",)),
    "dependencies": (("consumer_code", "provider_code"), ()),
    "parameters": (
        ("department_code", "code", "name", "target", "description"),
        ("weight", "name_de", "description_de"),
    ),
}
# The German columns, each read like its English one.
GERMAN_COLUMNS = ("name_de", "description_de")


def german_values(table: Table, row: Row) -> dict[str, str | None]:
    """The row's German texts for the columns the file has (blank: None, no translation)."""
    return {column: row[column] or None for column in GERMAN_COLUMNS if column in table.columns}


# Columns that may hold line breaks and tabs: what the pages show as paragraphs.
MULTILINE: dict[str, tuple[str, ...]] = {"departments": ("description", "description_de")}


def read_csv(file: CsvFile, kind: str, errors: list[str]) -> Table | None:
    return read_table(file, *SCHEMAS[kind], errors, multiline=MULTILINE.get(kind, ()))


def parse_bool(row: Row, column: str, errors: list[str]) -> bool:
    value = row[column].lower()
    if value in TRUE_WORDS:
        return True
    if value not in FALSE_WORDS:
        errors.append(
            _("%(where)s: %(column)s %(value)s is not yes/no, true/false or 1/0")
            % {"where": row.where(), "column": column, "value": repr(row[column])}
        )
    return False


def check_slug(row: Row, column: str, errors: list[str]) -> bool:
    try:
        validate_slug(row[column])
    except ValidationError:
        errors.append(
            _("%(where)s: %(column)s %(value)s may contain only letters, digits, - and _")
            % {"where": row.where(), "column": column, "value": repr(row[column])}
        )
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
    errors.append(
        _("%(where)s: duplicate %(what)s (first on line %(line)s)")
        % {"where": row.where(), "what": what, "line": first}
    )
    return True
