"""Attack 4: a parameter suppressed at department level (one rating) is given back by a heatmap
cell whose mean includes it. Derived figures use the ratings of shown parameters only."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from django.core.management import call_command

from departments.models import Department
from scorecards.models import DepartmentScore, HeatmapCell, ParameterScore
from scorecards.services import cycle_aggregate
from survey_portal.csvfiles import CsvFile
from surveys.past_import import OPTIONAL, REQUIRED, responses_import
from tests.factories import DepartmentFactory, ServiceParameterFactory

# (rater, scores for resp, qual, templates): one response only rates "templates".
RESPONSES = [("sales", 4, 5, None)] * 3 + [("sales", 2, 3, None), ("sales", 5, 4, 1)] + [("ops", 3, 3, None)] * 6


def _past_cycle():
    it = DepartmentFactory(code="it", name="IT")
    for code in ("sales", "ops"):
        DepartmentFactory(code=code, name=code.title())
    for position, code in enumerate(["resp", "qual", "templates"]):
        ServiceParameterFactory(department=it, code=code, name=code.title(), position=position)
    lines = [",".join([*REQUIRED, *OPTIONAL])]
    for number, (rater, *scores) in enumerate(RESPONSES):
        for code, score in zip(["resp", "qual", "templates"], scores, strict=True):
            lines.append(f"r{number},{rater},it,{code},{score or ''},,")
    result = responses_import(
        file=CsvFile("past.csv", "\n".join(lines).encode()),
        name="Past with a lone rating",
        opens=date(2026, 1, 5),
        closes=date(2026, 1, 19),
    )
    cycle_aggregate(cycle_id=result.cycle.pk)
    return result.cycle


def expected_cell_mean(rater: str) -> float:
    """The cell's mean over the shown parameters (resp, qual) only, computed from the plan."""
    ratings = [s for r, *scores in RESPONSES if r == rater for s in scores[:2] if s is not None]
    return sum(ratings) / len(ratings)


def test_a_heatmap_cell_leaves_out_the_ratings_of_a_suppressed_parameter(db, tmp_path):
    cycle = _past_cycle()
    templates = ParameterScore.objects.get(cycle=cycle, code="templates")
    assert (templates.suppressed, templates.n, templates.mean) == (True, 1, None)

    cells = HeatmapCell.objects.filter(cycle=cycle).select_related("rater_department")
    cells = {cell.rater_department.code: cell for cell in cells}
    assert cells["sales"].n == 5  # n stays the number of responses
    for rater in ("sales", "ops"):
        assert cells[rater].mean == pytest.approx(expected_cell_mean(rater))
    # The attack: the sales cell's 11 ratings less the 10 shown ones (whose sum the distributions
    # give) would leave the lone "templates" rating. With the shown ratings only, nothing is left.
    shown_total = sum(s for r, *scores in RESPONSES if r == "sales" for s in scores[:2])
    assert cells["sales"].mean * 10 == pytest.approx(shown_total)
    index = DepartmentScore.objects.get(cycle=cycle, department__code="it")
    assert index.suppressed is False and index.n == 11

    call_command("export_scores", cycle=cycle.name, scores=str(tmp_path / "s.csv"), heatmap=str(tmp_path / "h.csv"))
    with open(tmp_path / "h.csv", encoding="utf-8") as file:
        rows = {row["rater_department"]: row for row in csv.DictReader(file)}
    assert float(rows["sales"]["mean"]) == round(expected_cell_mean("sales"), 4)
    assert float(rows["ops"]["mean"]) == round(expected_cell_mean("ops"), 4)


def _import(rows: list[tuple[str, int | None, int | None, int | None]], name: str):
    lines = [",".join([*REQUIRED, *OPTIONAL])]
    for number, (rater, *scores) in enumerate(rows):
        for code, score in zip(["resp", "qual", "templates"], scores, strict=True):
            lines.append(f"r{number},{rater},it,{code},{score or ''},,")
    result = responses_import(
        file=CsvFile(f"{name}.csv", "\n".join(lines).encode()),
        name=name,
        opens=date(2026, 1, 5),
        closes=date(2026, 1, 19),
    )
    cycle_aggregate(cycle_id=result.cycle.pk)
    return result.cycle


def test_a_cell_whose_shown_ratings_come_from_one_person_is_hidden(db):
    """Five Sales responses, but four rated only "templates" (hidden: 4 ratings in all): the Sales
    cell's shown ratings are one person's, so it is hidden, whatever its number of responses."""
    it = DepartmentFactory(code="it", name="IT")
    for code in ("sales", "ops"):
        DepartmentFactory(code=code, name=code.title())
    for position, code in enumerate(["resp", "qual", "templates"]):
        ServiceParameterFactory(department=it, code=code, name=code.title(), position=position)
    rows = [("sales", None, None, 3)] * 4 + [("sales", 2, None, None)] + [("ops", 4, 4, None)] * 9
    cycle = _import(rows, "Lone shown rating")
    assert ParameterScore.objects.get(cycle=cycle, code="templates").suppressed
    sales = HeatmapCell.objects.get(cycle=cycle, rater_department__code="sales")
    assert (sales.n, sales.suppressed, sales.mean) == (1, True, None)
    ops = HeatmapCell.objects.get(cycle=cycle, rater_department__code="ops")
    assert ops.suppressed  # hidden too: a shown ops cell and the row's totals would give sales back


def test_renaming_a_department_hides_the_same_cells_when_recalculated(db):
    """Ties between equal cells are broken by a department's id, not its code: a rename followed
    by a recalculation would otherwise swap which of two cells is shown, and give a small one back."""
    it = DepartmentFactory(code="it", name="IT")
    for code in ("a", "b", "c", "d"):
        DepartmentFactory(code=code, name=code.upper())
    for position, code in enumerate(["resp", "qual", "templates"]):
        ServiceParameterFactory(department=it, code=code, name=code.title(), position=position)
    rows = [("a", 4, 4, None)] * 6 + [("b", 3, 3, None)] * 6 + [("c", 2, 2, None)] * 2 + [("d", 5, 5, None)] * 30
    cycle = _import(rows, "Ties")

    def hidden() -> set[int]:
        return set(
            HeatmapCell.objects.filter(cycle=cycle, suppressed=True).values_list("rater_department_id", flat=True)
        )

    before = hidden()
    assert len(before) == 2  # c, and one of the two cells of 6
    Department.objects.filter(code="a").update(code="zz")
    Department.objects.filter(code="b").update(code="aa")
    cycle_aggregate(cycle_id=cycle.pk)
    assert hidden() == before
