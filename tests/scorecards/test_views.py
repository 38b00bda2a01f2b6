"""Scorecard pages and exports: who sees what, what small groups look like, bounded queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from scorecards.models import CycleResult
from survey_portal.spreadsheets import cell_from_text, text_from_cell
from surveys import services as survey_services
from surveys.models import Cycle
from tests.factories import PLAN, ServiceParameterFactory, generate, make_org


def text(response) -> str:
    return response.content.decode()


def test_the_head_reads_their_scorecard_with_targets_gaps_trend_and_comments(as_, people, departments):
    generate("Q4 2025", seed=1, opens=date(2025, 10, 6))
    latest = generate("Q1 2026", seed=2, shift={("it", "resp"): 1.2})

    response = as_(people["head"]).get("/scorecards/it/")

    page = text(response)
    assert response.status_code == 200 and response.context["cycle"] == latest.cycle
    assert "Overall service index" in page and "Against your charter" in page
    assert "target 3.75" in page and "95% CI" in page
    assert "Meets" in page or "Close" in page or "Below" in page  # status in words, not colour only
    assert "▲" in page  # IT's responsiveness rose significantly
    assert 'id="trend-data"' in page and "Q4 2025" in page  # the chart's data and its table
    assert "Fewer than 5 responses" in page  # legal / audit rows
    assert "Kind &lt;b&gt;people&lt;/b&gt;" in page and "Kind <b>people</b>" not in page  # comments, escaped
    assert "Fewer than 5 ratings: not shown." in page  # avail


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("colleague", 403), ("other_head", 403), ("employee", 403), ("head", 200), ("hr", 200)],
)
def test_a_scorecard_is_for_its_head_and_hr(as_, people, generated, who, status):
    response = as_(people.get(who)).get("/scorecards/it/")
    assert response.status_code == status


def test_wrong_departments_and_cycles_are_404(as_, people, generated, org_open_cycle):
    client = as_(people["head"])
    assert client.get("/scorecards/nowhere/").status_code == 404
    assert client.get("/scorecards/it/", {"cycle": "999"}).status_code == 404
    assert client.get("/scorecards/it/", {"cycle": "abc"}).status_code == 404
    assert client.get("/scorecards/it/", {"cycle": "1" * 5000}).status_code == 404
    assert not CycleResult.objects.filter(cycle=org_open_cycle).exists()


def test_an_open_cycle_says_when_its_results_appear_and_shows_no_figure(as_, people, generated, org_open_cycle):
    for who, url in (("head", "/scorecards/it/"), ("hr", "/scorecards/it/"), ("hr", "/hr/results/")):
        response = as_(people[who]).get(url, {"cycle": org_open_cycle.pk})

        page = text(response)
        assert response.status_code == 200 and "No results yet: the cycle is open until" in page
        assert "calculated once, when it closes" in page and "the results of Q1 2026" in page
        assert "card" not in response.context and "org" not in response.context  # nothing was computed
    assert not CycleResult.objects.filter(cycle=org_open_cycle).exists()


def test_a_draft_cycle_is_news_to_nobody_but_hr(as_, people, generated):
    draft = Cycle.objects.create(name="Next", opens_at=generated.cycle.opens_at, closes_at=generated.cycle.closes_at)

    assert as_(people["head"]).get("/scorecards/it/", {"cycle": draft.pk}).status_code == 404
    assert "the cycle is a draft" in text(as_(people["hr"]).get("/hr/results/", {"cycle": draft.pk}))


def test_recalculating_an_open_cycle_is_refused_in_words(as_, people, org_open_cycle):
    response = as_(people["hr"]).post(f"/hr/results/{org_open_cycle.pk}/recalculate/", follow=True)
    assert response.status_code == 200
    assert "calculated once, when the cycle closes" in response.content.decode()
    assert not CycleResult.objects.filter(cycle=org_open_cycle).exists()


@pytest.fixture
def org_open_cycle(departments):
    from django.utils import timezone

    from scorecards.services import cycle_aggregate

    now = timezone.now()
    cycle = Cycle.objects.create(name="Open", opens_at=now, closes_at=now + timezone.timedelta(days=7))
    cycle.departments.set([departments["it"]])
    survey_services.cycle_open(cycle_id=cycle.pk)
    cycle_aggregate(cycle_id=cycle.pk)
    return cycle


def test_suppressed_cells_show_a_label_never_a_figure(as_, people, generated):
    response = as_(people["other_head"]).get("/scorecards/fin/")
    page = text(response)
    cells = {c.rater_department.code: c for c in response.context["card"].cells}

    assert cells["ops"].suppressed and cells["ops"].complementary and cells["legal"].suppressed
    for code, label in (("ops", "Hidden so that a smaller group cannot be worked out"), ("legal", "Fewer than 5")):
        name = cells[code].rater_department.name
        row = re.search(rf'<th scope="row" class="fw-normal">{name}</th>(.*?)</tr>', page, re.S).group(1)
        words = re.sub(r"<[^>]+>", "", row)
        assert label in words
        assert not re.search(r"\d", words.replace("Fewer than 5", "")), words  # neither a mean nor an n


def test_comments_wait_for_the_comment_threshold(as_, people, generated):
    page = text(as_(people["hr"]).get("/scorecards/fac/"))
    assert "Comments are shown once at least 10 people have rated" in page
    assert "Helpful" not in page and "Answer emails" not in page


def test_hr_sees_the_organisation_ranked_the_heatmap_and_what_falls_below_target(as_, people, generated):
    response = as_(people["hr"]).get("/hr/results/")
    page = text(response)
    org = response.context["org"]

    means = [r.score.mean for r in org.ranking if not r.score.suppressed]
    assert means == sorted(means, reverse=True)
    assert org.ranking[-1].score.department.code == "tiny" and org.ranking[-1].score.suppressed
    assert "Who serves whom" in page and "hidden" in page and "&lt;&nbsp;5" in page
    assert all(p.gap < 0 for p in org.below_target)
    assert [p.gap for p in org.below_target] == sorted(p.gap for p in org.below_target)


@pytest.mark.parametrize("who", ["head", "employee", "colleague"])
def test_the_organisation_page_is_for_hr_only(as_, people, generated, who):
    assert as_(people[who]).get("/hr/results/").status_code == 403


def test_an_empty_results_page_says_what_will_appear(as_, people):
    page = text(as_(people["hr"]).get("/hr/results/"))
    assert "No results yet." in page
    page = text(as_(people["head"]).get("/scorecards/it/"))
    assert "Your scorecard appears here when the first survey cycle closes" in page


def test_published_scores_appear_on_the_charter_page_without_comments(as_, people, generated):
    client = as_(people["employee"])
    assert "Published results ·" not in text(client.get("/departments/it/"))

    survey_services.cycle_publish(cycle=generated.cycle)
    page = text(client.get("/departments/it/"))

    assert "Published results · Q1 2026" in page and "overall service index" in page
    assert "not shown (fewer than 5 ratings)" in page  # avail
    assert "Helpful" not in page and "Answer emails" not in page
    assert "Full scorecard" not in page  # the employee reads the charter, not the scorecard
    assert "Too few responses to show results for Tiny" in text(client.get("/departments/tiny/"))


def test_the_head_home_summarises_the_latest_scorecard(as_, people, generated):
    page = text(as_(people["head"]).get("/my/department/"))
    assert "Open the scorecard" in page and "overall service index" in page


def test_hr_can_recalculate_a_cycle(as_, people, generated):
    response = as_(people["hr"]).post(f"/hr/results/{generated.cycle.pk}/recalculate/", follow=True)
    assert "are being recalculated" in text(response)
    assert generated.cycle.result.__class__.objects.get(cycle=generated.cycle).runs == 2
    assert as_(people["head"]).post(f"/hr/results/{generated.cycle.pk}/recalculate/").status_code == 403
    assert as_(people["hr"]).get(f"/hr/results/{generated.cycle.pk}/recalculate/").status_code == 405


# --- exports ----------------------------------------------------------------------------------


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text(response))))


def test_hr_downloads_every_department_and_a_head_only_their_own(as_, people, generated):
    url = f"/results/{generated.cycle.pk}/scores.csv"
    everything = read_csv(as_(people["hr"]).get(url))
    own = read_csv(as_(people["head"]).get(url))
    heatmap_own = read_csv(as_(people["head"]).get(f"/results/{generated.cycle.pk}/heatmap.csv"))

    assert {row["provider_department"] for row in everything} == {"it", "fin", "fac", "tiny"}
    assert {row["provider_department"] for row in own} == {"it"}
    assert {row["provider_department"] for row in heatmap_own} == {"it"}
    for who in ("employee", "colleague"):
        assert as_(people[who]).get(url).status_code == 403
    assert as_(None).get(url).status_code == 302
    assert as_(people["hr"]).get("/results/999/scores.csv").status_code == 404


def test_exports_leave_suppressed_figures_empty(as_, people, generated):
    rows = read_csv(as_(people["hr"]).get(f"/results/{generated.cycle.pk}/scores.csv"))
    avail = next(r for r in rows if (r["provider_department"], r["parameter"]) == ("it", "avail"))
    assert avail["suppressed"] == "true" and avail["n"] == "4"
    assert [avail[c] for c in ("mean", "stdev", "top_box_pct", "target", "gap", "ci_low", "ci_high")] == [""] * 7
    cells = read_csv(as_(people["hr"]).get(f"/results/{generated.cycle.pk}/heatmap.csv"))
    assert all(c["mean"] == "" for c in cells if c["suppressed"] == "true")


def test_the_excel_download_has_both_sheets_with_numbers(as_, people, generated):
    response = as_(people["hr"]).get(f"/results/{generated.cycle.pk}/results.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["scores", "heatmap"]
    scores = list(workbook["scores"].values)
    assert scores[0][:3] == ("provider_department", "parameter", "n")
    fin_acc = next(row for row in scores if row[:2] == ("fin", "acc"))
    assert isinstance(fin_acc[3], float) and isinstance(fin_acc[2], int)


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)", "\tx"])
def test_spreadsheet_formulas_are_neutralised(value):
    assert cell_from_text(value) == "'" + value
    assert text_from_cell(cell_from_text(value)) == value
    assert cell_from_text("IT") == "IT"


# --- bounded queries --------------------------------------------------------------------------


def grow(departments, size: int) -> None:
    """More departments, raters and cycles: pages must not run more queries for them."""
    if size == 1:
        generate("Q1 2026", seed=1)
        return
    extra = {f"p{i}": [(f"x{j}", "1", "4.00") for j in range(5)] for i in range(8)}
    raters = [f"r{i}" for i in range(12)]
    make_org(providers=extra, raters=raters)
    charters = dict(extra)
    from tests.factories import CHARTERS

    charters.update(CHARTERS)
    plan = dict(PLAN) | {(p, r): 6 for p in extra for r in raters[:6]}
    for index, month in enumerate((1, 4, 7)):
        generate(f"Q{index + 1} 2026", seed=index, plan=plan, charters=charters, opens=date(2026, month, 5))
    ServiceParameterFactory(department=departments["it"], code="new", name="New")


@pytest.mark.parametrize("size", [1, 3])
@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("head", "/scorecards/it/"),
        ("hr", "/scorecards/it/"),
        ("hr", "/hr/results/"),
        ("head", "/my/department/"),
        ("employee", "/departments/it/"),
        ("hr", "/results/{cycle}/scores.csv"),
        ("hr", "/results/{cycle}/results.xlsx"),
    ],
)
def test_result_pages_run_a_bounded_number_of_queries(
    as_, people, departments, django_assert_max_num_queries, size, who, url
):
    grow(departments, size)
    cycle = Cycle.objects.order_by("-opens_at").first()
    survey_services.cycle_publish(cycle=cycle)
    client = as_(people[who])

    # Incl. the session touch on the first request. The scorecard and the charter page also read
    # the department's plan: against the results, with its commitments and what it did; the
    # scorecard also its concerns' figures (counts, and the durations the median comes from).
    # Both also read the department's awards (one query each: the charter's standing ones, the
    # cycle's) and its thank-you notes (the charter's recent ones; the scorecard's counts per parameter).
    # The scorecard also reads, every time, its charter, the perceived figures, KPIs and audits beside
    # them (scorecards/measured.py; each of those a constant number, tested in their own apps).
    bound = {"/departments/": 20, "/scorecards/": 26}.get(url[: url.index("/", 1) + 1], 17)
    with django_assert_max_num_queries(bound):
        assert client.get(url.format(cycle=cycle.pk)).status_code == 200


def test_my_surveys_shows_the_published_results_of_the_departments_an_employee_rates(as_, people, generated):
    from departments.models import Dependency

    Dependency.objects.create(consumer=people["employee"].department, provider=people["head"].department)
    Dependency.objects.create(
        consumer=people["employee"].department, provider=generated.cycle.departments.get(code="tiny")
    )
    client = as_(people["employee"])
    assert "Their published results" not in text(client.get("/my/surveys/"))

    survey_services.cycle_publish(cycle=generated.cycle)
    page = text(client.get("/my/surveys/"))

    assert "Their published results · Q1 2026" in page
    assert "Not shown: too few responses" in page  # tiny


def test_a_wide_heatmap_is_shown_a_page_of_departments_at_a_time(as_, people, generated, monkeypatch):
    from scorecards import reports

    monkeypatch.setattr(reports, "HEATMAP_COLUMNS", 2)
    client = as_(people["hr"])

    first = client.get("/hr/results/").context["org"]
    second = client.get("/hr/results/", {"cols": "2"}).context["org"]
    beyond = client.get("/hr/results/", {"cols": "99"}).context["org"]

    names = [d.name for d in first.departments + second.departments]
    assert names == sorted(names) and len(names) == 4 and len(first.departments) == 2
    assert [number for number, *_ in first.column_pages] == [1, 2]
    assert beyond.columns_page == 2  # clamped
    assert client.get("/hr/results/", {"cols": "abc"}).status_code == 200


def test_a_scorecard_kept_in_memory_still_says_when_its_cycle_is_published(as_, people, generated):
    client = as_(people["head"])
    assert "not yet published" in text(client.get("/scorecards/it/"))

    survey_services.cycle_publish(cycle=generated.cycle)
    page = text(client.get("/scorecards/it/"))

    assert "published to every employee" in page and "not yet published" not in page


def test_results_kept_in_memory_follow_a_recalculation(as_, people, generated):
    client = as_(people["hr"])
    first = client.get("/hr/results/")
    assert first.context["org"].ranking  # rendered, and kept

    from scorecards.models import CycleResult
    from scorecards.services import cycle_aggregate

    CycleResult.objects.filter(cycle=generated.cycle).update(computed_at=None)
    cycle_aggregate(cycle_id=generated.cycle.pk)  # new figures, newly computed
    again = client.get("/hr/results/")

    assert again.context["version"] != first.context["version"]
