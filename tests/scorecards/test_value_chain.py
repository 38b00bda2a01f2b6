"""The value chain map: its data (stored figures only, suppressed ones without a number), its page,
its text version, and the charter's "Whom we ultimately serve"."""

from __future__ import annotations

import json
import re
from itertools import pairwise

import pytest
from django.urls import reverse

from departments.models import Dependency
from scorecards.models import DepartmentScore, HeatmapCell
from scorecards.value_chain import NOT_ENOUGH, chain_map
from surveys import services as survey_services
from tests.factories import DepartmentFactory, DependencyFactory, make_cycle

DATA = reverse("scorecards:value_chain_data")
PAGE = reverse("scorecards:value_chain")
TABLE = reverse("scorecards:value_chain_table")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def chain(departments, generated):
    """Who serves whom in the generated organisation (tests/factories.py PLAN): IT serves Sales
    (30 responses, shown) and Legal (3: suppressed); Finance serves Ops (6: hidden so that Legal's 2
    cannot be worked out); Facilities serves Sales (7, shown); tiny serves HR (3: everything
    suppressed); IT serves Facilities, which rated nobody. Sales is front line."""
    d = departments
    d["sales"].front_line = True
    d["sales"].save()
    for provider, consumer in [
        ("it", "sales"),
        ("it", "legal"),
        ("fin", "ops"),
        ("fac", "sales"),
        ("tiny", "hr"),
        ("it", "fac"),
    ]:
        DependencyFactory(provider=d[provider], consumer=d[consumer])
    return generated.cycle


def by_id(items: list[dict]) -> dict[str, dict]:
    return {item["id"]: item for item in items}


def test_the_data_has_every_active_department_and_every_arrow_from_provider_to_consumer(
    as_, people, departments, chain
):
    DepartmentFactory(code="gone", name="Gone", active=False)
    DependencyFactory(provider=departments["it"], consumer=DepartmentFactory(code="old", name="Old", active=False))
    data = as_(people["hr"]).get(DATA).json()
    assert set(by_id(data["nodes"])) == set(departments)
    assert by_id(data["nodes"])["sales"]["front_line"] is True
    assert by_id(data["nodes"])["it"]["front_line"] is False
    assert by_id(data["nodes"])["it"]["url"] == "/departments/it/"
    edges = by_id(data["edges"])
    assert set(edges) == {"it->sales", "it->legal", "fin->ops", "fac->sales", "tiny->hr", "it->fac"}
    assert (edges["it->sales"]["source"], edges["it->sales"]["target"]) == ("it", "sales")
    assert data["cycle"]["id"] == chain.pk


def test_arrows_carry_the_consumers_stored_rating_of_the_provider_as_hr_sees_it(as_, people, departments, chain):
    data = as_(people["hr"]).get(DATA).json()
    rating = by_id(data["edges"])["it->sales"]["rating"]
    cell = HeatmapCell.objects.get(cycle=chain, department=departments["it"], rater_department=departments["sales"])
    target = DepartmentScore.objects.get(cycle=chain, department=departments["it"]).target
    assert rating["shown"] is True
    assert rating["mean"] == float(f"{cell.mean:.1f}")
    assert rating["target"] == float(target)
    assert "n" not in rating  # nor on any figure: see test_measured_attacks (n by subtraction)
    assert rating["status"] in {"meets", "close", "below"} and rating["status_label"]
    # HR's heatmap prints the same figure for the same pair.
    heatmap = text(as_(people["hr"]).get(reverse("scorecards:organisation")))
    assert f"{cell.mean:.1f}" in heatmap


def test_suppressed_figures_carry_no_number_only_not_enough_responses(as_, people, departments, chain):
    assert HeatmapCell.objects.get(
        cycle=chain, department=departments["it"], rater_department=departments["legal"]
    ).suppressed
    ops = HeatmapCell.objects.get(cycle=chain, department=departments["fin"], rater_department=departments["ops"])
    assert ops.suppressed and ops.complementary and ops.n == 6
    body = as_(people["hr"]).get(DATA).json()
    edges, nodes = by_id(body["edges"]), by_id(body["nodes"])
    for rating in (edges["it->legal"]["rating"], edges["fin->ops"]["rating"], edges["tiny->hr"]["rating"]):
        assert rating == {"shown": False, "note": NOT_ENOUGH}
        assert not re.search(r"\d", json.dumps(rating))
    assert nodes["tiny"]["index"] == {"shown": False, "note": NOT_ENOUGH}
    # A pair without ratings reads as a suppressed one: the difference would count raters.
    assert edges["it->fac"]["rating"] == {"shown": False, "note": NOT_ENOUGH}
    assert nodes["legal"]["index"] == {"shown": False, "note": "not rated in this cycle"}
    assert nodes["it"]["index"]["shown"] is True


def test_employees_see_figures_only_once_the_cycle_is_published(as_, people, chain):
    client = as_(people["employee"])
    data = client.get(DATA).json()
    assert data["cycle"] is None
    assert all(node["index"] is None for node in data["nodes"])
    assert all(edge["rating"] is None for edge in data["edges"])
    assert "No results to show yet" in text(client.get(PAGE))
    survey_services.cycle_publish(cycle=chain)
    data = client.get(DATA).json()
    assert data["cycle"]["id"] == chain.pk
    assert by_id(data["edges"])["it->sales"]["rating"]["shown"] is True


def test_a_department_opens_the_scorecard_for_hr_and_its_head_and_the_charter_for_others(as_, people, chain):
    survey_services.cycle_publish(cycle=chain)
    hr_nodes = by_id(as_(people["hr"]).get(DATA).json()["nodes"])
    assert hr_nodes["fin"]["scorecard_url"] == "/scorecards/fin/"
    head_nodes = by_id(as_(people["head"]).get(DATA).json()["nodes"])
    assert head_nodes["it"]["scorecard_url"] == "/scorecards/it/"
    assert "scorecard_url" not in head_nodes["fin"]
    employee_nodes = by_id(as_(people["employee"]).get(DATA).json()["nodes"])
    assert not any("scorecard_url" in node for node in employee_nodes.values())


def test_a_cycle_that_is_not_theirs_to_read_is_404(as_, people, chain):
    assert as_(people["employee"]).get(DATA, {"cycle": chain.pk}).status_code == 404  # not yet published
    assert as_(people["hr"]).get(DATA, {"cycle": chain.pk}).status_code == 200
    for url in (DATA, PAGE, TABLE):
        assert as_(people["hr"]).get(url, {"cycle": "999999"}).status_code == 404
        assert as_(people["hr"]).get(url, {"cycle": "²"}).status_code == 404


def test_every_member_may_open_the_map_and_anonymous_visitors_sign_in_first(as_, people, chain):
    for url in (PAGE, DATA, TABLE):
        assert as_(None).get(url).status_code == 302
        assert as_(people["employee"]).get(url).status_code == 200


def grow(size: int) -> None:
    """`size` more departments, each serving the next, the last ones in the cycle's figures' way."""
    made = [DepartmentFactory(code=f"grow{size}-{i}", name=f"Grown {size} {i}") for i in range(size)]
    for provider, consumer in pairwise(made):
        DependencyFactory(provider=provider, consumer=consumer)


@pytest.mark.parametrize("size", [2, 40])
def test_the_data_is_one_query_whatever_the_size(as_, people, chain, django_assert_num_queries, size):
    grow(size)
    client = as_(people["hr"])
    client.get(DATA)  # the session's first touch
    # The session, the user, their roles, the cycles they may read; then the whole map.
    with django_assert_num_queries(5):
        assert len(client.get(DATA).json()["nodes"]) == 9 + size
    with django_assert_num_queries(1):
        assert len(chain_map(chain).edges) == 6 + size - 1


@pytest.mark.parametrize("size", [2, 40])
def test_the_page_and_the_table_run_a_constant_number_of_queries(as_, people, chain, django_assert_num_queries, size):
    grow(size)
    client = as_(people["head"])
    client.get(PAGE)
    with django_assert_num_queries(5):  # session, user, roles, cycles, departments
        assert client.get(PAGE).status_code == 200
    with django_assert_num_queries(5):  # session, user, roles, cycles, the map
        assert client.get(TABLE).status_code == 200


def test_the_page_offers_search_focus_and_the_text_version_without_the_picture(as_, people, chain):
    page = text(as_(people["hr"]).get(PAGE, {"focus": "fin"}))
    assert 'id="vc-search"' in page
    assert '<option value="fin" selected>FIN</option>' in page
    assert "Focused on" in page and 'href="/departments/fin/"' in page
    assert TABLE in page
    assert 'aria-label="Map of 9 departments' in page
    assert 'aria-live="polite"' in page


def test_an_unknown_department_to_focus_on_is_ignored_with_a_message(as_, people, chain):
    response = as_(people["hr"]).get(PAGE, {"focus": "nope"})
    assert response.status_code == 200
    assert "is not valid, so it was ignored" in text(response)
    assert "Focused on" not in text(response)


def test_the_text_version_lists_who_serves_whom_grouped_by_provider_with_the_same_figures(
    as_, people, departments, chain
):
    page = text(as_(people["hr"]).get(TABLE))
    cell = HeatmapCell.objects.get(cycle=chain, department=departments["it"], rater_department=departments["sales"])
    assert "<caption" in page and 'scope="rowgroup"' in page
    it_group = page[page.index('href="/departments/it/">IT</a>') :]
    it_group = it_group[: it_group.index("</tbody>")]
    assert f"<strong>{cell.mean:.1f}</strong>" in it_group
    assert "Legal" in it_group and NOT_ENOUGH in it_group
    assert "FAC" in it_group and "no ratings" not in it_group
    fin_group = page[page.index('href="/departments/fin/">FIN</a>') :]
    fin_group = fin_group[: fin_group.index("</tbody>")]
    assert NOT_ENOUGH in fin_group and ">6<" not in fin_group
    assert "data-print" in page


def test_the_text_version_is_paginated(as_, people, chain):
    grow(60)
    client = as_(people["hr"])
    first = text(client.get(TABLE))
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in text(client.get(TABLE, {"page": "2"}))
    assert "is not valid, so it was ignored" in text(client.get(TABLE, {"page": "x"}))


def test_the_text_version_without_dependencies_says_who_adds_them(as_, people):
    Dependency.objects.all().delete()
    assert "HR records who serves whom" in text(as_(people["hr"]).get(TABLE))


def test_the_directory_links_to_the_map(as_, people):
    assert f'href="{PAGE}">Value chain map</a>' in text(as_(people["employee"]).get(reverse("departments:directory")))


# --- the charter page: whom a department ultimately serves -------------------------------------------


def test_the_charter_shows_each_front_line_department_reached_with_its_shortest_chain(login, org):
    ops = DepartmentFactory(code="ops", name="Operations")
    shop = DepartmentFactory(code="shop", name="Shop", front_line=True)
    DependencyFactory(provider=org.it, consumer=ops)
    DependencyFactory(provider=ops, consumer=shop)
    page = text(login(org.outsider).get(org.it.get_absolute_url()))
    section = page[page.index("Whom we ultimately serve") :]
    section = section[: section.index("</section>")]
    assert '<a href="/departments/sales/">Sales</a>' in section
    assert "(directly)" in section
    assert '<a href="/departments/shop/">Shop</a>' in section and "through 1 department" in section
    shown = re.sub(r"<[^>]+>", "", re.sub(r'<span class="visually-hidden">[^<]*</span>', "", section))
    assert re.search(r"IT\s*→\s*Operations\s*→\s*Shop", shown)
    heard = re.sub(r"<[^>]+>", "", re.sub(r'<span aria-hidden="true">[^<]*</span>', "", section))
    assert re.search(r"IT\s*, which serves Operations\s*, which serves Shop", heard)


def test_a_department_serving_no_front_line_department_says_so(login, org):
    page = text(login(org.outsider).get(org.hr_dept.get_absolute_url()))
    assert "No front-line department depends on Human Resources, directly or through others." in page


def test_a_front_line_department_serves_external_customers_directly(login, org):
    page = text(login(org.outsider).get(org.sales.get_absolute_url()))
    assert "Sales serves external customers directly." in page
    assert "No front-line department depends on" not in page


def test_no_cycle_yet_leaves_the_map_grey_with_a_note(as_, people, departments):
    make_cycle(type("Org", (), {"it": departments["it"], "sales": departments["sales"]}), status="draft")
    client = as_(people["hr"])
    assert "No results to show yet" in text(client.get(PAGE))
    assert client.get(DATA).json()["cycle"] is None
