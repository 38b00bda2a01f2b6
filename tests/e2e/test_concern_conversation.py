"""An anonymous concern's conversation in the browser, from both sides: the raiser on a phone keeps
the receipt code in the browser and comes back with it; the head answers on a desktop; the daily
release (called here) carries the raiser's writes across."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from concerns import services
from concerns.models import Concern
from tests.e2e.test_sign_in_and_charter import sign_in


@pytest.fixture
def head_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def open_kept_code(page) -> None:
    page.goto("/concerns/mine/")
    page.get_by_role("button", name="Open: IT").click()


def test_an_anonymous_concern_is_answered_reopened_once_and_rated(page, head_page, org, settings):
    settings.CONCERNS_RELEASE_AT_ONCE = False
    sign_in(page, "outsider@example.com")
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("link", name="My concerns").click()
    page.get_by_role("link", name="Raise a concern").click()
    page.get_by_role("combobox", name="Department").select_option(label="IT")
    page.get_by_label("Which part of its charter").select_option(label="Responsiveness")
    page.get_by_label("Subject").fill("Laptop requests wait a week")
    page.get_by_label("What happened").fill("I asked on 3 November and heard nothing.")
    expect(page.get_by_label("Anonymous: the department never learns who raised it")).to_be_checked()
    page.get_by_role("button", name="Send the concern").click()
    expect(page.get_by_role("heading", name="Your concern is sealed")).to_be_visible()
    code = page.locator("#receipt-code").inner_text()
    assert len(code.replace("-", "")) == 20
    page.get_by_role("button", name="Keep it in this browser").click()
    expect(page.get_by_text("Kept in this browser")).to_be_visible()

    services.anonymous_release()  # the daily release

    sign_in(head_page, "head@example.com")
    head_page.goto("/departments/it/concerns/")
    head_page.get_by_role("link", name="Laptop requests wait a week").click()
    expect(head_page.get_by_text("Raised anonymously: nobody, HR included, can tell who raised it.")).to_be_visible()
    expect(head_page.get_by_text(org.outsider.full_name)).to_have_count(0)
    head_page.get_by_label("Your message").fill("Which model did you ask for?")
    head_page.get_by_role("button", name="Send", exact=True).click()
    expect(head_page.get_by_text("Your message was sent.")).to_be_visible()
    head_page.get_by_label("Your answer").fill("Ordered on Monday; it arrives on Friday.")
    head_page.get_by_role("button", name="Answer and close").click()
    expect(head_page.get_by_text("Answered and closed.")).to_be_visible()

    open_kept_code(page)
    expect(page.get_by_text("Which model did you ask for?")).to_be_visible()
    expect(page.get_by_text("Ordered on Monday; it arrives on Friday.").first).to_be_visible()
    page.get_by_label("Why").fill("Friday came and went.")
    page.get_by_role("button", name="Reopen the concern").click()
    expect(page.get_by_text("Your request to reopen was sealed.")).to_be_visible()

    services.anonymous_release()

    head_page.reload()
    expect(head_page.get_by_text("Friday came and went.")).to_be_visible()
    head_page.get_by_label("Your answer").fill("Delivered to your desk this morning.")
    head_page.get_by_role("button", name="Answer and close").click()

    open_kept_code(page)
    expect(page.get_by_role("button", name="Reopen the concern")).to_have_count(0)  # once only
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_role("button", name="Rate the answer").click()
    expect(page.get_by_text("Your rating was sealed.")).to_be_visible()

    services.anonymous_release()
    head_page.reload()
    expect(head_page.get_by_text("Resolved", exact=True)).to_be_visible()
    assert Concern.objects.get().rating == "resolved"
