"""A department head opens their scorecard: the chart is drawn, its data table can be shown."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from tests.e2e.test_sign_in_and_charter import sign_in
from tests.factories import EmployeeFactory, generate, make_org


def test_a_head_reads_the_scorecard_chart_and_its_table(page):
    departments = make_org()
    head = EmployeeFactory(department=departments["it"], user__email="it.head@example.com")
    departments["it"].head = head
    departments["it"].save()
    generate("Q4 2025", seed=1, opens=date(2025, 10, 6))
    generate("Q1 2026", seed=2, shift={("it", "resp"): 1.2})

    sign_in(page, "it.head@example.com")
    page.get_by_role("link", name="Open the scorecard").click()

    expect(page.get_by_role("heading", name="Against your charter")).to_be_visible()
    expect(page.get_by_text("Fewer than 5 responses").first).to_be_visible()
    canvas = page.locator("#trend-chart")
    expect(canvas).to_be_visible()
    assert page.evaluate("() => Chart.getChart('trend-chart').data.datasets.length") == 4  # index + 3 parameters
    table = page.locator("#trend-table")
    expect(table).to_have_class("table-responsive visually-hidden mt-2 print-show")
    page.get_by_role("button", name="Show the figures as a table").click()
    expect(table.get_by_role("rowheader", name="Overall index")).to_be_visible()
    expect(page.get_by_role("region", name="Trend figures")).to_have_attribute("tabindex", "0")  # reachable by Tab
    page.get_by_label("Cycle", exact=True).select_option(label="Q4 2025 (not yet published)")  # submits on change
    expect(page).to_have_url(re.compile(r"\?cycle=\d+$"))
    expect(page.get_by_text("The trend appears once two cycles have results.")).to_be_visible()
