"""HR's token pages: create (shown once, stored hashed), list with every state, revoke."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, hash_token
from tests.api.conftest import issue


@pytest.fixture
def hr(client, org):
    client.force_login(org.hr.user)
    return client


def test_hr_creates_a_token_shown_once_and_it_works(hr, org, api):
    expires = (timezone.localdate() + timedelta(days=90)).isoformat()
    response = hr.post(
        reverse("api:token_create"), {"name": "Power BI", "scopes": ["read_scores"], "expires_on": expires}
    )

    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    secret = re.search(r'value="(ssp_[^"]+)"', response.content.decode())[1]
    token = ApiToken.objects.get()
    assert token.secret_hash == hash_token(secret) and token.scopes == ["read_scores"]
    assert token.created_by == org.hr and token.status == "active"
    assert api.get(reverse("api:departments"), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    listing = hr.get(reverse("api:tokens")).content.decode()
    assert "Power BI" in listing and secret not in listing and token.prefix in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"scopes": []}, "This field is required."),
        ({"expires_on": ""}, "This field is required."),
        ({"expires_on": "today"}, "Choose a day after today."),
        ({"expires_on": "+400"}, "A token can be valid for at most 365 days."),
        ({"scopes": ["admin"]}, ""),
    ],
)
def test_a_bad_token_form_is_refused_and_nothing_is_created(hr, changes, message):
    today = timezone.localdate()
    post = {"name": "BI", "scopes": ["read_scores"], "expires_on": (today + timedelta(days=1)).isoformat()} | changes
    if post["expires_on"] == "today":
        post["expires_on"] = today.isoformat()
    elif post["expires_on"] == "+400":
        post["expires_on"] = (today + timedelta(days=400)).isoformat()

    response = hr.post(reverse("api:token_create"), post)

    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_list_shows_every_state(hr, org, tokens):
    page = hr.get(reverse("api:tokens")).content.decode()
    for label in ("Active", "Expired", "Revoked"):
        assert f">{label}</span>" in page
    assert page.count("Revoke…") == 4  # the active ones only


def test_the_list_has_an_empty_state(hr):
    assert "No token yet" in hr.get(reverse("api:tokens")).content.decode()


def test_revoking_stops_the_token_at_once(hr, org, api):
    issued = issue("read_scores")
    assert api.get(reverse("api:departments"), **issued.header).status_code == 200

    response = hr.post(reverse("api:token_revoke", args=[issued.token.pk]))

    assert response.status_code == 302
    issued.token.refresh_from_db()
    assert issued.token.status == "revoked" and issued.token.revoked_by == org.hr
    refused = api.get(reverse("api:departments"), **issued.header)
    assert refused.status_code == 401 and refused.json() == {"detail": "The token was revoked."}
    assert hr.post(reverse("api:token_revoke", args=[issued.token.pk])).status_code == 302  # twice: harmless


@pytest.mark.parametrize("role", ["colleague", "head"])
def test_only_hr_manages_tokens(client, org, role):
    issued = issue("read_scores")
    client.force_login(getattr(org, role).user)
    assert client.get(reverse("api:tokens")).status_code == 403
    assert client.post(reverse("api:token_revoke", args=[issued.token.pk])).status_code == 403
    expires = (timezone.localdate() + timedelta(days=9)).isoformat()
    assert (
        client.post(
            reverse("api:token_create"), {"name": "x", "scopes": ["write_organisation"], "expires_on": expires}
        ).status_code
        == 403
    )
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().status == "active"


def test_the_docs_are_for_signed_in_people_and_load_only_local_files(client, org):
    assert client.get(reverse("api:docs")).status_code == 302
    client.force_login(org.colleague.user)
    for name in ("api:docs", "api:redoc"):
        page = client.get(reverse(name)).content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert sources and all(s.startswith("/") for s in sources), sources
        assert "<script>" not in page  # the CSP allows no inline script
    script = client.get(reverse("api:docs_script"))
    assert script["Content-Type"].startswith("application/javascript") and b"/api/schema/" in script.content
