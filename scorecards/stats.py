"""The statistics of a scorecard, from the counts SQL returns: no row-by-row data comes into Python.

Everything is computed from a score distribution (how many 1s, 2s, … 5s), which is what the database
hands back per parameter. Student's t distribution is implemented here (regularised incomplete beta
function, continued fraction as in Numerical Recipes §6.4) rather than pulling SciPy into production;
the tests check it against SciPy.
"""

from __future__ import annotations

import functools
import math
import statistics
from dataclasses import dataclass

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with `df` degrees of freedom (df may be fractional, as in Welch)."""
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1.0 - tail


def t_pdf(t: float, df: float) -> float:
    log_c = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1) / 2 * math.log1p(t * t / df))


@functools.lru_cache(maxsize=4096)
def t_ppf(p: float, df: float) -> float:
    """The p-quantile of Student's t (0.5 < p < 1).

    Newton's method from the Cornish–Fisher expansion of the normal quantile (a handful of steps),
    with bisection as the fallback. Cached: a cycle's parameters share few sample sizes.
    """
    target = 1.0 - p
    z = _normal_ppf(p)
    guess = z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
    t = guess if math.isfinite(guess) and guess > 0 else 1.0
    for _ in range(50):
        step = (t_sf(t, df) - target) / t_pdf(t, df)
        t_next = t + step
        if not math.isfinite(t_next) or t_next <= 0:
            break
        if abs(t_next - t) < 1e-12 * max(1.0, t):
            return t_next
        t = t_next
    return _t_ppf_bisection(p, df)


def _t_ppf_bisection(p: float, df: float) -> float:
    target = 1.0 - p
    low, high = 0.0, 1.0
    while t_sf(high, df) > target:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_sf(middle, df) > target:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2.0


def _normal_ppf(p: float) -> float:
    """Standard normal quantile (Python's own, exact to double precision)."""
    return statistics.NormalDist().inv_cdf(p)


@dataclass(frozen=True)
class Summary:
    """n, mean and sample standard deviation of a set of scores."""

    n: int
    mean: float
    stdev: float  # sample (n - 1); 0 when n < 2


def summarise(counts: dict[int, int]) -> Summary:
    """Summary of a distribution {score: how many}."""
    n = sum(counts.values())
    if n == 0:
        return Summary(0, math.nan, math.nan)
    mean = sum(score * k for score, k in counts.items()) / n
    # Centred sum of squares from the counts: exact and numerically stable for 1–5 scales.
    squares = sum(k * (score - mean) ** 2 for score, k in counts.items())
    return Summary(n, mean, math.sqrt(squares / (n - 1)) if n > 1 else 0.0)


def confidence_interval(summary: Summary, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Student-t confidence interval for the mean."""
    if summary.n < 2:
        return summary.mean, summary.mean
    half = t_ppf(0.5 + confidence / 2.0, summary.n - 1) * summary.stdev / math.sqrt(summary.n)
    return summary.mean - half, summary.mean + half


def welch_p_value(a: Summary, b: Summary) -> float:
    """Two-sided p-value of Welch's t-test for a difference in means."""
    if a.n < 2 or b.n < 2:
        return 1.0
    va, vb = a.stdev**2 / a.n, b.stdev**2 / b.n
    if va + vb == 0:
        return 0.0 if a.mean != b.mean else 1.0
    t = (a.mean - b.mean) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / ((va**2 / (a.n - 1) if a.n > 1 else 0) + (vb**2 / (b.n - 1) if b.n > 1 else 0))
    return min(1.0, 2.0 * t_sf(abs(t), df))


def significant_change(now: Summary, before: Summary, level: float = SIGNIFICANCE) -> bool:
    return welch_p_value(now, before) < level
