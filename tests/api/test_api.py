"""The REST API: every endpoint × token state and scope, suppression, imports, throttling, sessions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api.errors import structured
from api.models import ApiToken, hash_token
from departments.models import Department, Employee
from kpis.models import KpiValue
from scorecards import exports
from scorecards.models import DepartmentScore, HeatmapCell, ParameterScore
from tests.api.conftest import published_cycle
from tests.factories import make_closed_cycle, make_cycle, make_kpi

READ, ORG, KPIS = (s.value for s in ApiToken.Scope)

# endpoint -> (method, url factory, scope it needs)
ENDPOINTS = {
    "departments": ("get", lambda w: reverse("api:departments"), READ),
    "department": ("get", lambda w: reverse("api:department", args=["it"]), READ),
    "cycles": ("get", lambda w: reverse("api:cycles"), READ),
    "participation": ("get", lambda w: reverse("api:participation", args=[w.pk]), READ),
    "scores": ("get", lambda w: reverse("api:scores", args=[w.pk]), READ),
    "heatmap": ("get", lambda w: reverse("api:heatmap", args=[w.pk]), READ),
    "action_items": ("get", lambda w: reverse("api:action_items"), READ),
    "kpi_values": ("get", lambda w: reverse("api:kpi_values"), READ),
    "kpi_values_upload": ("post", lambda w: reverse("api:kpi_values"), KPIS),
    "org_import": ("post", lambda w: reverse("api:org_import"), ORG),
}


def call(api, method: str, url: str, issued=None, **kwargs):
    headers = issued.header if issued else {}
    if method == "post" and "data" not in kwargs:
        kwargs = {"data": {"rows": []}, "content_type": "application/json"} if "kpi" in url else {"data": {}}
    return getattr(api, method)(url, **kwargs, **headers)


@pytest.fixture
def cycle(org):
    return published_cycle(org)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
@pytest.mark.parametrize("state", ["none", "wrong scope", "expired", "revoked", "garbage", "right scope"])
def test_each_endpoint_by_token_state_and_scope(api, org, tokens, cycle, endpoint, state):
    method, url_of, scope = ENDPOINTS[endpoint]
    issued = {
        "none": None,
        "wrong scope": tokens[next(s for s in (READ, ORG, KPIS) if s != scope)],
        "expired": tokens["expired"],
        "revoked": tokens["revoked"],
        "garbage": type("G", (), {"header": {"HTTP_AUTHORIZATION": "Bearer ssp_nothing_like_it"}})(),
        "right scope": tokens[scope],
    }[state]
    response = call(api, method, url_of(cycle), issued)

    expected = {"none": 401, "wrong scope": 403, "expired": 401, "revoked": 401, "garbage": 401}.get(state)
    if expected is None:  # the right scope: served (an empty upload is refused as bad input, not as access)
        assert response.status_code in ((200,) if method == "get" else (400,))
    else:
        assert response.status_code == expected
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"detail"}
    if expected == 401:
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    message = {"expired": "The token has expired.", "revoked": "The token was revoked."}.get(state)
    if message:
        assert response.json()["detail"] == message


def test_a_token_is_stored_only_as_its_hash_and_its_use_is_recorded(api, tokens):
    issued = tokens[READ]
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert stored.secret_hash == hash_token(issued.secret) and issued.secret not in str(vars(stored))
    assert issued.secret.startswith(stored.prefix + "_")
    assert stored.last_used_at is None

    api.get(reverse("api:departments"), **issued.header)

    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None


def test_token_requests_never_create_a_session_and_a_session_is_no_way_in(client, org, tokens, api):
    response = api.get(reverse("api:departments"), **tokens[READ].header)
    assert response.status_code == 200 and not response.cookies

    client.force_login(org.hr.user)  # signed in as HR in the portal: still no token, so refused
    assert client.get(reverse("api:departments")).status_code == 401
    assert client.post(reverse("api:org_import"), {}).status_code == 401


# --- published scores: only published cycles, suppression exactly as the exports ---------------


def test_unpublished_and_unknown_cycles_are_404_for_scores_and_heatmap(api, org, tokens):
    closed = make_closed_cycle(org)  # aggregated but not published
    draft = make_cycle(org, name="Draft")
    for cycle_id in (closed.pk, draft.pk, 999999):
        for name in ("api:scores", "api:heatmap"):
            response = api.get(reverse(name, args=[cycle_id]), **tokens[READ].header)
            assert response.status_code == 404, (name, cycle_id)
            assert response.json() == {"detail": "No published cycle has this id."}


def test_suppressed_rows_show_the_marker_and_no_count_below_the_threshold(api, org, tokens, cycle):
    """The attack: IT's heatmap cells hold 1 (HR) and 2 (Sales) responses, threshold 3, and Sales
    was rated by too few: none of those counts or figures may come out."""
    assert HeatmapCell.objects.filter(cycle=cycle, suppressed=True).count() == 2
    assert HeatmapCell.objects.filter(cycle=cycle, n__lt=3).exists()  # small groups exist in the database
    header = tokens[READ].header

    heatmap = api.get(reverse("api:heatmap", args=[cycle.pk]), **header).json()["results"]
    scores = api.get(reverse("api:scores", args=[cycle.pk]), **header).json()["results"]

    suppressed = [row for row in heatmap + scores if row["suppressed"]]
    assert {(r["provider_department"], r.get("rater_department") or r["parameter"]) for r in suppressed} == {
        ("it", "hr"),
        ("it", "sales"),
        ("sales", "__overall__"),
        ("sales", "responsiveness"),
    }
    for row in suppressed:
        assert row["marker"] == "not_enough_responses"
        assert all(value is None for key, value in row.items() if key not in TEXT_KEYS), row
    for row in heatmap + scores:  # no count below the threshold anywhere, shown or not
        counts = [v for k, v in row.items() if (k == "n" or k.startswith("feedback")) and v is not None]
        assert all(count >= cycle.score_threshold for count in counts), row
    shown = {r["parameter"]: r for r in scores if r["provider_department"] == "it"}
    assert shown["responsiveness"]["n"] == 3 and shown["responsiveness"]["mean"] == 4.0
    assert shown["__overall__"]["marker"] is None


TEXT_KEYS = {
    "provider_department",
    "provider_department_name",
    "rater_department",
    "rater_department_name",
    "parameter",
    "suppressed",
    "marker",
}


def test_scores_and_heatmap_hold_exactly_the_export_rows(api, org, tokens, cycle):
    header = tokens[READ].header
    scores = api.get(reverse("api:scores", args=[cycle.pk]), **header).json()["results"]
    heatmap = api.get(reverse("api:heatmap", args=[cycle.pk]), **header).json()["results"]

    assert [(r["provider_department"], r["parameter"]) for r in scores] == [
        (row[0], row[1]) for row in exports.score_rows(cycle)
    ]
    assert [(r["provider_department"], r["rater_department"]) for r in heatmap] == [
        (row[0], row[1]) for row in exports.heatmap_rows(cycle)
    ]
    shown = [r for r in scores if not r["suppressed"] and r["parameter"] != "__overall__"]
    stored = {(p.department.code, p.code): p for p in ParameterScore.objects.filter(cycle=cycle, suppressed=False)}
    for row in shown:
        assert row["mean"] == pytest.approx(stored[(row["provider_department"], row["parameter"])].mean)


def test_a_department_suppressed_as_a_whole_shows_no_figure(api, org, tokens):
    cycle = published_cycle(org, name="Small", threshold=5)  # three responses, threshold five
    assert not DepartmentScore.objects.filter(cycle=cycle, suppressed=False).exists()

    scores = api.get(reverse("api:scores", args=[cycle.pk]), **tokens[READ].header).json()["results"]

    assert scores and all(r["suppressed"] and r["n"] is None and r["mean"] is None for r in scores)


def test_participation_mirrors_hrs_cycle_page(api, org, tokens, cycle):
    data = api.get(reverse("api:participation", args=[cycle.pk]), **tokens[READ].header).json()
    assert data["totals"] == {"invited": 3, "completed": 3, "declined": 0, "rate": 100, "employees": 3}
    assert [r["code"] for r in data["by_department"]] == ["it"]
    assert "by_rater" not in data  # HR's page only: it would give back small heatmap cells' n
    assert api.get(reverse("api:participation", args=[999999]), **tokens[READ].header).status_code == 404


def test_departments_have_their_charter_providers_and_consumers(api, org, tokens):
    data = api.get(reverse("api:department", args=["it"]), **tokens[READ].header).json()
    assert [p["code"] for p in data["charter"]] == ["responsiveness", "quality"]
    assert data["charter"][0]["target"] == "4.00"
    assert data["consumers"] == ["hr", "sales"] and data["providers"] == []
    assert api.get(reverse("api:department", args=["nope"]), **tokens[READ].header).status_code == 404


def test_lists_are_paginated_with_a_limited_page_size(api, org, tokens, settings):
    settings.API_PAGE_SIZE = 2
    header = tokens[READ].header
    first = api.get(reverse("api:departments"), **header).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    second = api.get(reverse("api:departments"), {"page": 2}, **header).json()
    assert [d["code"] for d in first["results"] + second["results"]] == ["hr", "it", "sales"]
    assert api.get(reverse("api:departments"), {"page": 9}, **header).status_code == 404
    big = api.get(reverse("api:departments"), {"page_size": 100000}, **header).json()
    assert len(big["results"]) == 3


# --- writes: the organisation import and KPI values -------------------------------------------


def upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_org_import_refuses_bad_files_with_structured_errors_and_writes_nothing(api, org, tokens):
    departments = upload("departments.csv", "code,name\nops,Operations\n,Nameless\nops,Twice\n")
    dependencies = upload("deps.csv", "consumer_code,provider_code\nops,nowhere\n")
    before = Department.objects.count()

    response = api.post(
        reverse("api:org_import"),
        {"departments": departments, "dependencies": dependencies},
        **tokens[ORG].header,
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {(e["file"], e["line"]) for e in errors} >= {
        ("departments.csv", 3),
        ("departments.csv", 4),
        ("deps.csv", 2),
    }
    assert all(e["reason"] and not e["reason"].startswith(":") for e in errors)
    assert Department.objects.count() == before


def test_org_import_dry_run_then_import(api, org, tokens):
    files = lambda: {  # noqa: E731
        "departments": upload("departments.csv", "code,name\nops,Operations\n"),
        "employees": upload(
            "employees.csv", "email,first_name,last_name,department_code\nnew.person@example.com,New,Person,ops\n"
        ),
    }
    dry = api.post(reverse("api:org_import"), {**files(), "dry_run": "true"}, **tokens[ORG].header)
    assert dry.status_code == 200, dry.json()
    assert dry.json()["dry_run"] is True and dry.json()["departments"]["created"] == 1
    assert not Department.objects.filter(code="ops").exists()

    done = api.post(reverse("api:org_import"), files(), **tokens[ORG].header)

    assert done.status_code == 200 and done.json()["employees"]["created"] == 1
    assert Employee.objects.get(user__email="new.person@example.com").department.code == "ops"


def test_org_import_without_files_is_refused(api, org, tokens):
    response = api.post(reverse("api:org_import"), {"dry_run": "maybe"}, **tokens[ORG].header)
    assert response.status_code == 400
    assert response.json()["errors"][0]["file"] is None


def test_kpi_values_upload_validates_like_the_csv_and_is_all_or_nothing(api, org, tokens):
    make_kpi(org.it)
    good = {"department_code": "it", "kpi_code": "tickets-2-days", "period_start": "2026-01-01"}
    good |= {"period_end": "2026-01-31", "value": "93.5"}
    bad = good | {"period_start": "2026-02-01", "period_end": "2026-01-01", "value": "lots"}
    url = reverse("api:kpi_values")

    refused = api.post(url, {"rows": [good, bad]}, content_type="application/json", **tokens[KPIS].header)

    assert refused.status_code == 400
    assert {e["file"] for e in refused.json()["errors"]} == {"rows"}
    assert {e["line"] for e in refused.json()["errors"]} == {2}
    assert not KpiValue.objects.exists()

    dry = api.post(url, {"rows": [good], "dry_run": True}, content_type="application/json", **tokens[KPIS].header)
    assert dry.json() == {"created": 1, "replaced": 0, "unchanged": 0, "dry_run": True}
    assert not KpiValue.objects.exists()
    done = api.post(url, {"rows": [good]}, content_type="application/json", **tokens[KPIS].header)
    assert done.status_code == 200 and KpiValue.objects.get().period_start == date(2026, 1, 1)
    assert KpiValue.history.get().history_user == org.hr.user  # the token's creator answers for it

    listed = api.get(url, {"department": "it"}, **tokens[READ].header).json()["results"]
    assert listed == [
        {
            "department": "it",
            "kpi": "tickets-2-days",
            "unit": "percent",
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "value": "93.50",
        }
    ]


def test_a_malformed_kpi_upload_is_a_400_not_a_500(api, org, tokens):
    url = reverse("api:kpi_values")
    for body in ({"rows": "x"}, {"rows": [{"value": 1}]}, {}, {"rows": [{}] * 2}):
        response = api.post(url, body, content_type="application/json", **tokens[KPIS].header)
        assert response.status_code == 400, body
        assert all(set(e) == {"file", "line", "reason"} for e in response.json()["errors"])
    assert api.post(url, "{not json", content_type="application/json", **tokens[KPIS].header).status_code == 400


def test_import_error_strings_become_file_line_reason():
    errors = [
        "departments.csv:3: code is empty",
        "weird:name.csv:12: bad: value",
        "deps.csv: has no rows",
        "no file given: choose at least one",
        "rows:4: value is not a number",
    ]
    assert structured(errors, ["departments.csv", "weird:name.csv", "deps.csv"]) == [
        {"file": "departments.csv", "line": 3, "reason": "code is empty"},
        {"file": "weird:name.csv", "line": 12, "reason": "bad: value"},
        {"file": "deps.csv", "line": None, "reason": "has no rows"},
        {"file": None, "line": None, "reason": "no file given: choose at least one"},
        {"file": "rows", "line": 4, "reason": "value is not a number"},
    ]


# --- throttling ------------------------------------------------------------------------------


def test_throttling_is_per_token_with_retry_after(api, org, tokens, settings):
    settings.API_THROTTLE_RATE = "3/min"
    url = reverse("api:departments")
    statuses = [api.get(url, **tokens[READ].header).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = api.get(url, **tokens[READ].header)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()
    assert api.get(url, **tokens["all"].header).status_code == 200  # another token has its own budget
