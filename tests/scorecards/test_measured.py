"""The survey, the KPIs and the audits side by side: the verdicts and the words for them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils.html import strip_tags

from scorecards.measured import AUDIT, MEASURE, SURVEY, audit_yardstick, disagreement
from scorecards.models import ParameterScore
from surveys import services as survey_services
from tests.factories import make_audit, make_audit_template, make_kpi, submit_audit


def text(response) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


@pytest.mark.parametrize(
    ("verdicts", "says"),
    [
        (
            {SURVEY: False, MEASURE: True, AUDIT: None},
            "On target by measure, below target by survey: the measure may not capture what people feel.",
        ),
        (
            {SURVEY: True, MEASURE: False, AUDIT: None},
            "On target by survey, below target by measure: people may not feel the shortfall yet, or the"
            " measure counts something they do not see.",
        ),
        (
            {SURVEY: True, MEASURE: None, AUDIT: False},
            "On target by survey, below target by mystery shopping: regular customers are content, but a"
            " first-time request was not served as agreed.",
        ),
        (
            {SURVEY: False, MEASURE: None, AUDIT: True},
            "On target by mystery shopping, below target by survey: one audited request went well; everyday"
            " service may differ.",
        ),
        (
            {SURVEY: None, MEASURE: True, AUDIT: False},
            "On target by measure, below target by mystery shopping: the measure may count what is easy to"
            " count rather than what a requester meets.",
        ),
        (
            {SURVEY: False, MEASURE: True, AUDIT: True},
            "On target by measure and mystery shopping, below target by survey: the measure may not capture"
            " what people feel.",
        ),
        ({SURVEY: True, MEASURE: True, AUDIT: True}, "On target by survey, measure and mystery shopping."),
        ({SURVEY: False, MEASURE: False, AUDIT: None}, "Below target by survey and measure."),
    ],
)
def test_disagreement_names_which_sources_are_on_and_below_target_and_what_it_may_mean(verdicts, says):
    assert disagreement(verdicts) == says


@pytest.mark.parametrize(
    "verdicts",
    [{SURVEY: False, MEASURE: None, AUDIT: None}, {SURVEY: None, MEASURE: None, AUDIT: True}, {}],
)
def test_one_source_alone_has_nothing_to_disagree_with(verdicts):
    assert disagreement(verdicts) == ""


def test_an_audit_target_sits_where_the_charter_target_sits_on_its_scale():
    assert audit_yardstick(Decimal("1")) == 0
    assert audit_yardstick(Decimal("4")) == 75
    assert audit_yardstick(Decimal("5")) == 100
    assert audit_yardstick(Decimal("3.5")) == 62.5


# --- on the scorecard ---------------------------------------------------------------------------


@pytest.fixture
def measured_it(people, generated, departments):
    """IT's Q1 results published, a KPI evidencing its first parameter on target, and one audit by
    a Sales employee that failed that parameter's critical item."""
    survey_services.cycle_publish(cycle=generated.cycle)
    it = departments["it"]
    make_kpi(
        it,
        parameter=it.parameters.get(code="resp"),
        values=[(date(2026, m, 1), date(2026, m, 28), 88 + m) for m in range(1, 4)],
    )
    audit = make_audit(
        make_audit_template(it, [("resp", "pass_fail", 1, True), ("qual", "scale", 1, False)]),
        people["employee"],
        scheduled_on=date(2026, 3, 1),
    )
    submit_audit(audit, [0, 5], requested_on=date(2026, 3, 10))
    return it


def test_each_parameter_shows_its_target_survey_measure_and_audit_with_what_they_say(
    as_, people, measured_it, generated
):
    page = text(as_(people["head"]).get("/scorecards/it/"))
    section = page[page.index("Survey, measures and mystery shopping") : page.index("Trend across cycles")]
    resp = ParameterScore.objects.get(cycle=generated.cycle, department=measured_it, code="resp")
    assert "Resp" in section and f"{resp.mean:.1f}" in section
    assert "91 %" in section and "agreed at least 90 %" in section  # the latest value, March's
    assert "0 / 100" in section and "March 2026" in section  # the failed critical item, by month
    says = disagreement({SURVEY: resp.status == "meets", MEASURE: True, AUDIT: False})
    assert "mystery shopping:" in says and says in section
    assert "Qual" in section and "100 / 100" in section


def test_the_head_never_sees_who_audited_nor_the_day(as_, people, measured_it):
    page = as_(people["head"]).get("/scorecards/it/").content.decode()
    auditor = people["employee"]
    for clue in (
        auditor.user.get_full_name(),
        auditor.user.email,
        "10 March",
        "2026-03-10",
        "10/03/2026",
        "3/10/2026",
    ):
        assert clue not in page
    assert auditor.user.get_full_name() in as_(people["hr"]).get("/scorecards/it/").content.decode()


def test_a_department_without_kpis_or_audits_is_told_who_adds_them(as_, people, generated):
    survey_services.cycle_publish(cycle=generated.cycle)
    page = text(as_(people["head"]).get("/scorecards/it/"))
    assert "No measured service levels or completed audits yet. Add KPIs to your charter" in page
