"""Attacks on the integrations (REST API, HR sync, single sign-on) by a holder of a read-scores
token, an HR admin or a head. A test that fails names a finding; one that passes, a defence that holds."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from accounts.backends import SingleSignOnBackend
from api.models import ApiToken, hash_token
from hrsync import fetch
from scorecards.models import HeatmapCell
from tests.api.conftest import issue, published_cycle
from tests.oidc_provider.provider import free_port

READ = ApiToken.Scope.READ_SCORES.value


@pytest.fixture
def api():
    from django.test import Client

    return Client(headers={"X-Forwarded-Proto": "https"})


# --- API: counts the API claims to hide -------------------------------------------------------


def test_participation_gives_back_the_heatmap_count_the_api_hides(api, org):
    """The API blanks n on suppressed heatmap cells (api/views.py CycleHeatmap, "no count below the
    cycle's threshold appears"), but its participation endpoint, per rating department, gives the
    same count back whenever that department rates one provider only (HR rates IT only here)."""
    cycle = published_cycle(org)
    token = issue(READ)
    heatmap = api.get(reverse("api:heatmap", args=[cycle.pk]), **token.header).json()["results"]
    hidden = {r["rater_department"]: r for r in heatmap if r["provider_department"] == "it" and r["suppressed"]}
    assert hidden["hr"]["n"] is None  # the API hides it...
    small = HeatmapCell.objects.get(cycle=cycle, department=org.it, rater_department=org.hr_dept).n
    assert small < cycle.score_threshold

    participation = api.get(reverse("api:participation", args=[cycle.pk]), **token.header).json()
    # ...and participation does not name it: no count per rating department at all.
    assert "by_rater" not in participation
    assert small not in [r["completed"] for r in participation["by_department"] if r["code"] != "it"]


# --- API: order and ids -----------------------------------------------------------------------


def test_action_item_ids_do_not_date_an_item_raised_by_an_audit(api, org, make_action):
    """An audit's action item is dated to the first of the month so that the department cannot tell
    the day of the visit (audits/services.py _raise_actions). The API lists every item with its id
    and the real created_at of the others: the audit item's id falls between two items whose
    timestamps bracket the moment the auditor submitted."""
    before = make_action(title="Before the audit")
    raised = make_action(
        author=None, title="Mystery-shopping audit: failed", dated_on=timezone.localdate().replace(day=1)
    )
    after = make_action(title="After the audit")
    token = issue(READ)
    rows = api.get(reverse("api:action_items"), **token.header).json()["results"]
    by_title = {r["title"]: r for r in rows}
    assert by_title[raised.title]["created_at"] != by_title[before.title]["created_at"]  # dated, not timed
    ids = [by_title[t].get("id") for t in (before.title, raised.title, after.title)]
    bracketed = None not in ids and ids[0] < ids[1] < ids[2]
    assert not bracketed, (
        f"ids {ids}: the audit item was created between {by_title[before.title]['created_at']} "
        f"and {by_title[after.title]['created_at']}"
    )


def test_scores_and_heatmap_rows_come_in_code_order_not_in_the_order_they_were_stored(api, org):
    """Rows in storage order would tell which cell or parameter was aggregated first; the API lists
    them by department and parameter codes."""
    cycle = published_cycle(org)
    token = issue(READ)
    heatmap = api.get(reverse("api:heatmap", args=[cycle.pk]), **token.header).json()["results"]
    scores = api.get(reverse("api:scores", args=[cycle.pk]), **token.header).json()["results"]
    cells = [(r["provider_department"], r["rater_department"]) for r in heatmap]
    rows = [(r["provider_department"], r["parameter"]) for r in scores]
    assert cells == sorted(cells) and len(cells) == 2
    assert rows == sorted(rows) and len(rows) == 5


# --- Tokens -----------------------------------------------------------------------------------


def test_unknown_and_malformed_tokens_get_the_same_answer_and_are_not_recorded(api, org):
    real = issue(READ)
    guessed = real.secret[:-1] + ("A" if real.secret[-1] != "A" else "B")
    answers = []
    for secret in (guessed, "ssp_00000000_" + "x" * 43, "nonsense"):
        response = api.get(reverse("api:cycles"), HTTP_AUTHORIZATION=f"Bearer {secret}")
        answers.append((response.status_code, response.json()))
    assert len({str(a) for a in answers}) == 1 and answers[0][0] == 401
    real.token.refresh_from_db()
    assert real.token.last_used_at is None  # a near miss records nothing on the real token
    assert not ApiToken.objects.filter(secret_hash=real.secret).exists()
    assert ApiToken.objects.get(pk=real.token.pk).secret_hash == hash_token(real.secret)


def test_a_token_revoked_after_a_request_is_refused_on_the_next(api, org):
    token = issue(READ)
    assert api.get(reverse("api:cycles"), **token.header).status_code == 200
    ApiToken.objects.filter(pk=token.token.pk).update(revoked_at=timezone.now())
    assert api.get(reverse("api:cycles"), **token.header).status_code == 401


def test_throttling_is_per_token_not_shared_by_tokens(api, org, settings):
    settings.API_THROTTLE_RATE = "2/min"
    one, two = issue(READ, name="one"), issue(READ, name="two")
    codes = [api.get(reverse("api:cycles"), **one.header).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert api.get(reverse("api:cycles"), **two.header).status_code == 200


def test_unpublished_cycles_have_no_scores_in_the_api(api, org, open_cycle):
    token = issue(READ)
    for name in ("api:scores", "api:heatmap"):
        assert api.get(reverse(name, args=[open_cycle.pk]), **token.header).status_code == 404


# --- HR sync ----------------------------------------------------------------------------------


def test_a_zip_bomb_member_is_refused_after_reading_one_byte_past_the_limit(settings):
    settings.ORG_IMPORT_MAX_UPLOAD_MB = 1
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("../../etc/employees.csv", b"0" * (50 * 1024 * 1024))  # 50 MB of zeros, ~50 kB packed
    with pytest.raises(fetch.FetchFailed) as failure:
        fetch.files_from_zip(body.getvalue())
    assert failure.value.errors == ["employees.csv: the file is larger than 1 MB."]


def test_a_traversal_name_is_read_into_memory_only(tmp_path, settings):
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w") as archive:
        archive.writestr("../../../tmp/departments.csv", b"code,name\nx,X\n")
    files = fetch.files_from_zip(body.getvalue())
    assert files["departments"].name == "departments.csv"  # the base name only, nothing written


class _Redirect(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_hr_sync_does_not_follow_a_redirect(settings):
    port = free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.HR_SYNC_ALLOW_LOOPBACK_HTTP = True
        with pytest.raises(fetch.FetchFailed) as failure:
            fetch.files_from_url(f"http://127.0.0.1:{port}/hr.zip")
        assert failure.value.errors == ["HR_SYNC_URL: the server answered 302."]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("url", ["http://example.com/hr.zip", "http://10.0.0.1/hr.zip", "file:///etc/passwd"])
def test_hr_sync_refuses_plain_http_and_other_schemes(settings, url):
    settings.HR_SYNC_ALLOW_LOOPBACK_HTTP = True
    with pytest.raises(fetch.FetchFailed):
        fetch.check_url(url)


def test_hr_sync_source_never_shows_credentials_or_query(settings):
    settings.HR_SYNC_URL = "https://user:pw@hr.example.com:8443/export.zip?token=s3cret#x"
    assert fetch.source_description() == "https://hr.example.com:8443/export.zip"


# --- Single sign-on ---------------------------------------------------------------------------


@pytest.fixture
def sso_on(settings):
    closed = f"http://127.0.0.1:{free_port()}"
    settings.OIDC_RP_CLIENT_ID = "survey-portal"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    for name, path in (("AUTHORIZATION", "authorize"), ("TOKEN", "token"), ("USER", "userinfo"), ("JWKS", "jwks")):
        setattr(settings, f"OIDC_OP_{name}_ENDPOINT", f"{closed}/{path}")
    from accounts import oidc

    oidc.forget_discovery()
    return settings


def _backend_for(claims, rf):
    backend = SingleSignOnBackend()
    backend.request = rf.get("/")
    backend.get_userinfo = lambda *args: claims
    return backend


def test_two_users_whose_emails_differ_in_case_are_both_refused(sso_on, org, rf):
    twin = User.objects.create_user(username="twin", email=org.colleague.user.email.upper())
    backend = _backend_for({"email": org.colleague.user.email.title()}, rf)
    assert backend.get_or_create_user("a", "i", {}) is None
    assert backend.request.sso_refusal == "unknown"
    twin.delete()
    backend = _backend_for({"email": org.colleague.user.email.upper()}, rf)
    assert backend.get_or_create_user("a", "i", {}) == org.colleague.user


def test_an_inactive_employee_is_refused(sso_on, org, rf):
    org.colleague.active = False
    org.colleague.save()
    backend = _backend_for({"email": org.colleague.user.email}, rf)
    assert backend.get_or_create_user("a", "i", {}) is None
    assert backend.request.sso_refusal == "inactive"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example"]
)
def test_sso_start_keeps_no_foreign_next(sso_on, db, client, target):
    response = client.get(reverse("oidc_authentication_init"), {"next": target})
    assert response.status_code == 302
    assert client.session.get("oidc_login_next") is None


def test_sso_start_keeps_a_next_on_this_site(sso_on, db, client):
    client.get(reverse("oidc_authentication_init"), {"next": "/my/surveys/"})
    assert client.session.get("oidc_login_next") == "/my/surveys/"


def test_a_forged_callback_state_signs_nobody_in(sso_on, client, org):
    client.get(reverse("oidc_authentication_init"))
    response = client.get(reverse("oidc_authentication_callback"), {"code": "x", "state": "forged"})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (302, 400, 403)


# --- The schema --------------------------------------------------------------------------------


def test_the_api_schema_is_readable_without_signing_in_but_names_no_data(api, org):
    """The schema is public (api/docs.py SchemaView: no authentication). It describes endpoints, so
    it must hold no department, person or figure of the organisation."""
    response = api.get(reverse("api:schema"))
    assert response.status_code == 200
    text = response.content.decode()
    for secret in (org.hr.user.email, org.head.user.email, org.it.description, "Human Resources"):
        assert secret not in text, secret
