"""An audit's score, 0–100, overall and per parameter: pure functions, no database.

Each item scores 0–100: pass is 100 and fail 0; on the 1–5 scale, (score − 1) / 4 × 100. The
overall score is the mean of the items weighted by their weights, and a parameter's score the same
mean over its items. A critical item has failed when it is a fail, or 1 or 2 on the 1–5 scale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

PASS_FAIL = "pass_fail"  # noqa: S105 (a kind of item, not a password)
SCALE = "scale"
PASS, FAIL = 1, 0
# On the 1–5 scale, a score at or below this is a failure (what a critical item raises an action for).
SCALE_FAILED_AT_MOST = 2


@dataclass(frozen=True)
class Scored:
    """One item as scored: its parameter, weight, kind and score."""

    parameter_id: int
    weight: Decimal | float
    kind: str
    score: int


@dataclass(frozen=True)
class Score:
    overall: float
    by_parameter: dict[int, float]


def item_percent(kind: str, score: int) -> float:
    """An item's score on the 0–100 scale."""
    if kind == PASS_FAIL:
        if score not in (PASS, FAIL):
            raise ValueError(f"a pass/fail item scores {PASS} or {FAIL}, not {score}")
        return 100.0 if score == PASS else 0.0
    if kind == SCALE:
        if not 1 <= score <= 5:
            raise ValueError(f"a 1–5 item scores 1 to 5, not {score}")
        return (score - 1) / 4 * 100
    raise ValueError(f"unknown kind of item: {kind}")


def is_failed(kind: str, score: int) -> bool:
    """Fail, or 1 or 2 on the 1–5 scale."""
    if kind == PASS_FAIL:
        return score == FAIL
    return score <= SCALE_FAILED_AT_MOST


def _weighted_mean(pairs: list[tuple[float, float]]) -> float:
    total = sum(weight for _, weight in pairs)
    return sum(percent * weight for percent, weight in pairs) / total


def audit_score(items: Iterable[Scored]) -> Score:
    """The weighted score of scored items, overall and per parameter. Raises ValueError when there
    is no item, or an item's score is not one of its kind."""
    pairs: dict[int, list[tuple[float, float]]] = {}
    for item in items:
        if float(item.weight) <= 0:
            raise ValueError("weights are positive")
        pairs.setdefault(item.parameter_id, []).append((item_percent(item.kind, item.score), float(item.weight)))
    if not pairs:
        raise ValueError("an audit scores at least one item")
    every = [pair for parameter_pairs in pairs.values() for pair in parameter_pairs]
    return Score(
        overall=_weighted_mean(every),
        by_parameter={parameter_id: _weighted_mean(rows) for parameter_id, rows in pairs.items()},
    )
