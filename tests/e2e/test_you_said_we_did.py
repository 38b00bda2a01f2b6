"""An employee reads what a department did since the last survey and says whether it made a
difference: with the keyboard only (the page's script sends the answer), and without JavaScript."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from improvements.models import ActionItem, ProgressUpdate
from surveys import services
from surveys.models import Invitation
from surveys.sealing import unseal
from tests.e2e.test_sign_in_and_charter import sign_in
from tests.e2e.test_survey_keyboard import tab_until
from tests.factories import make_cycle

QUESTION = "Did the changes IT made since last cycle make a difference for you?"


def cycle_after_changes(org):
    """IT finished an action item between the last survey (90 days ago) and this one."""
    opens = timezone.now() - timedelta(days=90)
    last = make_cycle(org, status="open", name="Last quarter", opens_at=opens, closes_at=opens + timedelta(days=14))
    services.cycle_close(cycle_id=last.pk)
    item = ActionItem.objects.create(
        department=org.it,
        title="Publish response times",
        change="Response times are published on the intranet.",
        due_on=timezone.localdate(),
        status=ActionItem.Status.DONE,
        completed_on=timezone.localdate() - timedelta(days=20),
    )
    ProgressUpdate.objects.create(action=item, written_on=timezone.localdate(), text="Met 94% of the time.")
    ProgressUpdate.objects.create(
        action=item, written_on=timezone.localdate(), text="Two analysts moved shifts.", public=False
    )
    return make_cycle(org, status="open", name="This quarter")


def waiting_answer(cycle, employee):
    return unseal(Invitation.objects.get(cycle=cycle, employee=employee).answers_sealed)


def test_employee_opens_what_it_did_and_answers_the_question_with_the_keyboard_only(page, org):
    cycle = cycle_after_changes(org)
    sign_in(page, "outsider@example.com")
    page.goto(f"/surveys/{cycle.pk}/")
    it = page.locator("section#it")

    box = it.locator("details[data-changes-done]")
    expect(box).not_to_have_attribute("open", "")
    expect(it.get_by_text("Publish response times")).to_be_hidden()  # collapsed
    tab_until(page, "el.tagName === 'SUMMARY'")
    expect(page.locator(":focus")).to_have_text("What IT did since the last survey (1 change)")
    page.keyboard.press("Enter")
    expect(it.get_by_text("Publish response times")).to_be_visible()
    expect(it.get_by_text("Met 94% of the time.")).to_be_visible()
    expect(page.get_by_text("Two analysts moved shifts.")).to_have_count(0)  # internal: never on the page

    tab_until(page, "el.name === 'it-q_responsiveness'")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    tab_until(page, "el.name === 'it-q_quality'")
    page.keyboard.press("ArrowLeft")  # Not applicable
    feedback = it.get_by_role("group", name=QUESTION)
    expect(feedback).to_be_visible()
    expect(feedback.get_by_role("button", name="Clear this answer")).to_be_hidden()  # nothing chosen yet
    tab_until(page, "el.name === 'it-action_feedback'")
    page.keyboard.press("ArrowRight")  # Yes → Somewhat
    expect(feedback.get_by_label("Somewhat")).to_be_checked()
    page.keyboard.press("Tab")
    expect(feedback.get_by_role("button", name="Clear this answer")).to_be_focused()
    page.keyboard.press("Enter")  # taken back
    expect(feedback.locator("input:checked")).to_have_count(0)
    page.keyboard.press("ArrowRight")  # from the first choice, now focused: Somewhat again
    expect(feedback.get_by_label("Somewhat")).to_be_checked()
    tab_until(page, "el.value === 'submit'")
    page.keyboard.press("Enter")

    expect(page.locator("[data-survey-message]")).to_have_text(
        "Your ratings for IT were submitted anonymously. That was the last one."
    )
    answered = waiting_answer(cycle, org.outsider)
    assert (answered.scores, answered.action_feedback) == ({"responsiveness": 4, "quality": None}, "somewhat")


def test_without_javascript_the_answer_is_sent_with_the_form(page_without_script, org):
    page = page_without_script
    cycle = cycle_after_changes(org)
    sign_in(page, "outsider@example.com")
    page.goto(f"/surveys/{cycle.pk}/")
    it = page.locator("section#it")

    it.get_by_text("What IT did since the last survey (1 change)").click()
    expect(it.get_by_text("Publish response times")).to_be_visible()
    for name in ("it-q_responsiveness", "it-q_quality"):
        it.locator(f"label[for='id_{name}_4']").click()  # 5 Excellent
    feedback = it.get_by_role("group", name=QUESTION)
    expect(feedback.get_by_role("button", name="Clear this answer")).to_be_hidden()  # it needs the script
    feedback.get_by_text("Didn’t notice", exact=True).click()
    it.get_by_role("button", name="Submit").click()

    expect(page.get_by_text("Your ratings for IT were submitted anonymously.")).to_be_visible()
    assert waiting_answer(cycle, org.outsider).action_feedback == "unnoticed"
