"""An employee fills and submits a survey with the keyboard only, then declines another department."""

from __future__ import annotations

from playwright.sync_api import expect

from departments.models import Dependency
from surveys.models import Invitation, PendingResponse, Response
from tests.factories import PASSWORD
from tests.surveys.conftest import make_cycle


def tab_until(page, predicate: str, limit: int = 60) -> None:
    """Press Tab until `predicate` (JS, given the focused element `el`) is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"Tab never reached: {predicate}")


def test_employee_answers_a_survey_with_the_keyboard_only(page, org):
    Dependency.objects.create(consumer=org.sales, provider=org.hr_dept)
    org.hr_dept.parameters.create(code="advice", name="Advice", description="Sound advice.", target=4)
    cycle = make_cycle(org, status="open")
    cycle.providers.add(org.hr_dept)

    page.goto("/")
    expect(page.get_by_label("Work email")).to_be_focused()  # autofocus: typing starts there
    page.keyboard.type("outsider@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url("/my/surveys/")
    expect(page.get_by_text("0 of 1")).to_be_visible()

    tab_until(page, "el.textContent.includes('rating IT')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="How well did IT serve you?")).to_be_visible()
    expect(page.get_by_text("Your answers are anonymous. Your name is never stored with them.")).to_be_visible()

    tab_until(page, "el.name === 'q_responsiveness'")
    for _ in range(3):  # arrows move within the radio group: 1 → 4
        page.keyboard.press("ArrowRight")
    tab_until(page, "el.name === 'q_quality'")
    page.keyboard.press("ArrowLeft")  # wraps from the first choice to the last: Not applicable
    tab_until(page, "el.name === 'comment_good'")
    page.keyboard.type("They fixed my laptop the same day.")
    expect(page.get_by_label("4 Good").first).to_be_checked()
    expect(page.get_by_label("Not applicable").nth(1)).to_be_checked()
    tab_until(page, "el.value === 'submit'")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Your ratings for IT were submitted anonymously.")).to_be_visible()
    expect(page.get_by_text("1 of 1")).to_be_visible()
    expect(page.get_by_text("All done.")).to_be_visible()
    stored = [p.scores for p in PendingResponse.objects.all()] + [
        {a.parameter.code: a.score for a in r.answers.all()} for r in Response.objects.all()
    ]
    assert stored == [{"responsiveness": 4, "quality": None}]
    assert Invitation.objects.get(cycle=cycle, employee=org.outsider).status == "completed"
