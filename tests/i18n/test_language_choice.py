"""The person's language: their profile's, else their browser's; the switcher; emails."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.languages import SESSION_KEY, in_language_of, language_of
from accounts.models import Profile
from tests.factories import make_closed_cycle, make_cycle

GERMAN = "Abmelden"  # base.html's "Sign out"


def page_language(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.content.decode())
    assert match, "no <html lang>"
    return match.group(1)


def sign_in(client, employee, language: str | None = None):
    if language is not None:
        Profile.objects.update_or_create(user=employee.user, defaults={"language": language})
    client.force_login(employee.user)  # sends user_logged_in, which restores the profile's choices
    return client


@pytest.mark.parametrize(
    ("profile", "browser", "expected"),
    [
        ("de", "en", "de"),  # the profile beats the browser
        ("en", "de", "en"),
        ("en", "en-GB,en;q=0.8", "en-gb"),  # English, in the browser's variant (British dates)
        ("", "de-DE,de;q=0.9", "de"),  # blank: the browser's
        ("", "en-GB", "en-gb"),
        ("", "fr-FR", "en"),  # a language the site does not have: English
        (None, "de", "de"),  # no profile at all
    ],
)
def test_the_profile_beats_the_browser(client, org, profile, browser, expected):
    sign_in(client, org.outsider, profile)
    response = client.get(reverse("portal:my_surveys"), HTTP_ACCEPT_LANGUAGE=browser)
    assert response.status_code == 200
    assert page_language(response) == expected
    assert response["Content-Language"] == expected
    assert (GERMAN in response.content.decode()) == (expected == "de")


def test_the_language_costs_no_query(client, org):
    sign_in(client, org.outsider, "")
    url = reverse("portal:my_surveys")
    client.get(url)  # warm the caches of the page
    with CaptureQueriesContext(connection) as browsers:
        client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    client.post(reverse("set_language"), {"language": "de", "next": url})
    with CaptureQueriesContext(connection) as chosen:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(response) == "de"
    assert len(chosen) == len(browsers)


def test_the_switcher_saves_the_choice_on_the_profile(client, org):
    sign_in(client, org.outsider)
    url = reverse("portal:my_surveys")
    response = client.post(reverse("set_language"), {"language": "de", "next": url}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == url
    assert Profile.objects.get(user=org.outsider.user).language == "de"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(page) == "de"
    assert '<option value="de" lang="de" translate="no" selected>Deutsch</option>' in page.content.decode()
    # on another device, signing in restores it
    other = client_class_fresh()
    other.force_login(org.outsider.user)
    assert page_language(other.get(url, HTTP_ACCEPT_LANGUAGE="en")) == "de"
    # back to the browser's language
    client.post(reverse("set_language"), {"language": "", "next": url})
    assert Profile.objects.get(user=org.outsider.user).language == ""
    assert SESSION_KEY not in client.session
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB")
    assert page_language(page) == "en-gb"
    assert '<option value="" selected>' in page.content.decode()


def client_class_fresh():
    from django.test import Client

    return Client(HTTP_X_FORWARDED_PROTO="https", headers={"x-forwarded-proto": "https"})


def test_the_switcher_is_a_labelled_form_in_every_page(client, org):
    sign_in(client, org.outsider)
    page = client.get(reverse("portal:my_surveys")).content.decode()
    assert '<label for="language-choice"' in page and '<select id="language-choice" name="language"' in page
    assert f'action="{reverse("set_language")}"' in page
    assert 'type="submit"' in page.split('id="language-choice"')[1].split("</form>")[0]


def test_a_visitor_chooses_with_the_language_cookie(client, db):
    login = reverse("login")
    response = client.post(reverse("set_language"), {"language": "de", "next": login}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == login
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = client.get(login, HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(page) == "de"
    assert not Profile.objects.exists()
    response = client.post(reverse("set_language"), {"language": "", "next": login})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    assert page_language(client.get(login, HTTP_ACCEPT_LANGUAGE="en")) == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""])
def test_the_switcher_stays_on_the_site(client, org, target):
    sign_in(client, org.outsider)
    response = client.post(reverse("set_language"), {"language": "de", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("home")


@pytest.mark.parametrize("value", ["fr", "xx", "de\x00", "de-DE", "x" * 1000])
def test_an_unknown_language_is_refused_and_nothing_is_saved(client, org, value):
    sign_in(client, org.outsider, "en")
    response = client.post(reverse("set_language"), {"language": value, "next": "/"})
    assert response.status_code == 400 and "Unknown language" in response.content.decode()
    assert Profile.objects.get(user=org.outsider.user).language == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_survey_page_and_the_scorecard_render_in_german(client, org):
    cycle = make_cycle(org, status="open", name="Open one")
    make_closed_cycle(org)
    sign_in(client, org.outsider, "de")
    survey = client.get(reverse("surveys:survey", kwargs={"cycle_id": cycle.pk}))
    assert survey.status_code == 200 and page_language(survey) == "de"
    assert GERMAN in survey.content.decode()
    sign_in(client, org.head, "de")
    scorecard = client.get(reverse("scorecards:scorecard", kwargs={"code": "it"}))
    assert scorecard.status_code == 200 and page_language(scorecard) == "de"
    assert "Scorecard von IT" in scorecard.content.decode()


def test_emails_are_written_in_the_recipients_language(org):
    Profile.objects.create(user=org.head.user, language="de")
    assert language_of(org.head.user) == "de"
    assert language_of(org.colleague.user) == settings.LANGUAGE_CODE  # no choice: the site's language
    with translation.override("en"):
        with in_language_of(org.head.user):
            assert translation.gettext("Sign out") == "Abmelden"
        assert translation.get_language() == "en"
