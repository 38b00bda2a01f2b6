"""Every URL of the site × every kind of visitor → the expected status.

The URL list comes from walking the resolver, so a new page that is not in MATRIX fails the test:
nobody can add a page without deciding who may open it.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from concerns.models import ClosureDate
from recognition.models import AwardCriterion, Nomination, ThankYouNote
from tests.factories import audits_world, improvements_world, make_closed_cycle, make_concern, make_cycle, make_kpi
from tests.resolver import site_url_names

ROLES = ["anonymous", "colleague", "outsider", "outsider_head", "head", "hr"]
# colleague: works in IT, the department the URLs are about; outsider: works in Sales;
# outsider_head: heads Sales; head: heads IT; hr: HR admin (works in HR, which depends on IT).

ALL = dict.fromkeys(ROLES, 200)


def members(status: int, **exceptions: int) -> dict[str, int]:
    """Anonymous visitors go to sign-in; signed-in roles get `status` unless listed."""
    return {"anonymous": 302} | dict.fromkeys(ROLES[1:], status) | exceptions


HR_ONLY = members(403, hr=200)
HR_ONLY_POST = members(403, hr=405)  # a GET on an HR action: allowed role, wrong method

# url name -> (kwargs, expected status per role for a GET)
MATRIX: dict[str, tuple[dict, dict[str, int]]] = {
    "home": ({}, members(302)),
    "healthz": ({}, ALL),
    "login": ({}, members(302, anonymous=200)),
    "logout": ({}, members(405)),  # sign-out is a POST
    "time_zone": ({}, members(405)),  # the browser posts its time zone
    "password_reset": ({}, ALL),
    "password_reset_done": ({}, ALL),
    "password_reset_confirm": ({"uidb64": "MQ", "token": "not-a-token"}, ALL),
    "password_reset_complete": ({}, ALL),
    "departments:directory": ({}, members(200)),
    "portal:charter": ({"code": "it"}, members(200)),
    "departments:edit": ({"code": "it"}, HR_ONLY),
    "departments:charter_edit": ({"code": "it"}, members(403, head=200, hr=200)),
    "departments:dependencies_edit": ({"code": "it"}, HR_ONLY),
    "portal:head_home": ({}, members(403, head=200, outsider_head=200)),
    "portal:hr_home": ({}, HR_ONLY),
    "departments:hr_departments": ({}, HR_ONLY),
    "departments:create": ({}, HR_ONLY),
    "departments:hr_people": ({}, HR_ONLY),
    "departments:org_import": ({}, HR_ONLY),
    "departments:org_import_confirm": ({}, HR_ONLY_POST),
    "portal:my_surveys": ({}, members(200)),
    # Sales and HR depend on IT: their people have an invitation; IT's own people have none.
    "surveys:survey": ({"cycle_id": "open"}, members(200, colleague=404, head=404)),
    # A department's address leads to its section of the survey page.
    "surveys:answer": ({"cycle_id": "open", "department_code": "it"}, members(302, colleague=404, head=404)),
    "surveys:decline": ({"cycle_id": "open", "department_code": "it"}, members(405)),
    "surveys:cycle_list": ({}, HR_ONLY),
    "surveys:cycle_create": ({}, HR_ONLY),
    "surveys:cycle_detail": ({"pk": "open"}, HR_ONLY),
    "surveys:cycle_edit": ({"pk": "open"}, HR_ONLY),
    "surveys:cycle_launch": ({"pk": "open"}, members(403, hr=302)),  # not a draft: back to the cycle
    "surveys:cycle_open": ({"pk": "open"}, HR_ONLY_POST),
    "surveys:cycle_close": ({"pk": "open"}, members(403, hr=200)),  # GET: the confirmation
    "surveys:cycle_publish": ({"pk": "closed"}, members(403, hr=200)),  # GET: the confirmation
    "surveys:cycle_repeat": ({"pk": "closed"}, HR_ONLY),
    "surveys:cycle_invite_new": ({"pk": "open"}, HR_ONLY_POST),
    "surveys:cycle_remind": ({"pk": "open"}, HR_ONLY_POST),
    "scorecards:scorecard": ({"code": "it"}, members(403, head=200, hr=200)),
    "scorecards:export_scores": ({"cycle_id": "closed"}, members(403, head=200, outsider_head=200, hr=200)),
    "scorecards:export_heatmap": ({"cycle_id": "closed"}, members(403, head=200, outsider_head=200, hr=200)),
    "scorecards:export_xlsx": ({"cycle_id": "closed"}, members(403, head=200, outsider_head=200, hr=200)),
    "scorecards:organisation": ({}, HR_ONLY),
    # The value chain map, its data and its text version: every member (figures as published to them).
    "scorecards:value_chain": ({}, members(200)),
    "scorecards:value_chain_data": ({}, members(200)),
    "scorecards:value_chain_table": ({}, members(200)),
    "scorecards:recalculate": ({"cycle_id": "closed"}, HR_ONLY_POST),
    "scorecards:awards_evaluate": ({"cycle_id": "closed"}, HR_ONLY_POST),
    "recognition:criteria": ({}, HR_ONLY),
    "recognition:criterion_create": ({}, HR_ONLY),
    "recognition:criterion_edit": ({"pk": "criterion"}, HR_ONLY),
    # Thank-you notes and the wall: every member; hiding a note is HR's (a POST); heads choose their emails.
    "recognition:wall": ({}, members(200)),
    "recognition:feed": ({}, members(200)),
    "recognition:thank": ({}, members(200)),
    "recognition:note_hide": ({"pk": "note"}, HR_ONLY_POST),
    "recognition:preferences": ({}, members(403, head=200, outsider_head=200)),
    # Nominations: employees nominate; HR and the panel (tests/recognition) review; HR names the panel.
    "recognition:nominate": ({}, members(200)),
    "recognition:my_nominations": ({}, members(200)),
    "recognition:nominations": ({}, HR_ONLY),
    "recognition:nomination_review": ({"pk": "nomination"}, HR_ONLY),
    "recognition:panel": ({}, HR_ONLY),
    # The pages that put scores and plans side by side (delegates: tests/scorecards/test_action_list.py).
    "scorecards:action_list": ({"code": "it"}, members(403, head=200, hr=200)),
    "scorecards:no_action": ({"code": "it", "parameter_id": "parameter"}, members(403, head=200)),
    "scorecards:hr_actions": ({}, HR_ONLY),
    # Concerns: a named concern the outsider (Sales) raised with IT; the actions are POSTs.
    "concerns:raise": ({}, members(200)),
    "concerns:mine": ({}, members(200)),
    "concerns:receipt": ({}, members(200)),
    "concerns:hr": ({}, HR_ONLY),
    "concerns:settings": ({}, HR_ONLY),
    "concerns:closure_add": ({}, HR_ONLY_POST),
    "concerns:closure_delete": ({"pk": "closure"}, HR_ONLY_POST),
    "concerns:department": ({"code": "it"}, members(403, head=200, hr=200)),
    "concerns:detail": ({"pk": "concern"}, members(403, outsider=200, head=200, hr=200)),
    # Action plans: the head (and delegates, tests/improvements) keep IT's; HR reads it and nudges.
    "departments:delegates": ({"code": "it"}, members(403, head=200, hr=200)),
    "improvements:action_create": ({"code": "it"}, members(403, head=200)),
    "improvements:action_detail": ({"code": "it", "pk": "action"}, members(403, head=200, hr=200)),
    "improvements:action_edit": ({"code": "it", "pk": "action"}, members(403, head=200)),
    "improvements:action_update": ({"code": "it", "pk": "action"}, members(403, head=405)),
    "improvements:commitments": ({"code": "it"}, members(403, head=200, hr=200)),
    "improvements:commitment_edit": ({"code": "it", "pk": "commitment"}, members(403, head=200)),
    "improvements:nudge": ({"code": "it"}, HR_ONLY_POST),
    "improvements:templates": ({}, HR_ONLY),
    "improvements:template_edit": ({"pk": "suggestion"}, HR_ONLY),
    "improvements:template_delete": ({"pk": "suggestion"}, HR_ONLY_POST),
    # Measured service levels: part of the published charter, read by every member; defined by HR
    # and the head; values uploaded by HR (any department) and heads/delegates (their own).
    "kpis:department": ({"code": "it"}, members(200)),
    "kpis:create": ({"code": "it"}, members(403, head=200, hr=200)),
    "kpis:edit": ({"code": "it", "pk": "kpi"}, members(403, head=200, hr=200)),
    "kpis:upload": ({}, members(403, head=200, outsider_head=200, hr=200)),
    "kpis:upload_confirm": ({}, members(403, head=405, outsider_head=405, hr=405)),
    "kpis:hr": ({}, HR_ONLY),
    # Mystery-shopping audits of IT: HR's pages; the auditor (the outsider, in Sales) records the
    # audit and downloads its attachments; to anyone else they do not exist (404), IT's head included.
    "audits:hr": ({}, HR_ONLY),
    "audits:templates": ({}, HR_ONLY),
    "audits:template_create": ({}, HR_ONLY),
    "audits:template_edit": ({"pk": "audit_template"}, HR_ONLY),
    "audits:schedule": ({}, HR_ONLY),
    "audits:detail": ({"pk": "audit"}, HR_ONLY),
    "audits:mine": ({}, members(200)),
    "audits:record": ({"pk": "audit"}, members(404, outsider=200)),
    "audits:attachment": (
        {"pk": "audit_done", "attachment_id": "audit_attachment"},
        members(404, outsider=200, hr=200),
    ),
    **{
        f"concerns:{action}": ({"pk": "concern"}, members(405))
        for action in (
            "acknowledge",
            "message",
            "answer",
            "not_ours",
            "to_action",
            "reopen",
            "rate",
            "hide",
            "reassign",
        )
    },
    # --- sso ---
    # Single sign-on answers 404 until it is configured (the suite runs without it; tests/accounts/test_sso_*).
    "oidc_authentication_init": ({}, dict.fromkeys(ROLES, 404)),
    "oidc_authentication_callback": ({}, dict.fromkeys(ROLES, 404)),
    "oidc_logout": ({}, members(405)),  # sign-out is a POST
    # --- api ---
    "api:tokens": ({}, HR_ONLY),
    "api:token_create": ({}, HR_ONLY),
    "api:token_revoke": ({"pk": 999999}, HR_ONLY_POST),
    "api:schema": ({}, ALL),  # the OpenAPI schema is public: it describes, it holds no data
    "api:docs": ({}, members(200)),  # Swagger UI and ReDoc: for signed-in people
    "api:docs_script": ({}, members(200)),  # Swagger UI's init script (no inline script under the CSP)
    "api:redoc": ({}, members(200)),
    # The API itself is token-only: a session (any role) is no way in.
    "api:departments": ({}, dict.fromkeys(ROLES, 401)),
    "api:department": ({"code": "it"}, dict.fromkeys(ROLES, 401)),
    "api:cycles": ({}, dict.fromkeys(ROLES, 401)),
    "api:participation": ({"pk": "closed"}, dict.fromkeys(ROLES, 401)),
    "api:scores": ({"pk": "closed"}, dict.fromkeys(ROLES, 401)),
    "api:heatmap": ({"pk": "closed"}, dict.fromkeys(ROLES, 401)),
    "api:action_items": ({}, dict.fromkeys(ROLES, 401)),
    "api:kpi_values": ({}, dict.fromkeys(ROLES, 401)),
    "api:org_import": ({}, dict.fromkeys(ROLES, 401)),
    # --- hrsync ---
    "hrsync:runs": ({}, HR_ONLY),
    "hrsync:run": ({"pk": 999999}, members(403, hr=404)),  # the world has no sync run: HR gets 404
    "hrsync:run_now": ({}, HR_ONLY_POST),
    "hrsync:confirm": ({"pk": 999999}, HR_ONLY_POST),
    "hrsync:discard": ({"pk": 999999}, HR_ONLY_POST),
    # --- i18n ---
    "set_language": ({}, dict.fromkeys(ROLES, 405)),  # the language switcher posts; visitors may use it
}

# HR actions: a POST by anyone else is refused and changes nothing; HR's is carried out.
POST_ACTIONS = {
    "surveys:cycle_open": "open",
    "surveys:cycle_close": "open",
    "surveys:cycle_publish": "closed",
    "surveys:cycle_invite_new": "open",
    "surveys:cycle_remind": "open",
    "scorecards:recalculate": "closed",
    "scorecards:awards_evaluate": "closed",
    "departments:org_import_confirm": None,
    "improvements:nudge": None,
    "improvements:template_delete": None,
    "recognition:note_hide": None,
    "audits:detail": "audit",  # cancels the scheduled audit
    # --- api ---
    # --- hrsync ---
    "hrsync:run_now": None,  # unconfigured in the tests: says so, queues nothing
}


def test_every_url_of_the_site_is_in_the_matrix():
    assert site_url_names() == set(MATRIX), "add the new page to MATRIX with who may open it"


@pytest.fixture
def world(org):
    """An open cycle (IT rated by Sales and HR) and a closed, aggregated one with results."""
    closed = make_closed_cycle(org)
    return {
        "open": make_cycle(org, status="open", name="Open one"),
        "closed": closed,
        "concern": make_concern(org.it, raised_by=org.outsider),
        "closure": ClosureDate.objects.create(date=date(2026, 12, 25), name="Christmas"),
        **improvements_world(org),
        "kpi": make_kpi(org.it),
        **audits_world(org),
        "parameter": org.it.parameters.order_by("position").first(),
        "criterion": AwardCriterion.objects.create(name="Service Excellence", min_index=4),
        "note": ThankYouNote.objects.create(sender=org.outsider, department=org.it, message="Thanks!"),
        "nomination": Nomination.objects.create(
            criterion=AwardCriterion.objects.create(name="Above and Beyond", by_nomination=True),
            department=org.it,
            employee=org.colleague,
            nominator=org.outsider,
            reason="Stayed late to fix the order system.",
        ),
    }


def url_for(name: str, world) -> str:
    kwargs = {key: (world[value].pk if value in world else value) for key, value in MATRIX[name][0].items()}
    return reverse(name, kwargs=kwargs)


def sign_in(client, org, role):
    if role != "anonymous":
        client.force_login(getattr(org, role).user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_on_every_page(client, org, world, role):
    client = sign_in(client, org, role)
    wrong = {}
    for name, (_, expected) in MATRIX.items():
        status = client.get(url_for(name, world)).status_code
        if status != expected[role]:
            wrong[name] = (status, expected[role])
    assert not wrong, f"{role}: url -> (got, expected): {wrong}"


@pytest.mark.parametrize("role", ["colleague", "outsider", "outsider_head", "head"])
@pytest.mark.parametrize("name", sorted(POST_ACTIONS))
def test_hr_actions_are_refused_to_everyone_else(client, org, world, role, name):
    before = sorted(world["open"].__class__.objects.values_list("pk", "status"))
    response = sign_in(client, org, role).post(url_for(name, world))
    assert response.status_code == 403
    assert sorted(world["open"].__class__.objects.values_list("pk", "status")) == before


@pytest.mark.parametrize("name", sorted(POST_ACTIONS))
def test_hr_actions_are_carried_out_for_hr(client, org, world, name):
    response = sign_in(client, org, "hr").post(url_for(name, world))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "kwargs", "role"),
    [
        ("portal:charter", {"code": "nope"}, "hr"),
        ("departments:edit", {"code": "nope"}, "hr"),
        ("departments:charter_edit", {"code": "nope"}, "hr"),
        ("departments:dependencies_edit", {"code": "nope"}, "hr"),
        ("surveys:answer", {"cycle_id": 999999, "department_code": "it"}, "outsider"),
        ("surveys:answer", {"cycle_id": "open", "department_code": "nope"}, "outsider"),
        ("surveys:cycle_detail", {"pk": 999999}, "hr"),
        ("surveys:cycle_edit", {"pk": 999999}, "hr"),
        ("surveys:cycle_launch", {"pk": 999999}, "hr"),
        ("surveys:cycle_repeat", {"pk": 999999}, "hr"),
        ("scorecards:scorecard", {"code": "nope"}, "hr"),
        ("scorecards:action_list", {"code": "nope"}, "hr"),
        ("scorecards:no_action", {"code": "it", "parameter_id": 999999}, "head"),
        ("scorecards:export_scores", {"cycle_id": 999999}, "hr"),
        ("recognition:criterion_edit", {"pk": 999999}, "hr"),
        ("recognition:nomination_review", {"pk": 999999}, "hr"),
        ("scorecards:export_xlsx", {"cycle_id": 999999}, "head"),
        ("concerns:detail", {"pk": "00000000-0000-4000-8000-000000000000"}, "hr"),
        ("departments:delegates", {"code": "nope"}, "hr"),
        ("improvements:action_detail", {"code": "it", "pk": 999999}, "head"),
        ("improvements:action_detail", {"code": "sales", "pk": "action"}, "outsider_head"),  # IT's item
        ("improvements:action_edit", {"code": "sales", "pk": "action"}, "outsider_head"),
        ("improvements:action_update", {"code": "sales", "pk": "action"}, "outsider_head"),
        ("improvements:commitment_edit", {"code": "sales", "pk": "commitment"}, "outsider_head"),
        ("improvements:template_edit", {"pk": 999999}, "hr"),
        ("kpis:department", {"code": "nope"}, "outsider"),
        ("kpis:create", {"code": "nope"}, "hr"),
        ("kpis:edit", {"code": "it", "pk": 999999}, "head"),
        ("kpis:edit", {"code": "sales", "pk": "kpi"}, "outsider_head"),  # IT's KPI
        ("concerns:department", {"code": "nope"}, "hr"),
        ("audits:template_edit", {"pk": 999999}, "hr"),
        ("audits:detail", {"pk": 999999}, "hr"),
        ("audits:record", {"pk": 999999}, "outsider"),
        ("audits:record", {"pk": "audit"}, "head"),  # IT's head never learns of the audit
        ("audits:record", {"pk": "audit"}, "hr"),  # HR reads it on audits:detail
        ("audits:attachment", {"pk": "audit", "attachment_id": "audit_attachment"}, "hr"),  # another audit's
        ("audits:attachment", {"pk": "audit_done", "attachment_id": "audit_attachment"}, "head"),
    ],
)
def test_wrong_ids_are_404(client, org, world, name, kwargs, role):
    kwargs = {key: (world[value].pk if value in world else value) for key, value in kwargs.items()}
    assert sign_in(client, org, role).get(reverse(name, kwargs=kwargs)).status_code == 404


def test_an_export_never_holds_another_departments_figures(client, org, world):
    """IDOR: Sales' head may download, and gets Sales' rows only (nobody rates Sales), never IT's."""
    client = sign_in(client, org, "outsider_head")
    for name in ("scorecards:export_scores", "scorecards:export_heatmap"):
        rows = list(csv.DictReader(io.StringIO(client.get(url_for(name, world)).content.decode())))
        assert {row["provider_department"] for row in rows} <= {"sales"}, name
        assert all(row["n"] == "0" and row["suppressed"] == "true" for row in rows), name
    client.force_login(org.head.user)
    rows = list(csv.DictReader(io.StringIO(client.get(url_for("scorecards:export_scores", world)).content.decode())))
    assert rows and {row["provider_department"] for row in rows} == {"it"}


def test_hr_lists_are_not_readable_by_employees(client, org, world):
    client = sign_in(client, org, "outsider")
    for name in ("departments:hr_people", "surveys:cycle_list", "scorecards:organisation"):
        response = client.get(url_for(name, world))
        assert response.status_code == 403 and org.head.user.email not in response.content.decode()


@pytest.mark.parametrize("role", ROLES[:-1])
def test_django_admin_is_for_staff_only(client, org, role):
    response = sign_in(client, org, role).get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", ["colleague", "head", "outsider_head", "hr"])
def test_nobody_but_the_auditor_can_record_an_audit(client, org, world, role):
    """The audited department (its people, its head) and everyone else: 404, and nothing written."""
    audit = world["audit"]
    data = {"requested_on": audit.scheduled_on.isoformat(), "score_0": "0", "score_1": "1"}
    response = sign_in(client, org, role).post(url_for("audits:record", world), data)
    assert response.status_code == 404
    audit.refresh_from_db()
    assert audit.status == "scheduled" and not audit.scores.exists()
