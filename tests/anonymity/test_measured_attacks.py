"""Attacks on the promises of the measured service (mystery-shopping audits, their attachments, the
value chain map and the KPIs). Each test names the attack; a passing test documents a defence, a
failing one is a finding."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audits.models import Audit, AuditAttachment
from audits.services import audit_schedule, findings_tell_heads
from departments.models import Delegate
from improvements.models import ActionItem
from kpis.models import KpiValue
from scorecards.services import cycle_aggregate
from surveys import services as survey_services
from surveys.models import Cycle, Invitation
from tests.factories import (
    ALL_GOOD,
    PDF_BYTES,
    PNG_BYTES,
    EmployeeFactory,
    make_audit,
    make_audit_template,
    make_closed_cycle,
    make_cycle,
    make_kpi,
    submit_audit,
    upload,
)

AUDITOR_FIRST, AUDITOR_LAST = "Quintessa", "Auditorsdottir"


@pytest.fixture
def auditor(org):
    """The outsider (Sales), with a name that appears nowhere else."""
    org.outsider.user.first_name, org.outsider.user.last_name = AUDITOR_FIRST, AUDITOR_LAST
    org.outsider.user.save()
    return org.outsider


@pytest.fixture
def audit(org, auditor):
    return make_audit(make_audit_template(org.it), auditor, scheduled_on=timezone.localdate() - timedelta(days=25))


def record_post(requested_on=None, **changes):
    values = {
        "requested_on": (requested_on or timezone.localdate()).isoformat(),
        "response_hours": "3.5",
        "score_0": "0",  # the critical pass/fail item fails: an action item is raised
        "note_0": "",
        "score_1": "4",
        "note_1": "Friendly.",
    }
    return values | changes


def _names_auditor(text: str, auditor) -> list[str]:
    needles = [AUDITOR_LAST, auditor.email, auditor.user.username]
    return [needle for needle in needles if needle and needle in text]


def _written(spelled: str, text: str) -> bool:
    """As a whole date: "1 December" is not the day written inside "31 December"."""
    return re.search(rf"(?<![\w-]){re.escape(spelled)}", text) is not None


def _spellings(day) -> list[str]:
    return [
        day.isoformat(),
        f"{day.day} {day:%b} {day.year}",
        f"{day.day} {day:%B} {day.year}",
        f"{day:%B} {day.day},",
        f"{day.day} {day:%B}",
    ]


# --- audits: the department never learns the auditor ---------------------------------------------


def test_attack_history_rows_written_in_the_auditors_request_name_nobody(as_, org, audit, auditor):
    """HistoryRequestMiddleware is live in the auditor's request: every historical row it writes
    (any model, any table, m2m included) must have no history_user."""
    historical = [
        m for m in apps.get_models() if m.__name__.startswith("Historical") and hasattr(m, "history_user_id")
    ]
    before = {m: set(m.objects.values_list("pk", flat=True)) for m in historical}
    response = as_(auditor).post(reverse("audits:record", args=[audit.pk]), record_post())
    assert response.status_code == 302
    written = 0
    for model in historical:
        for row in model.objects.exclude(pk__in=before[model]):
            written += 1
            assert row.history_user_id is None, f"{model.__name__} names user {row.history_user_id}"
    assert written  # the action item's history was written


def test_attack_head_reads_action_item_page_list_and_plan_for_the_auditor(as_, org, audit, auditor):
    as_(auditor).post(reverse("audits:record", args=[audit.pk]), record_post())
    item = ActionItem.objects.get()
    client = as_(org.head)
    for url in (
        reverse("improvements:action_detail", args=["it", item.pk]),
        reverse("scorecards:action_list", args=["it"]),
    ):
        page = client.get(url).content.decode()
        assert not _names_auditor(page, auditor), url


@pytest.mark.parametrize("auditor_zone", [None, "Pacific/Kiritimati", "America/Los_Angeles"])
def test_attack_action_item_page_gives_the_submission_instant_day_or_zone(as_, org, audit, auditor, auditor_zone):
    """The raised item, its history and its page are dated by the request's month alone, in the
    organisation's time zone: the auditor's request would otherwise stamp them with the instant
    of the submit, its day, and (at "midnight" in the auditor's zone) the auditor's zone."""
    client = as_(auditor)
    if auditor_zone:
        client.post(reverse("time_zone"), {"time_zone": auditor_zone})
        session = client.session
        assert session.get("time_zone") == auditor_zone
    submitted = timezone.now()
    requested = timezone.localdate() - timedelta(days=3)
    client.post(reverse("audits:record", args=[audit.pk]), record_post(requested_on=requested))
    item = ActionItem.objects.get()
    month_start = timezone.make_aware(
        datetime.combine(requested.replace(day=1), time.min), timezone.get_default_timezone()
    )
    assert item.created_at == month_start
    assert {row.history_date for row in item.history.all()} == {month_start}
    assert (item.due_on + timedelta(days=1)).day == 1  # the end of a month, not submit + n days
    page = as_(org.head).get(reverse("improvements:action_detail", args=["it", item.pk])).content.decode()
    for zone in (UTC, timezone.get_current_timezone()):
        assert submitted.astimezone(zone).strftime("T%H:%M:%S") not in page
    page = page.replace(f'value="{timezone.localdate().isoformat()}"', "")  # the update form's default
    for spelled in _spellings(timezone.localdate()):
        assert not _written(spelled, page), spelled


def test_attack_head_reads_scorecard_for_auditor_and_day_of_the_only_audit_in_its_month(as_, org, audit, auditor):
    make_closed_cycle(org)
    requested = timezone.localdate() - timedelta(days=11)
    response = as_(auditor).post(reverse("audits:record", args=[audit.pk]), record_post(requested_on=requested))
    assert response.status_code == 302
    page = as_(org.head).get(reverse("scorecards:scorecard", args=["it"])).content.decode()
    assert "Mystery-shopping audits" in page and requested.strftime("%B %Y") in page
    assert not _names_auditor(page, auditor)
    for spelled in _spellings(requested):
        assert not _written(spelled, page), spelled
    assert "3.5" not in page  # the response time is HR's


def test_attack_head_exports_name_no_auditor(as_, org, audit, auditor):
    cycle = make_closed_cycle(org)
    as_(auditor).post(reverse("audits:record", args=[audit.pk]), record_post())
    client = as_(org.head)
    for name in ("export_scores", "export_heatmap", "export_xlsx"):
        body = client.get(reverse(f"scorecards:{name}", args=[cycle.pk])).content
        assert AUDITOR_LAST.encode() not in body and auditor.email.encode() not in body, name


def test_attack_head_email_names_neither_auditor_nor_day(as_, org, audit, auditor, django_capture_on_commit_callbacks):
    requested = timezone.localdate() - timedelta(days=11)
    with django_capture_on_commit_callbacks(execute=True):
        as_(auditor).post(reverse("audits:record", args=[audit.pk]), record_post(requested_on=requested))
    assert not [m for m in mail.outbox if org.head.email in m.to]  # not at the time of the submit
    with django_capture_on_commit_callbacks(execute=True):
        findings_tell_heads()
    to_head = [m for m in mail.outbox if org.head.email in m.to]
    assert len(to_head) == 1
    text = to_head[0].subject + to_head[0].body + str(to_head[0].extra_headers)
    assert not _names_auditor(text, auditor)
    for spelled in _spellings(requested):
        assert not _written(spelled, text), spelled


@pytest.mark.parametrize("who", ["head", "colleague", "delegate"])
def test_attack_department_probes_record_page_404_for_scheduled_and_missing_alike(as_, org, audit, delegate, who):
    client = as_({"head": org.head, "colleague": org.colleague, "delegate": delegate}[who])
    existing = client.get(reverse("audits:record", args=[audit.pk]))
    missing = client.get(reverse("audits:record", args=[audit.pk + 1000]))
    assert existing.status_code == missing.status_code == 404


@pytest.mark.parametrize("who", ["head", "colleague"])
def test_attack_department_probes_hr_audit_page_and_attachments_same_status_as_missing(as_, org, who):
    world_done = make_audit(make_audit_template(org.it, name="done"), org.outsider)
    submit_audit(world_done, [1, 4], files=[upload("r.png", PNG_BYTES)])
    attachment = world_done.attachments.get()
    client = as_({"head": org.head, "colleague": org.colleague}[who])
    pairs = [
        (reverse("audits:detail", args=[world_done.pk]), reverse("audits:detail", args=[world_done.pk + 999])),
        (
            reverse("audits:attachment", args=[world_done.pk, attachment.pk]),
            reverse("audits:attachment", args=[world_done.pk + 999, attachment.pk + 999]),
        ),
    ]
    for existing, missing in pairs:
        assert client.get(existing).status_code == client.get(missing).status_code
        assert client.get(existing).status_code in (403, 404)


def _audit_sections(page: str) -> str:
    start = page.index('id="measured-heading"')
    end = page.index("concerns/_figures") if "concerns/_figures" in page else page.index('id="audits-heading"') + 4000
    return page[start:end]


def test_attack_head_compares_scorecard_before_and_after_an_audit_is_scheduled(as_, org, auditor):
    make_closed_cycle(org)
    client = as_(org.head)
    url = reverse("scorecards:scorecard", args=["it"])
    before = client.get(url).content.decode()
    mail.outbox.clear()
    audit_schedule(
        template=make_audit_template(org.it), auditor=auditor, due_on=timezone.localdate(), scheduled_by=org.hr.user
    )
    after = client.get(url).content.decode()
    # Nothing of an audit in progress: the page reads the same, and no email reached the department.
    strip = lambda html: "\n".join(line for line in html.splitlines() if "csrf" not in line)  # noqa: E731
    assert strip(before) == strip(after)
    assert all(org.head.email not in m.to and org.colleague.email not in m.to for m in mail.outbox)


def test_attack_department_home_pages_show_no_count_of_audits_in_progress(as_, org, auditor):
    make_audit(make_audit_template(org.it), auditor)
    for person in (org.head, org.colleague):
        for url in (reverse("audits:mine"), reverse("portal:my_surveys") if _has("portal:my_surveys") else None):
            if url is None:
                continue
            page = as_(person).get(url, follow=True).content.decode()
            assert "Walk-in: a broken laptop" not in page


def _has(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


@pytest.mark.parametrize("becomes", ["delegate", "head", "member"])
def test_attack_auditor_joins_the_audited_department_after_scheduling_and_still_submits(
    as_, org, audit, auditor, becomes
):
    if becomes == "delegate":
        Delegate.objects.create(department=org.it, employee=auditor)
    elif becomes == "head":
        org.it.head = auditor
        org.it.save()
    else:
        auditor.department = org.it
        auditor.save()
    as_(auditor).post(reverse("audits:record", args=[audit.pk]), record_post())
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SCHEDULED
    assert not ActionItem.objects.exists()


def test_attack_hr_schedules_a_delegate_of_the_audited_department_from_another_department(org, auditor):
    Delegate.objects.create(department=org.it, employee=auditor)
    with pytest.raises(Exception, match="outside IT"):
        audit_schedule(
            template=make_audit_template(org.it),
            auditor=auditor,
            due_on=timezone.localdate(),
            scheduled_by=org.hr.user,
        )


# --- attachments ----------------------------------------------------------------------------------


def _submit_with(as_, audit, auditor, *files):
    return as_(auditor).post(
        reverse("audits:record", args=[audit.pk]), record_post(score_0="1") | {"attachments": list(files)}
    )


def test_attack_html_named_png_is_refused_by_its_bytes(as_, audit, auditor):
    _submit_with(as_, audit, auditor, upload("photo.png", b"<html><script>alert(1)</script></html>"))
    assert not AuditAttachment.objects.exists()
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SCHEDULED


def test_attack_oversized_attachment_is_refused(as_, settings, audit, auditor):
    settings.AUDIT_ATTACHMENT_MAX_BYTES = 100
    _submit_with(as_, audit, auditor, upload("big.png", PNG_BYTES + b"\x00" * 200))
    assert not AuditAttachment.objects.exists()


def test_attack_too_many_attachments_are_refused(as_, settings, audit, auditor):
    settings.AUDIT_ATTACHMENTS_MAX = 2
    _submit_with(as_, audit, auditor, *[upload(f"p{i}.png", PNG_BYTES) for i in range(3)])
    assert not AuditAttachment.objects.exists()


def test_attack_polyglot_png_html_is_only_ever_downloaded_with_nosniff(as_, org, audit, auditor):
    _submit_with(as_, audit, auditor, upload("x.html", PNG_BYTES[:8] + b"<script>alert(1)</script>"))
    attachment = AuditAttachment.objects.get()
    assert attachment.kind == "png"
    assert not attachment.file.name.endswith(".html")
    for person in (org.hr, auditor):
        response = as_(person).get(reverse("audits:attachment", args=[audit.pk, attachment.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"


def test_attack_stored_name_is_random_and_not_reachable_by_media_or_static_urls(as_, org, audit, auditor, settings):
    _submit_with(as_, audit, auditor, upload("secret-receipt.pdf", PDF_BYTES))
    attachment = AuditAttachment.objects.get()
    name = attachment.file.name
    assert name.startswith("audits/") and "secret" not in name and len(name.split("/")[-1]) >= 32
    client = as_(org.hr)
    for url in (f"/media/{name}", f"/{name}", f"/static/{name}", f"{settings.MEDIA_URL or '/'}{name}"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["head", "colleague", "outsider_head"])
def test_attack_others_download_the_attachment(as_, org, audit, auditor, who):
    _submit_with(as_, audit, auditor, upload("r.png", PNG_BYTES))
    attachment = AuditAttachment.objects.get()
    response = as_(getattr(org, who)).get(reverse("audits:attachment", args=[audit.pk, attachment.pk]))
    assert response.status_code == 404


# --- the value chain map ---------------------------------------------------------------------------


def _cycle_with_three(org, *, name: str, threshold: int) -> Cycle:
    """IT rated by Sales (2 people) and HR (1 person); closed and aggregated, not published."""
    cycle = make_cycle(org, status="open", name=name, score_threshold=threshold, comment_threshold=max(threshold, 5))
    for employee in (org.outsider, org.outsider_head, org.hr):
        survey_services.response_submit(
            invitation=Invitation.objects.get(cycle=cycle, employee=employee), scores=ALL_GOOD
        )
    survey_services.cycle_close(cycle_id=cycle.pk)
    cycle_aggregate(cycle_id=cycle.pk)
    cycle.refresh_from_db()
    return cycle


def _walk_figures(data):
    for node in data["nodes"]:
        yield node["id"], node["index"]
    for edge in data["edges"]:
        yield edge["id"], edge["rating"]


def test_attack_employee_reaches_an_unpublished_cycle_by_query(as_, org):
    cycle = make_closed_cycle(org)
    client = as_(org.colleague)
    for name in ("value_chain", "value_chain_data", "value_chain_table"):
        assert client.get(reverse(f"scorecards:{name}") + f"?cycle={cycle.pk}").status_code == 404


def test_attack_suppressed_figures_carry_no_number_in_json_or_table(as_, org):
    cycle = make_closed_cycle(org)  # 3 responses, threshold 5: all suppressed
    survey_services.cycle_publish(cycle=cycle)
    client = as_(org.colleague)
    data = client.get(reverse("scorecards:value_chain_data") + f"?cycle={cycle.pk}").json()
    seen = 0
    for where, figure in _walk_figures(data):
        if figure and not figure["shown"]:
            seen += 1
            assert set(figure) == {"shown", "note"}, where
    assert seen
    it = next(n for n in data["nodes"] if n["id"] == "it")
    assert it["index"] == {"shown": False, "note": "not enough responses"}
    table = client.get(reverse("scorecards:value_chain_table") + f"?cycle={cycle.pk}").content.decode()
    assert "not enough responses" in table


def test_attack_complementary_suppression_holds_on_the_map(as_, org):
    """Threshold 3: IT's index (n=3) is shown, its cells Sales (2) and HR (1) are both hidden: the
    map must not show the Sales cell, or index n − Sales n gives HR's one rater back."""
    cycle = _cycle_with_three(org, name="k3", threshold=3)
    survey_services.cycle_publish(cycle=cycle)
    data = as_(org.colleague).get(reverse("scorecards:value_chain_data") + f"?cycle={cycle.pk}").json()
    ratings = {e["id"]: e["rating"] for e in data["edges"]}
    assert ratings["it->sales"] == {"shown": False, "note": "not enough responses"}
    assert ratings["it->hr"] == {"shown": False, "note": "not enough responses"}


def test_attack_map_gives_back_the_n_of_suppressed_cells_by_subtraction(as_, org):
    """The map hides a suppressed cell's n, and tells a suppressed cell ("not enough responses") from
    a pair nobody rated ("no ratings from …"). With k=3, IT rated by Sales (5, shown), and Finance,
    Ops and HR (1 each, hidden together: 3 ≥ k): the shown index n (8) − Sales' n (5) = 3 hidden
    responses over three cells each ≥ 1, so each is exactly one person."""
    from departments.models import Dependency
    from tests.factories import DepartmentFactory

    for code in ("fin", "ops"):
        department = DepartmentFactory(code=code, name=code.upper())
        Dependency.objects.create(provider=org.it, consumer=department)
        EmployeeFactory(department=department)
    for _ in range(3):
        EmployeeFactory(department=org.sales)
    cycle = make_cycle(org, status="open", name="k3", score_threshold=3, comment_threshold=5)
    for invitation in Invitation.objects.filter(cycle=cycle):
        survey_services.response_submit(invitation=invitation, scores=ALL_GOOD)
    survey_services.cycle_close(cycle_id=cycle.pk)
    cycle_aggregate(cycle_id=cycle.pk)
    cycle.refresh_from_db()
    survey_services.cycle_publish(cycle=cycle)
    data = as_(org.colleague).get(reverse("scorecards:value_chain_data") + f"?cycle={cycle.pk}").json()
    index = next(n for n in data["nodes"] if n["id"] == "it")["index"]
    ratings = {e["id"]: e["rating"] for e in data["edges"] if e["source"] == "it"}
    hidden = [k for k, r in ratings.items() if not r["shown"]]
    assert index["shown"] and hidden, (index, ratings)
    # No n to subtract, on any figure of the map...
    figures = [node["index"] for node in data["nodes"]] + [edge["rating"] for edge in data["edges"]]
    assert not [figure for figure in figures if "n" in figure]
    # ...and a pair nobody rated reads as a suppressed one: neither says a hidden cell has a rater.
    assert {r["note"] for r in ratings.values() if not r["shown"]} == {"not enough responses"}
    assert {r["note"] for r in (e["rating"] for e in data["edges"]) if not r["shown"]} == {"not enough responses"}


def test_attack_a_head_reads_other_departments_unpublished_figures_on_the_map(as_, org):
    """Before HR publishes a cycle, a head may read only their own department's results (scorecard);
    the map is for every employee and, per README, shows published cycles. The head of Sales asks
    for the closed, unpublished cycle and reads IT's index."""
    cycle = _cycle_with_three(org, name="unpublished", threshold=3)
    assert cycle.status == Cycle.Status.CLOSED
    client = as_(org.outsider_head)
    response = client.get(reverse("scorecards:value_chain_data") + f"?cycle={cycle.pk}")
    if response.status_code == 404:
        return
    it = next(n for n in response.json()["nodes"] if n["id"] == "it")
    assert not (it["index"] or {}).get("shown"), f"Sales' head reads IT's unpublished index: {it['index']}"


def test_attack_a_head_gets_the_unpublished_cycle_by_default_on_the_map(as_, org):
    cycle = _cycle_with_three(org, name="unpublished", threshold=3)
    data = as_(org.outsider_head).get(reverse("scorecards:value_chain_data")).json()
    assert data["cycle"] is None or data["cycle"]["id"] != cycle.pk, "the map opens on an unpublished cycle for a head"


# --- KPIs -------------------------------------------------------------------------------------------


def _csv(*rows) -> bytes:
    return ("department_code,kpi_code,period_start,period_end,value\n" + "".join(f"{r}\n" for r in rows)).encode()


def test_attack_head_uploads_kpi_values_for_another_department(as_, org):
    make_kpi(org.sales)
    client = as_(org.head)
    response = client.post(
        reverse("kpis:upload"), {"kpi_values": upload("v.csv", _csv("sales,tickets-2-days,2026-09-01,2026-09-30,50"))}
    )
    assert "only for those you act for" in response.content.decode()
    client.post(reverse("kpis:upload_confirm"))
    assert not KpiValue.objects.exists()


def test_attack_delegate_who_moved_uploads_for_the_old_department(as_, org, delegate):
    make_kpi(org.it)
    delegate.department = org.sales
    delegate.save()
    client = as_(delegate)
    client.post(
        reverse("kpis:upload"), {"kpi_values": upload("v.csv", _csv("it,tickets-2-days,2026-09-01,2026-09-30,50"))}
    )
    client.post(reverse("kpis:upload_confirm"))
    assert not KpiValue.objects.exists()


def test_attack_head_loses_the_role_between_check_and_confirm(as_, org):
    make_kpi(org.it)
    client = as_(org.head)
    client.post(
        reverse("kpis:upload"), {"kpi_values": upload("v.csv", _csv("it,tickets-2-days,2026-09-01,2026-09-30,50"))}
    )
    org.it.head = org.colleague
    org.it.save()
    client.post(reverse("kpis:upload_confirm"))
    assert not KpiValue.objects.exists()


def test_attack_head_defines_a_kpi_for_another_department(as_, org):
    response = as_(org.head).post(
        reverse("kpis:create", args=["sales"]),
        {"name": "x", "code": "x", "unit": "percent", "direction": "higher", "frequency": "monthly", "agreed": "90"},
    )
    assert response.status_code == 403


def test_attack_head_ties_a_kpi_to_another_departments_parameter(as_, org):
    foreign, own = org.sales.parameters.get(), org.it.parameters.first()
    form = {"unit": "percent", "direction": "higher", "frequency": "monthly", "agreed": "90", "active": "on"}
    client = as_(org.head)
    client.post(reverse("kpis:create", args=["it"]), form | {"name": "own", "code": "own", "parameter": own.pk})
    assert org.it.kpis.filter(parameter=own).exists()  # the form is right: only the parameter differs
    client.post(reverse("kpis:create", args=["it"]), form | {"name": "x", "code": "x", "parameter": foreign.pk})
    assert not org.it.kpis.filter(parameter=foreign).exists()


def test_attack_breach_action_raised_in_a_delegates_upload_names_nobody(
    as_, org, delegate, django_capture_on_commit_callbacks
):
    make_kpi(org.it)
    client = as_(delegate)
    client.post(
        reverse("kpis:upload"), {"kpi_values": upload("v.csv", _csv("it,tickets-2-days,2026-09-01,2026-09-30,50"))}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("kpis:upload_confirm"))
    assert KpiValue.objects.count() == 1
    item = ActionItem.objects.get()
    assert item.created_by is None
    assert all(row.history_user_id is None for row in item.history.all())


def test_attack_kpi_page_of_another_department_shows_no_action_links(as_, org):
    kpi = make_kpi(
        org.it,
        values=[
            (
                timezone.localdate().replace(day=1) - timedelta(days=40),
                timezone.localdate().replace(day=1) - timedelta(days=10),
                50,
            )
        ],
    )
    from kpis.services import kpi_breaches_raise

    kpi_breaches_raise(kpi_ids=[kpi.pk])
    item = ActionItem.objects.get()
    page = as_(org.outsider).get(reverse("kpis:department", args=["it"])).content.decode()
    assert reverse("improvements:action_detail", args=["it", item.pk]) not in page


def test_attack_delegate_defines_or_edits_kpis_of_their_department(as_, org, delegate):
    kpi = make_kpi(org.it)
    client = as_(delegate)
    form = {"name": "x", "code": "x", "unit": "percent", "direction": "higher", "frequency": "monthly", "agreed": "1"}
    assert client.post(reverse("kpis:create", args=["it"]), form).status_code == 403
    assert client.post(reverse("kpis:edit", args=["it", kpi.pk]), form).status_code == 403
    kpi.refresh_from_db()
    assert kpi.agreed == 90
