"""A cycle's scores and heatmap as rows, CSV and XLSX — for the pages and `manage.py export_scores`.

One row per figure, sorted by department then parameter (or rater department); departments by
code, and by name in the last columns. Numbers carry four decimals; a suppressed row keeps its n
and leaves every other figure empty. The answers to the action-feedback question are on each
department's overall row: how many answered (empty: not asked), and the count of each answer only
from the cycle's score threshold on, as stored. Text cells that a spreadsheet would run as a
formula (=, +, -, @, tab, CR) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.db.models import QuerySet

from departments.models import Department
from survey_portal.spreadsheets import cell_from_text
from surveys.models import Cycle

from .models import FEEDBACK_FIELDS, DepartmentScore, HeatmapCell, ParameterScore

SCORE_COLUMNS = [
    "provider_department",
    "parameter",
    "n",
    "mean",
    "stdev",
    "top_box_pct",
    "target",
    "gap",
    "ci_low",
    "ci_high",
    "suppressed",
    "feedback_n",
    *FEEDBACK_FIELDS.values(),
    "provider_department_name",
]
HEATMAP_COLUMNS = [
    "provider_department",
    "rater_department",
    "n",
    "mean",
    "suppressed",
    "provider_department_name",
    "rater_department_name",
]
TEXT_COLUMNS = {"provider_department", "parameter", "rater_department", "suppressed"} | {
    c for c in SCORE_COLUMNS + HEATMAP_COLUMNS if c.endswith("_name")
}
OVERALL = "__overall__"
WHOLE_NUMBERS = {"n", "feedback_n", *FEEDBACK_FIELDS.values()}


def _number(value) -> str:
    return "" if value is None else f"{float(value):.4f}"


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def score_rows(cycle: Cycle, departments: QuerySet[Department] | None = None) -> list[list[str]]:
    """Rows of the scores export: every parameter and the overall index of each department."""
    parameters = ParameterScore.objects.filter(cycle=cycle).select_related("department")
    overall = DepartmentScore.objects.filter(cycle=cycle).select_related("department")
    if departments is not None:
        parameters, overall = parameters.filter(department__in=departments), overall.filter(department__in=departments)
    rows = []
    for p in parameters:
        figures = (
            [""] * 7
            if p.suppressed
            else [
                _number(p.mean),
                _number(p.stdev),
                _number(p.top_box_pct),
                _number(p.target),
                _number(p.gap),
                _number(p.ci_low),
                _number(p.ci_high),
            ]
        )
        no_feedback = [""] * (1 + len(FEEDBACK_FIELDS))
        rows.append(
            [p.department.code, p.code, str(p.n), *figures, _flag(p.suppressed), *no_feedback, p.department.name]
        )
    for s in overall:
        mean = "" if s.suppressed else _number(s.mean)
        feedback = [_count(s.feedback_n), *(_count(getattr(s, column)) for column in FEEDBACK_FIELDS.values())]
        rows.append(
            [
                s.department.code,
                OVERALL,
                str(s.n),
                mean,
                "",
                "",
                "",
                "",
                "",
                "",
                _flag(s.suppressed),
                *feedback,
                s.department.name,
            ]
        )
    rows.sort(key=lambda row: (row[0], row[1]))
    return [[cell_from_text(row[0]), cell_from_text(row[1]), *row[2:-1], cell_from_text(row[-1])] for row in rows]


def heatmap_rows(cycle: Cycle, departments: QuerySet[Department] | None = None) -> list[list[str]]:
    """Rows of the heatmap export: one per (department, rater department) cell."""
    cells = HeatmapCell.objects.filter(cycle=cycle).select_related("department", "rater_department")
    if departments is not None:
        cells = cells.filter(department__in=departments)
    rows = [
        [
            c.department.code,
            c.rater_department.code,
            str(c.n),
            "" if c.suppressed else _number(c.mean),
            _flag(c.suppressed),
            c.department.name,
            c.rater_department.name,
        ]
        for c in cells
    ]
    rows.sort(key=lambda row: (row[0], row[1]))
    return [[*map(cell_from_text, row[:2]), *row[2:5], *map(cell_from_text, row[5:])] for row in rows]


def write_csv(out, columns: list[str], rows: Iterable[list[str]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)


def as_csv(columns: list[str], rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    write_csv(buffer, columns, rows)
    return buffer.getvalue()


def as_xlsx(sheets: list[tuple[str, list[str], list[list[str]]]]) -> bytes:
    """A workbook with one sheet per (title, columns, rows); figures are stored as numbers."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(column, value) for column, value in zip(columns, row, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(column: str, value: str):
    if value == "" or column in TEXT_COLUMNS:
        return value
    return int(value) if column in WHOLE_NUMBERS else float(value)
