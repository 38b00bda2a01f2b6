"""Secure by default: deploy checks, headers, HTTPS, login throttling, session lifetimes, escaping."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from survey_portal.middleware import LOGIN_AT, SEEN_AT
from tests.factories import PASSWORD

PRODUCTION = {
    "DEBUG": False,
    "SECRET_KEY": "k" * 20 + "Zx9!qW2#eR4$tY6^uI8&oP0*aS1@dF3%gH5",
    "ALLOWED_HOSTS": ["portal.example.com"],
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@pytest.fixture
def production(settings):
    for name, value in PRODUCTION.items():
        setattr(settings, name, value)
    return settings


def test_the_deploy_checks_pass_with_the_production_settings(production, capsys, monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set by the browser tests' conftest
    call_command("check", deploy=True, fail_level="WARNING")
    assert "no issues" in capsys.readouterr().out


def test_plain_http_is_redirected_to_https_except_the_health_check(production, db):
    plain = Client()  # no proxy header: the request arrived over HTTP
    response = plain.get("/accounts/login/", HTTP_HOST="portal.example.com")
    assert response.status_code == 301 and response["Location"] == "https://portal.example.com/accounts/login/"
    assert plain.get("/healthz", HTTP_HOST="portal.example.com").status_code == 200


def test_pages_carry_the_security_headers(production, client):
    response = client.get("/accounts/login/", HTTP_HOST="portal.example.com")

    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'"]  # no inline script, no eval
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_page_has_an_inline_script(login, org):
    client = login(org.hr)
    for url in ["/hr/", "/hr/cycles/", "/departments/", "/departments/it/", "/hr/results/", "/my/surveys/"]:
        page = client.get(url).content.decode()
        for tag in page.split("<script")[1:]:
            head = tag.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, (url, head)
        assert " onclick=" not in page and "javascript:" not in page, url


def test_session_and_csrf_cookies_are_secure_and_http_only(production, client, org):
    client.get("/accounts/login/", HTTP_HOST="portal.example.com")
    response = client.post(
        "/accounts/login/", {"username": "head@example.com", "password": PASSWORD}, HTTP_HOST="portal.example.com"
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["secure"] and client.cookies["csrftoken"]["httponly"]


def test_the_session_key_changes_at_sign_in(client, org):
    client.get("/accounts/login/")
    session = client.session
    session["before"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key
    anonymous_key = session.session_key

    client.post("/accounts/login/", {"username": "head@example.com", "password": PASSWORD})

    assert client.session["_auth_user_id"] == str(org.head.user.pk)
    assert client.session.session_key != anonymous_key


def test_signing_out_takes_a_post(login, org):
    client = login(org.head)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def attempt(client, email: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_that_email_from_that_address_for_15_minutes(client, org):
    for _ in range(4):
        assert attempt(client, "head@example.com", "wrong").status_code == 200
    assert attempt(client, "head@example.com", "wrong").status_code == 429  # the fifth failure locks

    locked = attempt(client, "HEAD@example.com ", PASSWORD)  # the right password, in another case

    assert locked.status_code == 429
    assert "Sign-in paused for 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another person from the same address, and the same person from elsewhere, are not locked out.
    assert attempt(Client(headers={"X-Forwarded-Proto": "https"}), "hr@example.com", PASSWORD).status_code == 302
    assert (
        attempt(
            Client(headers={"X-Forwarded-Proto": "https"}), "head@example.com", PASSWORD, ip="10.9.9.9"
        ).status_code
        == 302
    )

    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    assert attempt(client, "head@example.com", PASSWORD).status_code == 302


def test_the_lockout_counts_the_address_the_proxy_saw(settings, org):
    settings.PROXY_COUNT = 1
    for _ in range(5):
        Client(headers={"X-Forwarded-Proto": "https"}).post(
            reverse("login"),
            {"username": "head@example.com", "password": "wrong"},
            REMOTE_ADDR="10.0.0.254",  # the proxy
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",  # spoofed first hop, then what the proxy saw
        )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


@pytest.mark.parametrize(
    ("field", "ago", "why"),
    [(SEEN_AT, 61 * 60, "after 60 minutes without activity"), (LOGIN_AT, 13 * 3600, "after a long session")],
)
def test_sessions_end_after_an_hour_idle_or_twelve_hours_in_all(login, org, field, ago, why):
    client = login(org.head)
    assert client.get("/my/department/").status_code == 200
    session = client.session
    session[field] = int(time.time()) - ago
    session.save()

    response = client.get("/my/department/", follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert why in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_alive_without_a_write_per_request(login, org, django_assert_max_num_queries):
    client = login(org.head)
    client.get("/my/department/")
    session = client.session
    session[SEEN_AT] = int(time.time()) - 50 * 60  # idle 50 minutes: still fine
    session.save()

    assert client.get("/my/department/").status_code == 200
    assert int(time.time()) - client.session[SEEN_AT] < 5  # touched
    with django_assert_max_num_queries(20) as queries:
        client.get("/my/department/")
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


HOSTILE = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'


def test_hostile_text_is_shown_escaped_everywhere(login, org):
    from scorecards.services import cycle_aggregate
    from surveys import services
    from surveys.models import Invitation
    from tests.factories import ALL_GOOD, make_cycle

    org.it.name, org.it.description = f"IT {HOSTILE}", HOSTILE
    org.it.save()
    org.it.parameters.update(name=f"Speed {HOSTILE}", description=HOSTILE)
    org.head.user.first_name = HOSTILE
    org.head.user.save()
    cycle = make_cycle(org, status="open", score_threshold=3, comment_threshold=3)
    for employee in (org.outsider, org.outsider_head, org.hr):
        services.response_submit(
            invitation=Invitation.objects.get(cycle=cycle, employee=employee),
            scores=ALL_GOOD,
            comment_good=HOSTILE,
            comment_improve=f"=cmd|' /C calc'!A0 {HOSTILE}",
        )
    services.cycle_close(cycle_id=cycle.pk)
    cycle_aggregate(cycle_id=cycle.pk)
    services.cycle_publish(cycle=cycle)

    pages = {
        "/departments/": org.outsider,
        "/departments/it/": org.outsider,
        "/my/surveys/": org.outsider,
        "/scorecards/it/": org.head,
        "/my/department/": org.head,
        "/hr/results/": org.hr,
        "/hr/people/": org.hr,
        "/hr/departments/": org.hr,
        f"/hr/cycles/{cycle.pk}/": org.hr,
    }
    for url, who in pages.items():
        page = login(who).get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert" in page, url
