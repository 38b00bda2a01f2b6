"""Whom a department ultimately serves: the front-line departments it reaches along who serves whom."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.db import IntegrityError, transaction

from departments.chain import chain_of, front_line_reach, shortest_paths
from tests.factories import DepartmentFactory, DependencyFactory


def chain(*codes: str, front_line: tuple[str, ...] = ()):
    """Departments named by code (name = code upper-cased), each serving the next."""
    departments = {
        code: DepartmentFactory(code=code, name=code.upper(), front_line=code in front_line) for code in codes
    }
    for provider, consumer in pairwise(codes):
        DependencyFactory(provider=departments[provider], consumer=departments[consumer])
    return departments


def paths(department) -> dict[str, list[str]]:
    return {r.front_line.code: [d.code for d in r.path] for r in front_line_reach(department)}


@pytest.mark.django_db
def test_a_department_serving_a_front_line_department_directly_reaches_it():
    d = chain("it", "sales", front_line=("sales",))
    assert paths(d["it"]) == {"sales": ["it", "sales"]}
    assert front_line_reach(d["it"])[0].through == []


@pytest.mark.django_db
def test_a_department_reaches_the_front_line_through_others():
    d = chain("it", "fin", "ops", "sales", front_line=("sales",))
    assert paths(d["it"]) == {"sales": ["it", "fin", "ops", "sales"]}
    assert [x.code for x in front_line_reach(d["it"])[0].through] == ["fin", "ops"]


@pytest.mark.django_db
def test_the_shortest_of_several_paths_is_shown():
    d = chain("it", "fin", "ops", "sales", front_line=("sales",))
    DependencyFactory(provider=d["fin"], consumer=d["sales"])  # a shortcut: it → fin → sales
    assert paths(d["it"]) == {"sales": ["it", "fin", "sales"]}


@pytest.mark.django_db
def test_every_front_line_department_reached_is_listed_nearest_first():
    d = chain("it", "fin", "sales", front_line=("sales",))
    support = DepartmentFactory(code="support", name="SUPPORT", front_line=True)
    DependencyFactory(provider=d["it"], consumer=support)
    assert [r.front_line.code for r in front_line_reach(d["it"])] == ["support", "sales"]


@pytest.mark.django_db
def test_departments_that_are_not_front_line_are_not_listed():
    d = chain("it", "fin", "ops")
    assert paths(d["it"]) == {}


@pytest.mark.django_db
def test_a_cycle_of_dependencies_does_not_break_the_search():
    d = chain("a", "b", "sales", front_line=("sales",))
    DependencyFactory(provider=d["b"], consumer=d["a"])  # a serves b serves a
    assert paths(d["a"]) == {"sales": ["a", "b", "sales"]}
    assert paths(d["b"]) == {"sales": ["b", "sales"]}


@pytest.mark.django_db
def test_a_cycle_without_a_way_out_reaches_nothing():
    d = chain("a", "b")
    DependencyFactory(provider=d["b"], consumer=d["a"])
    assert paths(d["a"]) == {}


@pytest.mark.django_db
def test_a_department_cannot_serve_itself():
    it = DepartmentFactory(code="it", front_line=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        DependencyFactory(provider=it, consumer=it)


@pytest.mark.django_db
def test_a_front_line_department_does_not_list_itself_but_other_front_line_departments_it_serves():
    d = chain("sales", "shop", front_line=("sales", "shop"))
    assert paths(d["sales"]) == {"shop": ["sales", "shop"]}
    assert paths(d["shop"]) == {}


@pytest.mark.django_db
def test_inactive_departments_are_skipped_on_the_way_and_at_the_end():
    d = chain("it", "fin", "sales", front_line=("sales",))
    d["fin"].active = False
    d["fin"].save()
    assert paths(d["it"]) == {}
    d["fin"].active = True
    d["fin"].save()
    d["sales"].active = False
    d["sales"].save()
    assert paths(d["it"]) == {}


@pytest.mark.django_db
def test_an_inactive_department_reaches_nothing():
    d = chain("it", "sales", front_line=("sales",))
    d["it"].active = False
    d["it"].save()
    assert paths(d["it"]) == {}


@pytest.mark.django_db
def test_the_reach_is_one_query_whatever_the_size(django_assert_num_queries):
    d = chain(*[f"d{i}" for i in range(30)], "sales", front_line=("sales",))
    with django_assert_num_queries(1):
        assert len(front_line_reach(d["d0"])[0].path) == 31


def test_the_search_itself_is_a_breadth_first_walk_over_plain_ids():
    consumers = {1: [2, 3], 2: [4], 3: [4], 4: [1, 5], 5: []}
    assert shortest_paths(1, consumers, {4, 5, 1}) == {4: [1, 2, 4], 5: [1, 2, 4, 5]}
    assert shortest_paths(5, consumers, {1}) == {}


@pytest.mark.django_db
def test_the_charter_chain_lists_whom_a_department_serves_and_depends_on_in_one_query(django_assert_num_queries):
    d = chain("it", "fin", "sales", front_line=("sales",))
    d["fin"].active = False
    d["fin"].save()
    old = DepartmentFactory(code="old", name="OLD", active=False)
    DependencyFactory(provider=d["it"], consumer=old)
    with django_assert_num_queries(1):
        it = chain_of(d["it"])
    assert (it.providers, it.reach) == ([], [])
    assert [c.code for c in it.consumers] == []  # both of its consumers are inactive
    with django_assert_num_queries(1):
        fin = chain_of(d["fin"])  # an inactive department's page (HR) still shows its active partners
    assert [p.code for p in fin.providers] == ["it"]
    assert [c.code for c in fin.consumers] == ["sales"]
    assert fin.reach == []
