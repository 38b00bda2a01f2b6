"""manage.py export_scores: exact columns, one row per figure, sorted, four decimals, suppression."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from scorecards.exports import HEATMAP_COLUMNS, SCORE_COLUMNS


def read(path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_command_writes_scores_and_heatmap_with_exactly_the_agreed_columns(generated, tmp_path):
    scores_path, heatmap_path = tmp_path / "scores.csv", tmp_path / "heatmap.csv"

    call_command("export_scores", "--cycle", "Q1 2026", "--scores", scores_path, "--heatmap", heatmap_path)

    header, scores = read(scores_path)
    assert header == SCORE_COLUMNS == [
        "provider_department", "parameter", "n", "mean", "stdev", "top_box_pct", "target", "gap", "ci_low",
        "ci_high", "suppressed", "feedback_n", "feedback_yes", "feedback_somewhat", "feedback_no",
        "feedback_unnoticed", "provider_department_name",
    ]  # fmt: skip  # the documented columns, then the department's name
    keys = [(r["provider_department"], r["parameter"]) for r in scores]
    assert keys == sorted(keys)
    assert ("it", "__overall__") in keys and ("tiny", "__overall__") in keys

    acc = next(r for r in scores if (r["provider_department"], r["parameter"]) == ("fin", "acc"))
    values = np.array(generated.scores("fin", "acc"))
    assert acc["n"] == str(len(values)) and acc["suppressed"] == "false"
    assert acc["mean"] == f"{values.mean():.4f}" and acc["stdev"] == f"{values.std(ddof=1):.4f}"
    assert acc["target"] == "4.5000" and acc["gap"] == f"{values.mean() - 4.5:.4f}"

    overall = next(r for r in scores if (r["provider_department"], r["parameter"]) == ("it", "__overall__"))
    assert overall["mean"] != "" and overall["suppressed"] == "false"
    assert [overall[c] for c in ("stdev", "top_box_pct", "target", "gap", "ci_low", "ci_high")] == [""] * 6
    tiny = next(r for r in scores if (r["provider_department"], r["parameter"]) == ("tiny", "__overall__"))
    assert tiny["suppressed"] == "true" and tiny["n"] != "" and tiny["mean"] == ""
    assert {r["provider_department_name"] for r in scores if r["provider_department"] == "it"} == {"IT"}

    header, cells = read(heatmap_path)
    assert header == HEATMAP_COLUMNS == [
        "provider_department", "rater_department", "n", "mean", "suppressed",
        "provider_department_name", "rater_department_name",
    ]  # fmt: skip
    assert [(c["provider_department"], c["rater_department"]) for c in cells] == sorted(
        (c["provider_department"], c["rater_department"]) for c in cells
    )
    legal = next(c for c in cells if (c["provider_department"], c["rater_department"]) == ("fin", "legal"))
    assert legal["suppressed"] == "true" and legal["mean"] == "" and legal["n"] != ""
    assert (legal["provider_department_name"], legal["rater_department_name"]) == ("FIN", "Legal")


def test_the_command_explains_a_wrong_cycle_or_path(generated, tmp_path):
    with pytest.raises(CommandError, match="No cycle named 'Nope'"):
        call_command("export_scores", "--cycle", "Nope", "--scores", tmp_path / "s.csv")
    with pytest.raises(CommandError, match="No such file or directory"):
        call_command("export_scores", "--cycle", "Q1 2026", "--scores", tmp_path / "missing" / "s.csv")
