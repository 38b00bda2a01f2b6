"""An employee rates a department, thanks two of its people from the prompt that follows, and one
of them reads the note on their My surveys page."""

from __future__ import annotations

from playwright.sync_api import expect

from recognition.models import ThankYouNote
from tests.e2e.test_sign_in_and_charter import sign_in
from tests.factories import EmployeeFactory, make_cycle


def test_employee_thanks_two_colleagues_right_after_rating_their_department(page, org):
    second = EmployeeFactory(department=org.it, user__email="second@example.com")
    cycle = make_cycle(org, status="open", name="This quarter")
    sign_in(page, "outsider@example.com")
    page.goto(f"/surveys/{cycle.pk}/")
    it = page.locator("section#it")
    for name in ("it-q_responsiveness", "it-q_quality"):
        it.locator(f"label[for='id_{name}_4']").click()  # 5 Excellent
    it.get_by_role("button", name="Submit").click()

    expect(page.locator("[data-survey-message]")).to_have_text(
        "Your ratings for IT were submitted anonymously. That was the last one."
    )
    prompt = page.locator("[data-survey-thanks]")  # beside the message, not in its live region
    expect(prompt).to_contain_text("Want to thank someone at IT?")
    prompt.get_by_role("link", name="Say thank you to IT").click()

    expect(page.get_by_role("heading", name="Say thank you to IT")).to_be_visible()
    colleagues = page.get_by_role("group", name="Named colleagues in IT (optional)")
    colleagues.get_by_label(org.colleague.full_name).check()
    colleagues.get_by_label(second.full_name).check()
    page.get_by_label("Your thanks").fill("You set up the new laptops before the audit. Thank you both!")
    page.get_by_role("button", name="Send the thank-you note").click()

    names = ", ".join(sorted([org.colleague.full_name, second.full_name]))
    expect(page.get_by_text(f"Your thank-you note to {names} was sent.")).to_be_visible()
    assert page.url.endswith(f"/surveys/{cycle.pk}/#it")  # back to the survey
    note = ThankYouNote.objects.get()
    assert set(note.colleagues.all()) == {org.colleague, second} and note.show_name

    page.context.clear_cookies()
    sign_in(page, "colleague@example.com")
    received = page.get_by_role("region", name="Thank-you notes you received")
    expect(received).to_contain_text("You set up the new laptops before the audit.")
    expect(received).to_contain_text(org.outsider.full_name)


def test_choosing_the_department_brings_its_people_with_or_without_script(page, page_without_script, org):
    for browser_page in (page, page_without_script):
        sign_in(browser_page, "outsider@example.com")
        browser_page.goto("/recognition/thank/")
        browser_page.get_by_label("Department you want to thank").select_option("IT")
        if browser_page is page_without_script:
            browser_page.get_by_role("button", name="Show its people").click()
        else:
            expect(browser_page.get_by_role("button", name="Show its people")).to_be_hidden()
        colleagues = browser_page.get_by_role("group", name="Named colleagues in IT (optional)")
        expect(colleagues.get_by_label(org.colleague.full_name)).to_be_visible()
        colleagues.get_by_label(org.colleague.full_name).check()
        browser_page.get_by_label("Your thanks").fill("Thanks for the new monitor.")
        browser_page.get_by_role("button", name="Send the thank-you note").click()
        expect(browser_page.get_by_role("heading", name="Recognition wall")).to_be_visible()
    assert ThankYouNote.objects.filter(colleagues=org.colleague).count() == 2
