"""Single sign-on against a real OpenID Connect provider: django-oidc-provider running as its own
process on loopback (tests/oidc_provider), the portal on pytest-django's live server, and a visitor
speaking HTTP to both (requests), filling the provider's login and consent forms."""

from __future__ import annotations

from importlib import import_module

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model

from accounts import oidc
from tests.oidc_provider.provider import Provider, Visitor, with_query

PROVIDER_USERS = [
    {"username": "colleague", "email": "Colleague@Example.COM"},  # the portal spells it in lower case
    {"username": "stranger", "email": "stranger@example.com"},  # no such employee in the portal
    {"username": "outsider", "email": "outsider@example.com"},  # an employee the portal has deactivated
    {"username": "head", "email": "head@example.com"},
    {"username": "saleshead", "email": "sales.head@example.com"},
]


@pytest.fixture(scope="session")
def provider(live_server, tmp_path_factory):
    provider = Provider(
        tmp_path_factory.mktemp("oidc-provider"), f"{live_server.url}/accounts/sso/callback/", PROVIDER_USERS
    )
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def sso(provider, settings, transactional_db):
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    settings.OIDC_PROVIDER_NAME = "Test Provider"
    oidc.forget_discovery()
    yield provider
    oidc.forget_discovery()


@pytest.fixture
def visitor(live_server):
    visitor = Visitor(live_server.url)
    yield visitor
    visitor.http.close()


def signed_in_user_id(visitor: Visitor) -> str | None:
    key = visitor.portal_session_key()
    if key is None:
        return None
    return import_module(django_settings.SESSION_ENGINE).SessionStore(key).get("_auth_user_id")


def test_the_sign_in_page_leads_to_the_provider(sso, org, visitor):
    page = visitor.get("/accounts/login/")
    assert page.status_code == 200
    assert "Sign in with Test Provider" in page.text
    start = visitor.get("/accounts/sso/start/?next=/departments/", allow_redirects=False)
    assert start.status_code == 302
    location = start.headers["Location"]
    assert location.startswith(f"{sso.issuer}/authorize")
    assert "code_challenge_method=S256" in location and "code_challenge=" in location  # PKCE
    assert "response_type=code" in location


def test_a_person_signs_in_and_is_matched_to_their_employee_whatever_the_case_of_the_email(sso, org, visitor):
    users_before = get_user_model().objects.count()

    page = visitor.sign_in_at_provider("colleague")

    assert page.status_code == 200
    assert page.url.startswith(visitor.portal_url) and "/accounts/login/" not in page.url
    assert signed_in_user_id(visitor) == str(org.colleague.user.pk)
    assert get_user_model().objects.count() == users_before
    # Signed in for the portal's pages, and still signed in after a check at the provider.
    assert visitor.get("/departments/").status_code == 200


def test_an_unknown_email_is_refused_and_told_whom_to_ask(sso, org, visitor):
    users_before = get_user_model().objects.count()

    page = visitor.sign_in_at_provider("stranger")

    assert page.status_code == 403
    assert 'data-reason="unknown"' in page.text
    assert "We could not find you on the staff list" in page.text
    assert "hr@example.com" in page.text  # the HR admin to ask
    assert signed_in_user_id(visitor) is None
    assert get_user_model().objects.count() == users_before
    assert not get_user_model().objects.filter(email__iexact="stranger@example.com").exists()
    # Not a password guess: django-axes neither counts it nor keeps the provider's answer.
    assert not AccessAttempt.objects.exists()


def test_an_inactive_employee_is_refused(sso, org, visitor):
    org.outsider.active = False
    org.outsider.save()

    page = visitor.sign_in_at_provider("outsider")

    assert page.status_code == 403
    assert 'data-reason="inactive"' in page.text
    assert "Your portal access is switched off" in page.text
    assert signed_in_user_id(visitor) is None


def test_an_inactive_user_is_refused(sso, org, visitor):
    org.outsider.user.is_active = False
    org.outsider.user.save()

    page = visitor.sign_in_at_provider("outsider")

    assert page.status_code == 403
    assert 'data-reason="inactive"' in page.text
    assert signed_in_user_id(visitor) is None


def test_a_tampered_state_signs_nobody_in(sso, org, visitor):
    back = visitor.sign_in_at_provider("head", follow_back=False)
    callback = back.headers["Location"]
    assert "code=" in callback and "state=" in callback

    page = visitor.http.get(with_query(callback, state="forged-state-value"), timeout=30)

    assert page.status_code == 400
    assert 'data-reason="state"' in page.text
    assert signed_in_user_id(visitor) is None
    # The code cannot be used afterwards with the real state either: it was never exchanged, but
    # a replay of the untouched answer still works only once.
    assert visitor.http.get(callback, timeout=30).status_code == 200
    assert signed_in_user_id(visitor) == str(org.head.user.pk)
    assert visitor.http.get(callback, timeout=30).status_code == 400


def check_due(visitor: Visitor) -> None:
    """As if OIDC_RENEW_SECONDS had passed: the next page visit checks at the provider."""
    session = import_module(django_settings.SESSION_ENGINE).SessionStore(visitor.portal_session_key())
    assert session["oidc_id_token_expiration"] > 0
    session["oidc_id_token_expiration"] = 0
    session.save()


def test_a_person_disabled_at_the_provider_is_signed_out_at_the_next_check(sso, org, visitor):
    visitor.sign_in_at_provider("saleshead")
    assert signed_in_user_id(visitor) == str(org.outsider_head.user.pk)

    # Still enabled: the silent check at the provider keeps the person signed in, on the same page.
    check_due(visitor)
    first = visitor.get("/departments/", allow_redirects=False)
    assert first.status_code == 302 and "prompt=none" in first.headers["Location"]
    page = visitor.follow(first)
    assert page.status_code == 200 and page.url.endswith("/departments/")
    assert signed_in_user_id(visitor) == str(org.outsider_head.user.pk)

    check_due(visitor)
    sso.set_active("saleshead", False)
    try:
        page = visitor.follow(visitor.get("/departments/", allow_redirects=False))
    finally:
        sso.set_active("saleshead", True)

    assert "/accounts/login/" in page.url
    assert "has ended" in page.text
    assert signed_in_user_id(visitor) is None
