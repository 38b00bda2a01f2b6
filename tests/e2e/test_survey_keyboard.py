"""An employee answers the survey page: with the keyboard only, without JavaScript, and after a mistake.

With its script the page shows one department at a time and sends each form in the background;
without it every department is shown and each form is an ordinary post back to the page.
"""

from __future__ import annotations

import re
from dataclasses import astuple

from playwright.sync_api import expect

from departments.models import Dependency
from surveys import services
from surveys.models import Invitation, Response
from surveys.sealing import unseal
from tests.e2e.test_sign_in_and_charter import sign_in
from tests.factories import PASSWORD, make_cycle


def tab_until(page, predicate: str, limit: int = 60) -> None:
    """Press Tab until `predicate` (JS, given the focused element `el`) is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"Tab never reached: {predicate}")


def two_department_cycle(org):
    """An open cycle in which Sales (the outsider) rates Human Resources and IT, in that order (by name).

    Opening a cycle creates its invitations: HR must be one of its departments before it opens.
    """
    Dependency.objects.create(consumer=org.sales, provider=org.hr_dept)
    org.hr_dept.parameters.create(code="advice", name="Advice", description="Sound advice.", target=4)
    cycle = make_cycle(org)
    cycle.departments.add(org.hr_dept)
    services.cycle_open(cycle_id=cycle.pk)
    return cycle


def question(section, name: str):
    """One question's radio group, found by its legend.

    Not get_by_role("group", name=name) yet: in templates/surveys/_questions.html the legend sits in
    the card's body instead of first in the fieldset, so the group has no accessible name.
    """
    return section.locator(f"fieldset:has(legend:text-is('{name}'))")


def choose(section, name: str, label: str) -> None:
    """Click a score's label, as a person does: the radio button itself is drawn as that label."""
    question(section, name).get_by_text(label, exact=True).click()


def step(page, name: str):
    """A department's row in the numbered list at the top of the survey page."""
    steps = page.get_by_role("navigation", name="Departments in this survey").get_by_role("listitem")
    return steps.filter(has=page.get_by_role("link", name=name, exact=True))


def stored() -> list[tuple]:
    """Every response, waiting or released: (department, rater department, scores, comment_good), by department."""
    rows = [
        (p.department.code, p.rater_department.code, *astuple(unseal(p.answers_sealed))[:2])
        for p in Invitation.objects.exclude(answers_sealed=None)
    ]
    for r in Response.objects.all():
        scores = {a.parameter.code: a.score for a in r.answers.all()}
        rows.append((r.department.code, r.rater_department.code, scores, r.comment_good))
    return sorted(rows, key=lambda row: row[0])


def statuses(cycle, employee) -> dict[str, str]:
    return dict(Invitation.objects.filter(cycle=cycle, employee=employee).values_list("department__code", "status"))


def test_employee_answers_two_departments_with_the_keyboard_only_and_the_page_never_reloads(page, org):
    cycle = two_department_cycle(org)

    page.goto("/")
    expect(page.get_by_label("Work email")).to_be_focused()  # autofocus: typing starts there
    page.keyboard.type("outsider@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url("/my/surveys/")
    expect(page.get_by_text("0 of 2")).to_be_visible()

    tab_until(page, "el.textContent.trim() === 'Start the survey'")
    page.keyboard.press("Enter")
    hr, it = page.locator("section#hr"), page.locator("section#it")
    expect(hr.get_by_role("heading", name="How well did Human Resources serve you?")).to_be_visible()
    expect(it).to_be_hidden()  # one department at a time
    expect(page).to_have_url(f"/surveys/{cycle.pk}/#hr")
    expect(page.get_by_text("Your answers are anonymous. Your name is never stored with them.")).to_be_visible()
    expect(step(page, "Human Resources")).to_contain_text("To do")
    page.evaluate("window.loadedOnce = true")  # a reload would forget it

    tab_until(page, "el.name === 'hr-q_advice'")
    for _ in range(3):  # arrows move within the radio group: 1 → 4
        page.keyboard.press("ArrowRight")
    tab_until(page, "el.name === 'hr-comment_good'")
    page.keyboard.type("Clear answers about my contract.")
    expect(question(hr, "Advice").get_by_label("4 Good")).to_be_checked()
    tab_until(page, "el.value === 'submit'")
    page.keyboard.press("Enter")

    message = page.locator("[data-survey-message]")
    expect(message).to_have_text("Your ratings for Human Resources were submitted anonymously.")
    expect(it.get_by_role("heading", name="How well did IT serve you?")).to_be_focused()
    expect(hr).to_be_hidden()
    expect(page).to_have_url(f"/surveys/{cycle.pk}/#it")
    expect(page.get_by_text("1 of 2 departments done")).to_be_visible()
    expect(step(page, "Human Resources")).to_contain_text("Done")
    assert page.evaluate("window.loadedOnce") is True

    tab_until(page, "el.name === 'it-q_responsiveness'")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    tab_until(page, "el.name === 'it-q_quality'")
    page.keyboard.press("ArrowLeft")  # wraps from the first choice to the last: Not applicable
    expect(question(it, "Responsiveness").get_by_label("4 Good")).to_be_checked()
    expect(question(it, "Quality of work").get_by_label("Not applicable")).to_be_checked()
    tab_until(page, "el.value === 'draft'")
    page.keyboard.press("Enter")

    expect(it.get_by_text("Your draft for IT was saved. Only you can see it.")).to_be_visible()
    expect(step(page, "IT")).to_contain_text("Draft")
    expect(page.get_by_text("1 of 2 departments done")).to_be_visible()
    saved = Invitation.objects.get(cycle=cycle, employee=org.outsider, department__code="it")
    assert saved.draft.scores == {"responsiveness": 4, "quality": None}

    page.keyboard.press("Shift+Tab")  # from "Save draft" back to "Submit"
    expect(it.get_by_role("button", name="Submit")).to_be_focused()
    page.keyboard.press("Enter")

    finished = page.locator("[data-survey-finished]")
    expect(finished.get_by_role("heading", name="All done. Thank you.")).to_be_visible()
    expect(finished).to_be_focused()
    expect(message).to_have_text("Your ratings for IT were submitted anonymously. That was the last one.")
    expect(page.get_by_text("2 of 2 departments done")).to_be_visible()
    expect(step(page, "IT")).to_contain_text("Done")
    assert page.evaluate("window.loadedOnce") is True

    assert stored() == [
        ("hr", "sales", {"advice": 4}, "Clear answers about my contract."),
        ("it", "sales", {"responsiveness": 4, "quality": None}, ""),
    ]
    assert statuses(cycle, org.outsider) == {"hr": "completed", "it": "completed"}
    assert not Invitation.objects.filter(draft_saved_at__isnull=False).exists()


def test_without_javascript_each_department_is_an_ordinary_post_back_to_the_survey_page(page_without_script, org):
    page = page_without_script
    cycle = two_department_cycle(org)

    sign_in(page, "outsider@example.com")
    expect(page).to_have_url("/my/surveys/")
    page.get_by_role("link", name="Start the survey").click()
    expect(page).to_have_url(f"/surveys/{cycle.pk}/")
    hr, it = page.locator("section#hr"), page.locator("section#it")
    expect(hr.get_by_role("heading", name="How well did Human Resources serve you?")).to_be_visible()
    expect(it.get_by_role("heading", name="How well did IT serve you?")).to_be_visible()  # every section shown
    expect(page.locator("[data-survey-finished]")).to_be_hidden()

    choose(hr, "Advice", "4 Good")
    hr.get_by_label("What do they do well?").fill("Clear answers about my contract.")
    hr.get_by_role("button", name="Submit").click()

    expect(page).to_have_url(f"/surveys/{cycle.pk}/#it")
    expect(page.get_by_role("status")).to_have_text(
        "Your ratings for Human Resources were submitted anonymously. 1 department left."
    )
    expect(hr.get_by_text("Your ratings for Human Resources were submitted. Thank you.")).to_be_visible()
    expect(hr.get_by_role("button", name="Submit")).to_have_count(0)
    expect(step(page, "Human Resources")).to_contain_text("Done")
    expect(page.get_by_text("1 of 2 departments done")).to_be_visible()

    choose(it, "Responsiveness", "4 Good")
    choose(it, "Quality of work", "Not applicable")
    it.get_by_role("button", name="Save draft").click()

    expect(page).to_have_url(f"/surveys/{cycle.pk}/#it")
    expect(page.get_by_role("status")).to_have_text("Your draft for IT was saved. Only you can see it.")
    expect(step(page, "IT")).to_contain_text("Draft")
    expect(it.get_by_text("Continuing your draft from")).to_be_visible()
    expect(question(it, "Responsiveness").get_by_label("4 Good")).to_be_checked()
    expect(question(it, "Quality of work").get_by_label("Not applicable")).to_be_checked()
    saved = Invitation.objects.get(cycle=cycle, employee=org.outsider, department__code="it")
    assert saved.draft.scores == {"responsiveness": 4, "quality": None}

    it.get_by_role("button", name="Submit").click()

    expect(page).to_have_url(re.compile(r"/my/surveys/(#it)?$"))  # a browser keeps the form's #it
    expect(page.get_by_role("status")).to_have_text(
        "Your ratings for IT were submitted anonymously. That was the last one: thank you."
    )
    expect(page.get_by_text("2 of 2")).to_be_visible()
    expect(
        page.get_by_text("All done. Thank you: your answers help every department serve you better.")
    ).to_be_visible()
    page.goto(f"/surveys/{cycle.pk}/")
    expect(page.get_by_role("heading", name="All done. Thank you.")).to_be_visible()

    assert stored() == [
        ("hr", "sales", {"advice": 4}, "Clear answers about my contract."),
        ("it", "sales", {"responsiveness": 4, "quality": None}, ""),
    ]
    assert statuses(cycle, org.outsider) == {"hr": "completed", "it": "completed"}
    assert not Invitation.objects.filter(draft_saved_at__isnull=False).exists()


def test_an_incomplete_submit_is_explained_in_place_stores_nothing_and_can_then_be_completed(page, org):
    cycle = make_cycle(org, status="open")  # Sales rates IT only

    sign_in(page, "outsider@example.com")
    page.get_by_role("link", name="Start rating IT").click()
    it = page.locator("section#it")
    expect(page).to_have_url(f"/surveys/{cycle.pk}/#it")

    choose(it, "Responsiveness", "4 Good")  # and nothing for Quality of work
    it.get_by_role("button", name="Submit").click()

    errors = it.locator("[data-form-errors]")
    expect(errors).to_be_focused()
    expect(errors).to_contain_text("Nothing was submitted. Please complete the questions marked below.")
    expect(it.get_by_text("Choose a score for Quality of work, or “Not applicable”.")).to_be_visible()
    expect(question(it, "Responsiveness").get_by_label("4 Good")).to_be_checked()  # kept
    expect(page.locator("[data-survey-message]")).to_be_hidden()
    expect(step(page, "IT")).to_contain_text("To do")
    assert stored() == []
    assert statuses(cycle, org.outsider) == {"it": "pending"}
    assert not Invitation.objects.filter(draft_saved_at__isnull=False).exists()

    choose(it, "Quality of work", "5 Excellent")
    it.get_by_role("button", name="Submit").click()

    expect(page.get_by_role("heading", name="All done. Thank you.")).to_be_visible()
    expect(page.locator("[data-survey-message]")).to_have_text(
        "Your ratings for IT were submitted anonymously. That was the last one."
    )
    assert stored() == [("it", "sales", {"responsiveness": 4, "quality": 5}, "")]
    assert statuses(cycle, org.outsider) == {"it": "completed"}


def test_answering_a_marked_question_or_saving_a_draft_clears_the_old_errors(page, org):
    make_cycle(org, status="open")  # Sales rates IT only
    sign_in(page, "outsider@example.com")
    page.get_by_role("link", name="Start rating IT").click()
    it = page.locator("section#it")
    it.get_by_role("button", name="Submit").click()  # nothing chosen: both questions are marked
    expect(it.locator("[data-form-errors]")).to_be_visible()
    expect(it.locator("[data-field-error]")).to_have_count(2)

    choose(it, "Responsiveness", "4 Good")
    expect(question(it, "Responsiveness").locator("[data-field-error]")).to_have_count(0)
    expect(question(it, "Responsiveness")).not_to_have_class(re.compile("border-danger"))
    expect(question(it, "Quality of work")).to_have_class(re.compile("border-danger"))
    expect(question(it, "Quality of work").locator("[data-field-error]")).to_have_count(1)

    it.get_by_role("button", name="Save draft").click()
    expect(it.get_by_text("Your draft for IT was saved.")).to_be_visible()
    expect(it.locator("[data-form-errors], [data-field-error]")).to_have_count(0)
    expect(it.locator("fieldset.border-danger")).to_have_count(0)
