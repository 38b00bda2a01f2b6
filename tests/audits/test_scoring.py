import pytest

from audits.scoring import Scored, audit_score, is_failed, item_percent


def test_pass_is_100_fail_is_0_and_one_to_five_maps_linearly():
    assert item_percent("pass_fail", 1) == 100
    assert item_percent("pass_fail", 0) == 0
    assert [item_percent("scale", score) for score in range(1, 6)] == [0, 25, 50, 75, 100]


def test_the_overall_score_is_the_mean_weighted_by_item_weight():
    score = audit_score(
        [
            Scored(parameter_id=1, weight=3, kind="pass_fail", score=1),  # 100 × 3
            Scored(parameter_id=2, weight=1, kind="scale", score=3),  # 50 × 1
        ]
    )
    assert score.overall == pytest.approx((100 * 3 + 50 * 1) / 4)


def test_each_parameter_scores_the_weighted_mean_of_its_own_items():
    score = audit_score(
        [
            Scored(1, 1, "pass_fail", 1),
            Scored(1, 3, "scale", 2),  # 25
            Scored(2, 2, "scale", 5),
        ]
    )
    assert score.by_parameter == {1: pytest.approx((100 + 25 * 3) / 4), 2: pytest.approx(100)}
    assert score.overall == pytest.approx((100 + 75 + 200) / 6)


def test_an_audit_where_everything_failed_scores_zero():
    score = audit_score([Scored(1, 2, "pass_fail", 0), Scored(2, 1, "scale", 1)])
    assert score.overall == 0 and score.by_parameter == {1: 0, 2: 0}


def test_a_single_item_is_the_whole_score():
    score = audit_score([Scored(7, 5, "scale", 4)])
    assert score.overall == 75 and score.by_parameter == {7: 75}


@pytest.mark.parametrize(("kind", "score"), [("pass_fail", 2), ("scale", 0), ("scale", 6), ("other", 1)])
def test_a_score_that_its_kind_does_not_allow_is_refused(kind, score):
    with pytest.raises(ValueError):
        audit_score([Scored(1, 1, kind, score)])


def test_no_item_is_refused():
    with pytest.raises(ValueError):
        audit_score([])


def test_failed_means_fail_or_one_or_two_on_the_scale():
    assert is_failed("pass_fail", 0) and not is_failed("pass_fail", 1)
    assert [is_failed("scale", score) for score in range(1, 6)] == [True, True, False, False, False]
