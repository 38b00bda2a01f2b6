from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from departments.org_import import CsvFile, org_import
from tests.factories import PASSWORD, UserFactory


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    for url in ["/", "/departments/", "/departments/it/", "/hr/", "/my/surveys/", "/my/department/", "/hr/import/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_sign_in_is_by_email_whatever_its_case(client, org):
    response = client.post(reverse("login"), {"username": "  HEAD@Example.com ", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(org.head.user.pk)


def test_a_wrong_password_says_what_to_do(client, org):
    response = client.post(reverse("login"), {"username": "head@example.com", "password": "nope"})

    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("who", "home"),
    [("hr", "/hr/"), ("head", "/my/department/"), ("colleague", "/my/surveys/"), ("outsider", "/my/surveys/")],
)
def test_each_role_lands_on_its_own_home_page(client, org, who, home):
    client.post(reverse("login"), {"username": getattr(org, who).user.email, "password": PASSWORD})

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_home_pages_show_what_each_role_came_for(login, org):
    assert "HR dashboard" in login(org.hr).get("/hr/").content.decode()
    page = login(org.head).get("/my/department/").content.decode()
    assert "You lead" in page and "IT" in page and "Responsiveness" in page
    page = login(org.outsider).get("/my/surveys/").content.decode()
    assert "No open surveys" in page and 'href="/departments/it/"' in page


def test_a_user_without_an_employee_record_is_told_to_ask_hr(client, db):
    user = UserFactory(email="stranger@example.com")
    client.force_login(user)

    response = client.get("/")

    assert response.status_code == 403
    assert "not on the active staff list" in response.content.decode()
    assert client.get("/departments/").status_code == 403


def test_sign_out_is_a_post(login, org):
    client = login(org.colleague)

    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_imported_person_can_set_a_first_password_through_the_emailed_link(client):
    org_import(
        departments=CsvFile("d.csv", b"code,name\nit,IT\n"),
        employees=CsvFile(
            "e.csv", b"email,first_name,last_name,department_code\nnew.joiner@acme.example,New,Joiner,it\n"
        ),
    )

    response = client.post(reverse("password_reset"), {"email": "New.Joiner@acme.example"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session and redirects
    response = client.post(form_url, {"new_password1": "a-long-new-password", "new_password2": "a-long-new-password"})
    assert response.status_code == 302
    response = client.post(
        reverse("login"), {"username": "new.joiner@acme.example", "password": "a-long-new-password"}
    )
    assert response.status_code == 302 and client.session["_auth_user_id"]


def test_password_reset_sends_nothing_for_unknown_or_deactivated_addresses(client, org):
    org.colleague.user.is_active = False
    org.colleague.user.save()

    client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    client.post(reverse("password_reset"), {"email": "colleague@example.com"})

    assert mail.outbox == []


def test_healthz_reports_the_database_and_the_broker_without_signing_in(client, db, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz").json() == {"database": "ok", "broker": "not used (tasks run in-process)"}

    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    # Answers are still taken without the broker: the site stays in the pool, and says so.
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "unavailable"}


def test_a_lost_database_gets_a_503_that_says_nothing_was_saved(rf):
    from django.db import OperationalError

    from survey_portal.views import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/surveys/1/it/"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "What you sent was not saved" in response.content.decode()
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500
