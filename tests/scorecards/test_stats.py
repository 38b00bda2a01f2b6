"""The hand-written Student t and Welch test against SciPy."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy import stats as sp

from scorecards import stats


@pytest.mark.parametrize("df", [1, 2, 3, 4.5, 9, 29, 120, 5_000, 250_000])
def test_t_quantiles_and_tails_match_scipy(df):
    assert stats.t_ppf(0.975, df) == pytest.approx(sp.t.ppf(0.975, df), rel=1e-9)
    for t in (0.0, 0.3, 1.7, 4.0, -2.2):
        assert stats.t_sf(t, df) == pytest.approx(sp.t.sf(t, df), rel=1e-9, abs=1e-12)


def test_summaries_confidence_intervals_and_welch_match_scipy():
    rng = random.Random(11)
    for _ in range(50):
        a = [rng.randint(1, 5) for _ in range(rng.randint(3, 60))]
        b = [min(5, s + rng.choice((0, 0, 1))) for s in (rng.randint(1, 5) for _ in range(rng.randint(3, 60)))]
        sa, sb = (stats.summarise({s: x.count(s) for s in range(1, 6)}) for x in (a, b))
        assert (sa.mean, sa.stdev) == (pytest.approx(np.mean(a)), pytest.approx(np.std(a, ddof=1)))
        if sa.stdev:
            low, high = sp.t.interval(0.95, len(a) - 1, loc=np.mean(a), scale=np.std(a, ddof=1) / np.sqrt(len(a)))
            assert stats.confidence_interval(sa) == (pytest.approx(low), pytest.approx(high))
        if sa.stdev + sb.stdev:
            expected = sp.ttest_ind(a, b, equal_var=False).pvalue
            assert stats.welch_p_value(sa, sb) == pytest.approx(expected, rel=1e-7, abs=1e-12)
            assert stats.significant_change(sa, sb) == (expected < 0.05)


def test_identical_constant_groups_are_not_a_significant_change():
    same = stats.summarise({4: 10})
    assert stats.welch_p_value(same, same) == 1.0
    assert stats.welch_p_value(stats.summarise({5: 10}), same) == 0.0
