"""A person signs in with the keyboard, lands on their home page and reads a department's charter."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import PASSWORD


def sign_in(page, email: str) -> None:
    page.goto("/")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")


def test_employee_signs_in_and_reads_the_it_charter_on_a_phone(page, org):
    sign_in(page, "outsider@example.com")

    expect(page.get_by_role("heading", name=f"Hello {org.outsider.user.first_name}")).to_be_visible()
    expect(page).to_have_url("/my/surveys/")
    # The departments this person rates link to their charters.
    page.get_by_role("link", name="IT", exact=True).click()

    expect(page.get_by_role("heading", name="IT service charter")).to_be_visible()
    expect(page.get_by_role("heading", name="Responsiveness")).to_be_visible()
    expect(page.get_by_role("heading", name="Quality of work")).to_be_visible()
    expect(page.get_by_text("Target 4.0").first).to_be_visible()
    expect(page.get_by_text(org.head.full_name)).to_be_visible()
    expect(page.get_by_role("link", name="Edit charter")).to_have_count(0)


def test_hr_admin_lands_on_the_dashboard_and_a_wrong_password_is_explained(page, org):
    page.goto("/")
    page.get_by_label("Work email").fill("hr@example.com")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("do not match")).to_be_visible()

    sign_in(page, "hr@example.com")

    expect(page).to_have_url("/hr/")
    expect(page.get_by_role("heading", name="HR dashboard")).to_be_visible()


def test_head_lands_on_their_department_and_signs_out(page, org):
    sign_in(page, "head@example.com")

    expect(page).to_have_url("/my/department/")
    expect(page.get_by_role("heading", name="IT")).to_be_visible()
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/accounts/login/")
