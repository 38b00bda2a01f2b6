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


PARAMETER_FIGURES = ["mean", "stdev", "top_box_pct", "target", "gap", "ci_low", "ci_high"]


def score_records(cycle: Cycle, departments: QuerySet[Department] | None = None) -> list[dict]:
    """The scores export's figures before formatting, one dict per row keyed by SCORE_COLUMNS: every
    parameter and the overall index of each department. A suppressed row keeps its n, and None for
    every other figure (the API, which shows no n there either, reads these)."""
    parameters = ParameterScore.objects.filter(cycle=cycle).select_related("department")
    overall = DepartmentScore.objects.filter(cycle=cycle).select_related("department")
    if departments is not None:
        parameters, overall = parameters.filter(department__in=departments), overall.filter(department__in=departments)
    records = []
    for p in parameters:
        records.append(
            dict.fromkeys(SCORE_COLUMNS)
            | {"provider_department": p.department.code, "parameter": p.code, "n": p.n}
            | {figure: None if p.suppressed else getattr(p, figure) for figure in PARAMETER_FIGURES}
            | {"suppressed": p.suppressed, "provider_department_name": p.department.name}
        )
    for s in overall:
        records.append(
            dict.fromkeys(SCORE_COLUMNS)
            | {"provider_department": s.department.code, "parameter": OVERALL, "n": s.n}
            | {"mean": None if s.suppressed else s.mean, "suppressed": s.suppressed, "feedback_n": s.feedback_n}
            | {column: getattr(s, column) for column in FEEDBACK_FIELDS.values()}
            | {"provider_department_name": s.department.name}
        )
    records.sort(key=lambda record: (record["provider_department"], record["parameter"]))
    return records


def heatmap_records(cycle: Cycle, departments: QuerySet[Department] | None = None) -> list[dict]:
    """The heatmap export's figures before formatting, keyed by HEATMAP_COLUMNS: one per
    (department, rater department) cell; a suppressed cell keeps its n, not its mean."""
    cells = HeatmapCell.objects.filter(cycle=cycle).select_related("department", "rater_department")
    if departments is not None:
        cells = cells.filter(department__in=departments)
    records = [
        {
            "provider_department": c.department.code,
            "rater_department": c.rater_department.code,
            "n": c.n,
            "mean": None if c.suppressed else c.mean,
            "suppressed": c.suppressed,
            "provider_department_name": c.department.name,
            "rater_department_name": c.rater_department.name,
        }
        for c in cells
    ]
    records.sort(key=lambda record: (record["provider_department"], record["rater_department"]))
    return records


def _formatted(record: dict, columns: list[str]) -> list[str]:
    """A record as the export writes it: four decimals, whole counts, true/false, text made safe."""
    row = []
    for column in columns:
        value = record[column]
        if column == "suppressed":
            row.append(_flag(value))
        elif column in TEXT_COLUMNS:
            row.append(cell_from_text(value))
        elif column in WHOLE_NUMBERS:
            row.append(_count(value))
        else:
            row.append(_number(value))
    return row


def score_rows(cycle: Cycle, departments: QuerySet[Department] | None = None) -> list[list[str]]:
    """Rows of the scores export: every parameter and the overall index of each department."""
    return [_formatted(record, SCORE_COLUMNS) for record in score_records(cycle, departments)]


def heatmap_rows(cycle: Cycle, departments: QuerySet[Department] | None = None) -> list[list[str]]:
    """Rows of the heatmap export: one per (department, rater department) cell."""
    return [_formatted(record, HEATMAP_COLUMNS) for record in heatmap_records(cycle, departments)]


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
