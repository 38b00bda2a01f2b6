"""The top bar (templates/base.html) marks the page a person is on, for screen readers (aria-current)
as well as by sight, including on the pages that are reached from another: the survey, a charter's edit."""

from __future__ import annotations

import re

import pytest


def marked_current(response) -> list[str]:
    """The top bar's links marked as the current page ("Organisation › People" inside its menu).

    A link that looks current (bold, underlined: `active`) must say so, and the other way round.
    """
    html = response.content.decode()
    nav = html[html.index('id="main-nav"') : html.index("</nav>")]
    menu_of = {  # a menu's item -> the menu's name
        item: menu
        for menu, items in re.findall(
            r'dropdown-toggle[^>]*>([^<]+)</a>\s*<ul class="dropdown-menu">(.*?)</ul>', nav, re.S
        )
        for item in re.findall(r'class="dropdown-item"[^>]*>([^<]+)</a>', items)
    }
    marked = []
    for attributes, text in re.findall(r"<a ([^>]*)>([^<]+)</a>", nav):
        classes = re.search(r'class="([^"]*)"', attributes).group(1).split()
        current = 'aria-current="page"' in attributes
        if "nav-link" in classes and "dropdown-toggle" not in classes:
            assert ("active" in classes) == current, f"{text}: {attributes}"
        if current:
            marked.append(f"{menu_of[text]} › {text}" if "dropdown-item" in classes else text)
    return marked


def test_the_survey_page_is_under_my_surveys(login, org, open_cycle):
    response = login(org.outsider).get(f"/surveys/{open_cycle.pk}/")
    assert response.status_code == 200
    assert marked_current(response) == ["My surveys"]


def test_a_head_editing_their_charter_is_in_my_department(login, org):
    response = login(org.head).get(f"/departments/{org.it.code}/charter/")
    assert response.status_code == 200
    assert marked_current(response) == ["My department"]


@pytest.mark.parametrize("page", ["", "actions/"])
def test_a_head_reading_their_scorecard_or_action_plan_is_in_my_department(login, org, page):
    response = login(org.head).get(f"/scorecards/{org.it.code}/{page}")
    assert response.status_code == 200
    assert marked_current(response) == ["My department"]


@pytest.mark.parametrize("page", ["charter/", "dependencies/", "edit/"])
def test_hr_editing_a_department_is_in_the_organisation_menu(login, org, page):
    client = login(org.hr)
    response = client.get(f"/departments/{org.it.code}/{page}")
    assert response.status_code == 200
    assert marked_current(response) == ["Organisation › Manage departments"]
    assert re.search(r'class="nav-link dropdown-toggle active"[^>]*>Organisation<', response.content.decode())


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/hr/", "Dashboard"),
        ("/hr/cycles/", "Cycles"),
        ("/hr/results/", "Results"),
        ("/hr/action-plans/", "Follow-up › Action plans"),
        ("/scorecards/it/actions/", "Follow-up › Action plans"),
        ("/departments/", "Departments"),
        ("/hr/people/", "Organisation › People"),
        ("/hr/import/", "Organisation › Import CSV"),
    ],
)
def test_each_hr_page_marks_one_link_of_the_top_bar(login, org, path, current):
    response = login(org.hr).get(path)
    assert response.status_code == 200
    assert marked_current(response) == [current]
