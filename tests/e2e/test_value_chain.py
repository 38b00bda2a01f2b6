"""An employee finds a department on the value chain map, focuses on it, reads an arrow's figures
and opens a department's charter from the map."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from surveys import services as survey_services
from tests.e2e.test_sign_in_and_charter import sign_in
from tests.factories import DependencyFactory, EmployeeFactory, generate, make_org


def world():
    departments = make_org()
    departments["sales"].front_line = True
    departments["sales"].save()
    for provider, consumer in [("it", "sales"), ("it", "legal"), ("fin", "ops"), ("fac", "sales"), ("ops", "sales")]:
        DependencyFactory(provider=departments[provider], consumer=departments[consumer])
    survey_services.cycle_publish(cycle=generate("Q1 2026", seed=1).cycle)
    EmployeeFactory(department=departments["sales"], user__email="sales@example.com")
    return departments


def click_on_map(page, selector_js: str) -> None:
    """Click the middle of a node or an arrow of the map (cytoscape draws on a canvas)."""
    box = page.locator("#value-chain").bounding_box()
    point = page.evaluate(
        f"""() => {{
            const e = window.valueChainMap.getElementById({selector_js});
            return e.isNode() ? e.renderedPosition() : e.renderedMidpoint();
        }}"""
    )
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_an_employee_searches_focuses_reads_an_arrow_and_opens_a_charter_from_the_map(page):
    world()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "sales@example.com")
    page.goto("/departments/")
    page.get_by_role("link", name="Value chain map").click()
    expect(page.get_by_role("heading", name="Value chain map")).to_be_visible()
    page.wait_for_function("() => window.valueChainMap && window.valueChainMap.nodes().length === 9")
    expect(page.get_by_role("img", name=re.compile("Map of 9 departments"))).to_be_visible()

    # Search: the match is listed (a link and a Focus button), the rest fade.
    page.get_by_label("Find a department", exact=True).fill("fin")
    expect(page.get_by_text("1 department matches.")).to_be_visible()
    assert page.evaluate("() => window.valueChainMap.getElementById('fin').hasClass('matched')")
    page.get_by_role("button", name="Focus on FIN").click()
    expect(page).to_have_url(re.compile(r"focus=fin"))
    visible = page.evaluate("() => window.valueChainMap.nodes(':visible').map(n => n.id()).sort()")
    assert visible == ["fin", "ops", "sales"]  # FIN serves OPS serves Sales; IT is three steps away

    # The keyboard alternative: the "focus on" list, then back to all.
    page.get_by_label("Focus on a department and its neighbours").select_option(label="IT")
    page.get_by_role("button", name="Focus", exact=True).click()
    expect(page.get_by_text(re.compile(r"Showing IT and the \d+ departments within two steps"))).to_be_visible()
    page.get_by_role("link", name="Show all").click()
    expect(page.get_by_text("Showing all 9 departments.")).to_be_visible()

    # An arrow: the pair's figures in the side panel.
    click_on_map(page, "'it->sales'")
    panel = page.locator("#vc-panel")
    expect(panel.get_by_role("heading", name="IT → Sales")).to_be_visible()
    expect(panel).to_contain_text(
        re.compile(r"Sales’s rating of IT\s*\d\.\d against target \d\.\d — (Meets|Close|Below)")
    )
    expect(panel).to_contain_text("IT’s overall index")
    # A suppressed one says so, without a figure.
    click_on_map(page, "'it->legal'")
    expect(panel.get_by_role("heading", name="IT → Legal")).to_be_visible()
    expect(panel).to_contain_text("Legal’s rating of ITnot enough responses")

    # A department: its charter.
    click_on_map(page, "'fin'")
    expect(page).to_have_url(re.compile(r"/departments/fin/$"))
    expect(page.get_by_role("heading", name="FIN service charter")).to_be_visible()
    expect(page.get_by_role("heading", name="Whom we ultimately serve")).to_be_visible()
    expect(page.locator("#reach")).to_contain_text(re.compile(r"FIN.*OPS.*Sales"))


def test_the_text_version_reads_without_the_map(page):
    world()
    sign_in(page, "sales@example.com")
    page.goto("/value-chain/")
    page.get_by_role("link", name="Text version (table)").click()
    expect(page.get_by_role("heading", name="Who serves whom")).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile(r"^IT"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"Legal.*not enough responses"))).to_be_visible()
