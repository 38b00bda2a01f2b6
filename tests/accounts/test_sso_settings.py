"""Single sign-on switched on and off by settings, and password sign-in under PASSWORD_LOGIN (the
flow through a real provider is in test_sso_provider.py)."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.urls import reverse

from accounts import oidc
from tests.factories import PASSWORD
from tests.oidc_provider.provider import free_port


@pytest.fixture
def sso_on(settings):
    """Configured with endpoints given one by one: nothing is fetched until someone signs in."""
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.OIDC_RP_CLIENT_ID = "survey-portal"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_PROVIDER_NAME = "Acme Login"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{closed}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{closed}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{closed}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{closed}/jwks"
    oidc.forget_discovery()
    return settings


def sign_in(client, email):
    return client.post(reverse("login"), {"username": email, "password": PASSWORD})


def test_without_sso_the_sign_in_page_is_the_password_form_and_the_sso_urls_are_not_found(client, org):
    page = client.get(reverse("login"))
    assert "Sign in with" not in page.content.decode()
    assert 'name="password"' in page.content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback"), {"code": "c", "state": "s"}).status_code == 404
    assert sign_in(client, "colleague@example.com").status_code == 302


def test_with_sso_the_page_leads_with_the_provider_and_keeps_a_password_form_for_admins(client, org, sso_on):
    page = client.get(reverse("login"), {"next": "/departments/"}).content.decode()
    button = page.index("Sign in with Acme Login")
    assert button < page.index('name="password"')  # the button first, the password form below it
    assert "Administrator sign-in with a password" in page
    assert f"{reverse('oidc_authentication_init')}?next=/departments/" in page
    assert reverse("password_reset") not in page  # no "set a password" link for everyone


def test_with_sso_the_start_redirects_with_pkce(client, org, sso_on):
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302
    assert response["Location"].startswith(sso_on.OIDC_OP_AUTHORIZATION_ENDPOINT + "?")
    assert "code_challenge_method=S256" in response["Location"]
    assert not client.session.get("_auth_user_id")


def test_with_sso_only_admins_may_use_a_password(client, org, sso_on):
    response = sign_in(client, "colleague@example.com")
    assert response.status_code == 200
    assert "Password sign-in is kept for administrators. Sign in with Acme Login instead." in response.content.decode()
    assert "_auth_user_id" not in client.session

    org.hr.user.is_staff = True
    org.hr.user.save()
    assert sign_in(client, "hr@example.com").status_code == 302
    assert client.session["_auth_user_id"] == str(org.hr.user.pk)


def test_password_login_off_refuses_even_admins(client, org, sso_on):
    sso_on.PASSWORD_LOGIN = "off"
    org.hr.user.is_superuser = True
    org.hr.user.save()
    page = client.get(reverse("login")).content.decode()
    assert 'name="password"' not in page
    response = sign_in(client, "hr@example.com")
    assert response.status_code == 200
    assert "Password sign-in is switched off." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_links_go_only_to_those_who_may_use_a_password(client, org, sso_on):
    client.post(reverse("password_reset"), {"email": "colleague@example.com"})
    assert mail.outbox == []
    org.hr.user.is_staff = True
    org.hr.user.save()
    client.post(reverse("password_reset"), {"email": "hr@example.com"})
    assert [message.to for message in mail.outbox] == [["hr@example.com"]]


def test_password_login_on_lets_everyone_in_even_with_sso(client, org, sso_on):
    sso_on.PASSWORD_LOGIN = "on"
    assert sign_in(client, "colleague@example.com").status_code == 302


def test_a_callback_without_a_sign_in_started_here_signs_nobody_in(client, org, sso_on):
    response = client.get(reverse("oidc_authentication_callback"), {"code": "stolen", "state": "forged"})
    assert response.status_code == 400
    assert 'data-reason="state"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_provider_that_cannot_be_reached_gets_a_page_not_an_error(client, org, settings, caplog):
    settings.OIDC_RP_CLIENT_ID = "survey-portal"
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}/realm"
    settings.OIDC_TIMEOUT = 2
    oidc.forget_discovery()
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 502
    assert 'data-reason="provider"' in response.content.decode()
    assert "sso: discovery document unavailable (ConnectionError)" in caplog.text


def test_an_unknown_password_login_value_is_refused_at_start(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import survey_portal.settings as module

    monkeypatch.setenv("PASSWORD_LOGIN", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="PASSWORD_LOGIN"):
        importlib.reload(module)
    monkeypatch.delenv("PASSWORD_LOGIN")
    importlib.reload(module)
