"""Every URL of the site × hostile input → never a 500, a message, nothing written.

INPUTS declares, for every URL name, what it accepts: the fields its POST is read for (each with
its kind, and a valid post to start from), the GET parameters its page reads (each with its kind),
or nothing. The URL names come from walking the resolver and the fields and parameters from
recording what each request actually reads (record_input below), so a new page, form field or GET
parameter fails here until someone declares what it accepts (as test_permission_matrix.py does
for who may open a page).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.forms.formsets import BaseFormSet
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode

from concerns.models import ClosureDate
from departments.views import PENDING_IMPORT_KEY
from improvements.models import ActionItem
from kpis.views import PENDING_KPI_IMPORT_KEY
from recognition.models import AwardCriterion, Nomination, ThankYouNote
from surveys.models import Cycle
from tests.factories import (
    ALL_GOOD,
    PASSWORD,
    PNG_BYTES,
    answers,
    audits_world,
    charter_post,
    cycle_post,
    improvements_world,
    kpi_post,
    make_closed_cycle,
    make_concern,
    make_cycle,
    make_kpi,
    upload,
)
from tests.resolver import site_url_names

# --- kinds of input, and what each is sent ----------------------------------------------------

LINE = "one line of text"  # a name, a code, an email: no control character at all
PARAGRAPH = "paragraphs"  # a textarea: line breaks and tabs are its own, nothing else below U+0020
SECRET = "password"  # one line; any length is a password, so no 10,000 characters
CHOICE = "choice"  # a value from a list, a number, a date, an id: anything else is not one
CHECKBOX = "checkbox"  # any value means "ticked", and only that is kept: no text to refuse
CSV_FILE = "CSV file"  # an upload: checked cell by cell, errors as file:line
NEXT = "where to go after signing in"  # Django keeps it on the site or drops it
ATTACHMENT = "an image or PDF file"  # an upload told by its first bytes, never by its name or type

HOSTILE: dict[str, list[str]] = {
    LINE: ["Bad\x00value", "Bad\x1b[31mvalue", "Bad\r\nBcc: everyone@example.com", "Bad\u202evalue", "x" * 10_000],
    PARAGRAPH: ["Bad\x00value", "Bad\x7fvalue", "Bad\rvalue", "x" * 10_000],
    SECRET: ["Bad\x00value", "Bad\x1b[31mvalue", "Bad\u202evalue"],
    CHOICE: ["1\x00", "²", "9" * 5000, "x" * 10_000, "\u202e1"],
    CHECKBOX: [],
    NEXT: ["//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\x00", "/\r\nSet-Cookie: a=b"],
}
# A text column of each file, whose valid cell is replaced by each of these (the last: a broken quote).
TEXT_COLUMN = {
    "departments": "name",
    "employees": "first_name",
    "dependencies": "consumer_code",
    "parameters": "name",
    "kpi_values": "kpi_code",
}
# Uploads that are not an image or a PDF, whatever they claim (audit attachments).
HOSTILE_ATTACHMENTS = [
    ("photo.png", b"<html><script>alert(1)</script></html>"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("animation.gif", b"GIF89a\x01\x00\x01\x00"),
    ("empty.pdf", b""),
    ("evil\u202egnp.exe", b"MZ\x90\x00"),
]
HOSTILE_CELLS = ["Bad\x00value", "Bad\x07value", '"Bad\r\nvalue"', "\u202eBad", "x" * 10_000, '"Bad']

G_NUMBER = "a whole number in a range"
G_TEXT = "a line of text"
G_CHOICE = "one of a few values"
G_CYCLE = "a cycle with results"  # naming a cycle that is not there: 404, never another cycle's figures
G_NEXT = "where to go after signing in"

HOSTILE_GET: dict[str, list[str]] = {
    G_NUMBER: ["²", "9" * 5000, "0", "-1", "1\x00", "\u202e1", "x" * 10_000],
    G_TEXT: ["a\x00b", "a\r\nb", "a\x1bb", "\u202eab", "x" * 10_000],
    G_CHOICE: ["\x00", "yes", "²", "\u202e1", "x" * 10_000],
    G_CYCLE: ["²", "9" * 5000, "\x00", "x" * 10_000],
    G_NEXT: ["//evil.example/", "javascript:alert(1)", "/\x00", "\r\n"],
}
GET_IGNORED = "in the address is not valid, so it was ignored."


@dataclass(frozen=True)
class Inputs:
    """What one URL accepts, and who may send it (anonymous, head, outsider: an employee rating IT, hr)."""

    role: str
    kwargs: dict[str, str] = field(default_factory=dict)  # "open", "closed", "draft": the world's cycles
    fields: dict[str, str] = field(default_factory=dict)  # POST name (a formset row's number as N) -> kind
    valid: Callable[[SimpleNamespace], dict] | None = None  # a post that is accepted, to spoil field by field
    get: dict[str, str] = field(default_factory=dict)  # GET parameter -> kind
    action: bool = False  # a button: a POST without fields
    accepted: Callable = lambda response: response.status_code == 302
    before: Callable[[Client, SimpleNamespace], object] | None = None  # a step the page needs first


NO_INPUT = {"role": "hr"}
CHARTER_ROW = {
    "id": CHOICE,
    "name": LINE,
    "code": LINE,
    "description": LINE,
    "name_de": LINE,  # i18n: German charter texts
    "description_de": LINE,
    "target": CHOICE,
    "weight": CHOICE,
    "position": CHOICE,
    "active": CHECKBOX,
}
MANAGEMENT = dict.fromkeys(["TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"], CHOICE)
CYCLE_FIELDS = {
    "name": LINE,
    "opens_at": CHOICE,
    "closes_at": CHOICE,
    "departments": CHOICE,
    "score_threshold": CHOICE,
    "comment_threshold": CHOICE,
    "reminder_days_after_open": CHOICE,
    "reminder_days_before_close": CHOICE,
    "intro": PARAGRAPH,
    "overlap_confirmed": CHECKBOX,
}
IMPORT_FILES = {
    "departments": "code,name,head_email,front_line,description\nlegal,Legal,,no,Contracts and advice.\n",
    "employees": "email,first_name,last_name,department_code,job_title\nlaw@example.com,Lee,Law,legal,Counsel\n",
    "dependencies": "consumer_code,provider_code\nlegal,it\n",
    "parameters": "department_code,code,name,target,weight,description\nlegal,speed,Speed,4,1,Answers in a day.\n",
}
KPI_VALUES_FILE = (
    "department_code,kpi_code,period_start,period_end,value\nit,tickets-2-days,2026-03-01,2026-03-31,92.5\n"
)
CSV_UPLOADS = IMPORT_FILES | {"kpi_values": KPI_VALUES_FILE}
KPI_FIELDS = {
    "name": LINE,
    "code": LINE,
    "unit": CHOICE,
    "direction": CHOICE,
    "frequency": CHOICE,
    "agreed": CHOICE,
    "warning": CHOICE,
    "parameter": CHOICE,
}


def kpi_of_it_post(w, **changes) -> dict:
    """A KPI of IT, evidencing one of its parameters, as its form posts it."""
    return kpi_post(parameter=w.parameter.pk, **changes)


CRITERION_FIELDS = (
    {"name": LINE, "description": PARAGRAPH, "badge": CHOICE}
    | dict.fromkeys(
        [
            "min_index",
            "min_improvement",
            "min_front_line_mean",
            "min_concerns_in_time_pct",
            "min_action_feedback_pct",
            "min_participation_pct",
            "consecutive_cycles",
            "min_responses",
        ],
        CHOICE,
    )
    | dict.fromkeys(["by_nomination", "active", "all_parameters_meet_target", "back_office_only"], CHECKBOX)
)


def criterion_post(name: str) -> dict:
    """An award criterion as HR's form posts it: one measure, the rest left empty."""
    return {
        "name": name,
        "description": "Answers fast.\r\n\tEvery time.",
        "badge": "star",
        "active": "on",
        "min_index": "4.2",
        "consecutive_cycles": "1",
        "min_responses": "0",
    }


def later(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def set_password_first(client: Client, w) -> None:
    """The emailed link puts its token in the session and leads to the form (Django's design)."""
    client.get(
        reverse("password_reset_confirm", args=[w.uid, default_token_generator.make_token(w.org.colleague.user)])
    )


def action_post(w) -> dict:
    """An action item of IT as its page posts it."""
    return {
        "title": "Answer within a day",
        "change": "Every ticket.\r\n\tAnswered.",
        "parameters": [w.org.it.parameters.first().pk],
        "owners": [w.org.colleague.pk],
        "due_on": later(30)[:10],
        "status": "in_progress",
        "percent_complete": "20",
        "dropped_reason": "",
    }


def audit_template_post(w) -> dict:
    """A new template for IT with two checklist items, as HR's page posts it."""
    first, second = w.org.it.parameters.order_by("position")[:2]
    row = {"id": "", "template": "", "weight": "1"}
    return {
        "department": w.org.it.pk,
        "name": "Service desk walk-in",
        "scenario": "Ask for a loan laptop.\r\n\tWait.",
        "active": "on",
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        **{f"form-0-{key}": value for key, value in row.items()},
        "form-0-parameter": first.pk,
        "form-0-text": "Greeted within a minute",
        "form-0-kind": "pass_fail",
        "form-0-critical": "on",
        **{f"form-1-{key}": value for key, value in row.items()},
        "form-1-parameter": second.pk,
        "form-1-text": "Explained the fix",
        "form-1-kind": "scale",
    }


def audit_record_post(w) -> dict:
    """The outsider's audit of IT: a pass, a 4 of 5, notes and a photo."""
    return {
        "requested_on": timezone.localdate().isoformat(),
        "response_hours": "2.5",
        "score_0": "1",
        "note_0": "Quick.\r\n\tKind.",
        "score_1": "4",
        "note_1": "",
        "attachments": upload("photo.png", PNG_BYTES),
    }


def import_checked(response) -> bool:
    return response.status_code == 200 and 'id="import-summary"' in response.content.decode()


INPUTS: dict[str, Inputs] = {
    "home": Inputs(**NO_INPUT),
    "healthz": Inputs(**NO_INPUT),
    "time_zone": Inputs(
        role="outsider",
        fields={"time_zone": CHOICE},  # an IANA name, sent by static/js/time.js
        valid=lambda w: {"time_zone": "Europe/Paris"},
        accepted=lambda response: response.status_code == 204,
    ),
    "login": Inputs(
        role="anonymous",
        fields={"username": LINE, "password": SECRET, "next": NEXT},
        valid=lambda w: {"username": "head@example.com", "password": PASSWORD, "next": "/departments/"},
        get={"next": G_NEXT},
    ),
    "logout": Inputs(role="hr", fields={"next": NEXT}, valid=lambda w: {"next": "/accounts/login/"}),
    "password_reset": Inputs(role="anonymous", fields={"email": LINE}, valid=lambda w: {"email": "head@example.com"}),
    "password_reset_done": Inputs(role="anonymous"),
    "password_reset_confirm": Inputs(
        role="anonymous",
        kwargs={"uidb64": "uid", "token": "set-password"},
        fields={"new_password1": SECRET, "new_password2": SECRET},
        valid=lambda w: {"new_password1": "Blue-Harbour-2031", "new_password2": "Blue-Harbour-2031"},
        before=set_password_first,
    ),
    "password_reset_complete": Inputs(role="anonymous"),
    "departments:directory": Inputs(role="outsider", get={"q": G_TEXT, "front_line": G_CHOICE, "page": G_NUMBER}),
    "portal:charter": Inputs(role="outsider", kwargs={"code": "it"}, get={"commitments": G_CHOICE, "page": G_NUMBER}),
    "departments:edit": Inputs(
        role="hr",
        kwargs={"code": "it"},
        fields={"name": LINE, "description": PARAGRAPH, "head": CHOICE, "front_line": CHECKBOX, "active": CHECKBOX}
        | {"name_de": LINE, "description_de": PARAGRAPH},  # i18n: German texts
        valid=lambda w: {"name": "IT", "description": "Laptops.\r\nNetworks.", "head": w.org.head.pk, "active": "on"},
    ),
    "departments:charter_edit": Inputs(
        role="head",
        kwargs={"code": "it"},
        fields={f"form-{name}": kind for name, kind in MANAGEMENT.items()}
        | {f"form-N-{name}": kind for name, kind in CHARTER_ROW.items()},
        valid=lambda w: charter_post(w.org.it, changes={"form-0-name": "Speed of answers"}),
    ),
    "departments:dependencies_edit": Inputs(
        role="hr", kwargs={"code": "it"}, fields={"providers": CHOICE}, valid=lambda w: {"providers": [w.org.sales.pk]}
    ),
    "portal:head_home": Inputs(role="head"),
    "portal:hr_home": Inputs(**NO_INPUT),
    "departments:hr_departments": Inputs(role="hr", get={"page": G_NUMBER}),
    "departments:create": Inputs(
        role="hr",
        fields={"code": LINE, "name": LINE, "description": PARAGRAPH, "front_line": CHECKBOX}
        | {"name_de": LINE, "description_de": PARAGRAPH},  # i18n: German texts
        valid=lambda w: {"code": "legal", "name": "Legal", "description": "Contracts.\r\n\tAdvice."},
    ),
    "departments:hr_people": Inputs(
        role="hr", get={"q": G_TEXT, "department": G_CHOICE, "status": G_CHOICE, "page": G_NUMBER}
    ),
    "departments:org_import": Inputs(
        role="hr",
        # Django's file input reads a "clear" box beside each file, too.
        fields=dict.fromkeys(IMPORT_FILES, CSV_FILE)
        | {f"{kind}-clear": CHECKBOX for kind in IMPORT_FILES}
        | {"deactivate_missing": CHECKBOX},
        valid=lambda w: {kind: upload(f"{kind}.csv", text) for kind, text in IMPORT_FILES.items()},
        accepted=import_checked,
    ),
    "departments:org_import_confirm": Inputs(role="hr", action=True),
    "portal:my_surveys": Inputs(role="outsider"),
    "surveys:survey": Inputs(role="outsider", kwargs={"cycle_id": "open"}),
    "surveys:answer": Inputs(
        role="outsider",
        kwargs={"cycle_id": "open", "department_code": "it"},
        fields={
            "action": CHOICE,  # read by the view: submit or draft, never guessed
            "it-q_responsiveness": CHOICE,
            "it-q_quality": CHOICE,
            "it-comment_good": PARAGRAPH,
            "it-comment_improve": PARAGRAPH,
            "it-action_feedback": CHOICE,  # IT did something since the closed cycle (see world)
        },
        valid=lambda w: answers(comment_good="Quick.\r\n\tKind.", **ALL_GOOD),
    ),
    "surveys:decline": Inputs(role="outsider", kwargs={"cycle_id": "open", "department_code": "it"}, action=True),
    "surveys:cycle_list": Inputs(role="hr", get={"page": G_NUMBER}),
    "surveys:cycle_create": Inputs(
        role="hr",
        fields=CYCLE_FIELDS,
        valid=lambda w: cycle_post(w.org, name="Autumn survey", opens_at=later(90), closes_at=later(104)),
    ),
    "surveys:cycle_detail": Inputs(role="hr", kwargs={"pk": "open"}, get={"partial": G_CHOICE}),
    "surveys:cycle_edit": Inputs(
        role="hr",
        kwargs={"pk": "draft"},
        fields=CYCLE_FIELDS,
        valid=lambda w: cycle_post(w.org, name="Draft renamed", opens_at=later(60), closes_at=later(74)),
    ),
    "surveys:cycle_launch": Inputs(role="hr", kwargs={"pk": "draft"}, action=True),
    "surveys:cycle_open": Inputs(role="hr", kwargs={"pk": "draft"}, action=True),
    "surveys:cycle_close": Inputs(role="hr", kwargs={"pk": "open"}, action=True),
    "surveys:cycle_publish": Inputs(role="hr", kwargs={"pk": "closed"}, action=True),
    "surveys:cycle_repeat": Inputs(
        role="hr",
        kwargs={"pk": "closed"},
        fields={"period": CHOICE, "name": LINE},
        valid=lambda w: {"period": "quarterly", "name": "Closed one, again"},
    ),
    "surveys:cycle_invite_new": Inputs(role="hr", kwargs={"pk": "open"}, action=True),
    "surveys:cycle_remind": Inputs(role="hr", kwargs={"pk": "open"}, action=True),
    "scorecards:scorecard": Inputs(role="head", kwargs={"code": "it"}, get={"cycle": G_CYCLE}),
    "scorecards:export_scores": Inputs(role="hr", kwargs={"cycle_id": "closed"}),
    "scorecards:export_heatmap": Inputs(role="hr", kwargs={"cycle_id": "closed"}),
    "scorecards:export_xlsx": Inputs(role="hr", kwargs={"cycle_id": "closed"}),
    "scorecards:organisation": Inputs(role="hr", get={"cycle": G_CYCLE, "cols": G_NUMBER}),
    "scorecards:value_chain": Inputs(role="outsider", get={"cycle": G_CYCLE, "focus": G_CHOICE}),
    "scorecards:value_chain_data": Inputs(role="outsider", get={"cycle": G_CYCLE}),
    "scorecards:value_chain_table": Inputs(role="outsider", get={"cycle": G_CYCLE, "page": G_NUMBER}),
    "scorecards:recalculate": Inputs(role="hr", kwargs={"cycle_id": "closed"}, action=True),
    "scorecards:awards_evaluate": Inputs(role="hr", kwargs={"cycle_id": "closed"}, action=True),
    "recognition:criteria": Inputs(**NO_INPUT),
    "recognition:criterion_create": Inputs(
        role="hr", fields=CRITERION_FIELDS, valid=lambda w: criterion_post("Quick answers")
    ),
    "recognition:criterion_edit": Inputs(
        role="hr",
        kwargs={"pk": "criterion"},
        fields=CRITERION_FIELDS,
        valid=lambda w: criterion_post("Service Excellence"),
    ),
    # Thank-you notes: "choose" is the no-script step's button (shows the department's people).
    "recognition:wall": Inputs(role="outsider", get={"department": G_CHOICE, "parameter": G_CHOICE, "page": G_NUMBER}),
    "recognition:feed": Inputs(role="outsider"),
    "recognition:thank": Inputs(
        role="outsider",
        fields={
            "department": CHOICE,
            "colleagues": CHOICE,
            "parameter": CHOICE,
            "message": PARAGRAPH,
            "show_name": CHECKBOX,
            "choose": CHECKBOX,
            "next": NEXT,
        },
        valid=lambda w: {
            "department": "it",
            "colleagues": [w.org.colleague.pk],
            "parameter": w.parameter.pk,
            "message": "Fixed my laptop.\r\n\tThanks!",
            "show_name": "on",
            "next": "/departments/",
        },
        get={"department": G_CHOICE, "next": G_NEXT},
    ),
    "recognition:note_hide": Inputs(
        role="hr",
        kwargs={"pk": "note"},
        fields={"reason": PARAGRAPH, "next": NEXT},
        valid=lambda w: {"reason": "Personal insult.\r\n\tNot a thank-you.", "next": "/recognition/"},
    ),
    "recognition:preferences": Inputs(
        role="head", fields={"weekly_digest": CHOICE}, valid=lambda w: {"weekly_digest": "yes"}
    ),
    # Nominations: "choose" is the no-script step's button; a review posts one of its three forms
    # (approve here; decline and merge in tests/recognition); the panel adds, or removes one.
    "recognition:nominate": Inputs(
        role="outsider",
        fields={
            "criterion": CHOICE,
            "department": CHOICE,
            "employee": CHOICE,
            "parameter": CHOICE,
            "reason": PARAGRAPH,
            "anonymous": CHECKBOX,
            "choose": CHECKBOX,
        },
        valid=lambda w: {
            "criterion": w.nomination.criterion_id,
            "department": "it",
            "employee": w.org.head.pk,
            "parameter": w.parameter.pk,
            "reason": "Fixed the network\r\n\tbefore the board meeting.",
            "anonymous": "on",
        },
        get={"department": G_CHOICE},
    ),
    "recognition:my_nominations": Inputs(role="outsider", get={"page": G_NUMBER}),
    "recognition:nominations": Inputs(role="hr", get={"show": G_CHOICE}),  # ?page= with show=decided only
    "recognition:nomination_review": Inputs(
        role="hr",
        kwargs={"pk": "nomination"},
        fields={"action": CHOICE, "citation": PARAGRAPH},
        valid=lambda w: {"action": "approve", "citation": "For fixing the order system\r\n\tovernight."},
    ),
    "recognition:panel": Inputs(
        role="hr", fields={"employee": CHOICE, "remove": CHOICE}, valid=lambda w: {"employee": w.org.colleague.pk}
    ),
    "scorecards:action_list": Inputs(
        role="head", kwargs={"code": "it"}, get={"done_page": G_NUMBER, "dropped_page": G_NUMBER}
    ),
    "scorecards:no_action": Inputs(
        role="head",
        kwargs={"code": "it", "parameter_id": "parameter"},
        fields={"reason": PARAGRAPH},
        valid=lambda w: {"reason": "We move offices in May.\r\n\tBack to normal in June."},
    ),
    "scorecards:hr_actions": Inputs(
        role="hr", get={"page": G_NUMBER, "overdue_page": G_NUMBER, "done_page": G_NUMBER}
    ),
    "departments:delegates": Inputs(
        role="head",
        kwargs={"code": "it"},
        fields={"delegates": CHOICE},
        valid=lambda w: {"delegates": [w.org.colleague.pk]},
    ),
    "improvements:action_create": Inputs(
        role="head",
        kwargs={"code": "it"},
        fields=dict.fromkeys(["parameters", "owners", "due_on", "status", "percent_complete", "template"], CHOICE)
        | {"title": LINE, "change": PARAGRAPH, "dropped_reason": PARAGRAPH},
        valid=lambda w: action_post(w) | {"template": w.suggestion.pk},
        get={"parameter": G_CHOICE, "template": G_CHOICE},
    ),
    "improvements:action_detail": Inputs(role="head", kwargs={"code": "it", "pk": "action"}),
    "improvements:action_edit": Inputs(
        role="head",
        kwargs={"code": "it", "pk": "action"},
        fields=dict.fromkeys(["parameters", "owners", "due_on", "status", "percent_complete"], CHOICE)
        | {"title": LINE, "change": PARAGRAPH, "dropped_reason": PARAGRAPH},
        valid=action_post,
    ),
    "improvements:action_update": Inputs(
        role="head",
        kwargs={"code": "it", "pk": "action"},
        fields={"written_on": CHOICE, "text": PARAGRAPH, "public": CHECKBOX},
        valid=lambda w: {
            "written_on": timezone.localdate().isoformat(),
            "text": "Half done.\r\n\tOn track.",
            "public": "on",
        },
    ),
    "improvements:commitments": Inputs(
        role="head",
        kwargs={"code": "it"},
        fields={"text": LINE, "parameters": CHOICE, "due_on": CHOICE},
        valid=lambda w: {
            "text": "answer within a day",
            "parameters": [w.org.it.parameters.first().pk],
            "due_on": later(9)[:10],
        },
        get={"page": G_NUMBER},
    ),
    "improvements:commitment_edit": Inputs(
        role="head",
        kwargs={"code": "it", "pk": "commitment"},
        fields={"text": LINE, "parameters": CHOICE, "due_on": CHOICE, "outcome": CHOICE, "outcome_note": PARAGRAPH},
        valid=lambda w: {
            "text": "answer in a day",
            "due_on": later(9)[:10],
            "outcome": "pending",
            "outcome_note": "On track.\r\n\tGood.",
        },
    ),
    "improvements:nudge": Inputs(
        role="hr", kwargs={"code": "it"}, fields={"next": NEXT}, valid=lambda w: {"next": "/hr/"}
    ),
    "improvements:templates": Inputs(
        role="hr",
        fields={"parameter_name": LINE, "title": LINE, "change": PARAGRAPH},
        valid=lambda w: {"parameter_name": "Communication", "title": "Say why", "change": "Explain.\r\n\tAlways."},
        get={"page": G_NUMBER},
    ),
    "improvements:template_edit": Inputs(
        role="hr",
        kwargs={"pk": "suggestion"},
        fields={"parameter_name": LINE, "title": LINE, "change": PARAGRAPH},
        valid=lambda w: {"parameter_name": "Responsiveness", "title": "Publish", "change": "Publish.\r\n\tMeasure."},
    ),
    "improvements:template_delete": Inputs(role="hr", kwargs={"pk": "suggestion"}, action=True),
    "kpis:department": Inputs(role="outsider", kwargs={"code": "it"}),
    "kpis:create": Inputs(role="head", kwargs={"code": "it"}, fields=KPI_FIELDS, valid=kpi_of_it_post),
    "kpis:edit": Inputs(
        role="head",
        kwargs={"code": "it", "pk": "kpi"},
        fields=KPI_FIELDS | {"active": CHECKBOX},
        valid=lambda w: kpi_of_it_post(w, code="tickets-2-days", active="on"),
    ),
    "kpis:upload": Inputs(
        role="head",
        fields={"kpi_values": CSV_FILE},
        valid=lambda w: {"kpi_values": upload("kpi_values.csv", KPI_VALUES_FILE)},
        accepted=import_checked,
    ),
    "kpis:upload_confirm": Inputs(role="hr", action=True),
    "kpis:hr": Inputs(role="hr", get={"page": G_NUMBER}),
    "audits:hr": Inputs(role="hr", get={"page": G_NUMBER}),
    "audits:templates": Inputs(**NO_INPUT),
    "audits:template_create": Inputs(
        role="hr",
        fields={"department": CHOICE, "name": LINE, "scenario": PARAGRAPH, "active": CHECKBOX}
        | {f"form-{name}": kind for name, kind in MANAGEMENT.items()}
        | dict.fromkeys(["form-N-id", "form-N-template", "form-N-parameter", "form-N-kind", "form-N-weight"], CHOICE)
        | {"form-N-text": LINE, "form-N-critical": CHECKBOX},
        valid=audit_template_post,
    ),
    # Audited already: its checklist is fixed, the scenario alone is edited.
    "audits:template_edit": Inputs(
        role="hr",
        kwargs={"pk": "audit_template"},
        fields={"name": LINE, "scenario": PARAGRAPH, "active": CHECKBOX},
        valid=lambda w: {"name": "Walk-in, renamed", "scenario": "Walk in.\r\n\tAsk.", "active": "on"},
    ),
    "audits:schedule": Inputs(
        role="hr",
        fields={"template": CHOICE, "auditor": CHOICE, "due_on": CHOICE},
        valid=lambda w: {
            "template": w.audit_template.pk,
            "auditor": w.org.outsider_head.pk,
            "due_on": later(10)[:10],
        },
    ),
    "audits:detail": Inputs(role="hr", kwargs={"pk": "audit"}, action=True),  # cancels it
    "audits:mine": Inputs(role="outsider", get={"page": G_NUMBER}),
    "audits:record": Inputs(
        role="outsider",
        kwargs={"pk": "audit"},
        fields={"requested_on": CHOICE, "response_hours": CHOICE, "attachments": ATTACHMENT}
        | {f"score_{n}": CHOICE for n in (0, 1)}
        | {f"note_{n}": PARAGRAPH for n in (0, 1)},
        valid=audit_record_post,
    ),
    "audits:attachment": Inputs(role="hr", kwargs={"pk": "audit_done", "attachment_id": "audit_attachment"}),
    "concerns:raise": Inputs(
        role="outsider",
        fields={
            "department": CHOICE,
            "parameter": CHOICE,
            "subject": LINE,
            "description": PARAGRAPH,
            "anonymous": CHOICE,  # the department-sharing box is not read: Sales is too small to share
        },
        valid=lambda w: {
            "department": w.org.it.pk,
            "parameter": w.org.it.parameters.first().pk,
            "subject": "Slow laptop requests",
            "description": "Asked twice.\r\n\tNo answer.",
            "anonymous": "yes",
        },
        accepted=lambda response: response.status_code == 200 and b"data-receipt" in response.content,
        get={"department": G_CHOICE},
    ),
    "concerns:mine": Inputs(role="outsider", get={"page": G_NUMBER}),
    "concerns:receipt": Inputs(
        role="outsider",
        fields={"code": LINE, "action": CHOICE, "message-text": PARAGRAPH},
        valid=lambda w: {"code": w.anonymous.code, "action": "message", "message-text": "More.\r\n\tThanks."},
        accepted=lambda response: response.status_code == 200 and b"Your message was sealed" in response.content,
    ),
    "concerns:hr": Inputs(role="hr", get={"quarter": G_CHOICE, "page": G_NUMBER}),
    "concerns:settings": Inputs(
        role="hr",
        fields={"acknowledge_days": CHOICE, "answer_days": CHOICE},
        valid=lambda w: {"acknowledge_days": "3", "answer_days": "12"},
    ),
    "concerns:closure_add": Inputs(
        role="hr", fields={"date": CHOICE, "name": LINE}, valid=lambda w: {"date": "2026-12-26", "name": "Boxing Day"}
    ),
    "concerns:closure_delete": Inputs(role="hr", kwargs={"pk": "closure"}, action=True),
    "concerns:department": Inputs(role="head", kwargs={"code": "it"}, get={"show": G_CHOICE, "page": G_NUMBER}),
    "concerns:detail": Inputs(role="head", kwargs={"pk": "concern"}),
    "concerns:acknowledge": Inputs(role="head", kwargs={"pk": "concern"}, action=True),
    "concerns:to_action": Inputs(role="head", kwargs={"pk": "concern"}, action=True),
    **{
        f"concerns:{action}": Inputs(
            role=role,
            kwargs={"pk": "concern"},
            fields={f"{action}-{field}": kind},
            valid=lambda w, action=action, field=field, value=value: {f"{action}-{field}": value(w)},
        )
        for action, role, field, kind, value in [
            ("message", "head", "text", PARAGRAPH, lambda w: "Which model?\r\n\tThanks."),
            ("answer", "head", "text", PARAGRAPH, lambda w: "Ordered.\r\n\tSorry."),
            ("not_ours", "head", "reason", PARAGRAPH, lambda w: "Facilities own it."),
            ("reopen", "outsider", "reason", PARAGRAPH, lambda w: "Still broken."),
            ("rate", "outsider", "rating", CHOICE, lambda w: "resolved"),
            ("hide", "hr", "reason", PARAGRAPH, lambda w: "Personal insult."),
            ("reassign", "hr", "department", CHOICE, lambda w: w.org.sales.pk),
        ]
    },
    # --- sso ---
    # Not configured in the suite: both answer 404 and read nothing (with SSO on, the start reads `next`
    # and the callback the provider's code and state, tests/accounts/test_sso_*).
    "oidc_authentication_init": Inputs(role="anonymous"),
    "oidc_authentication_callback": Inputs(role="anonymous"),
    "oidc_logout": Inputs(role="hr", action=True),
    # --- api ---
    "api:tokens": Inputs(role="hr", get={"page": G_NUMBER}),
    "api:token_create": Inputs(
        role="hr",
        fields={"name": LINE, "scopes": CHOICE, "expires_on": CHOICE},
        valid=lambda w: {
            "name": "BI dashboard",
            "scopes": ["read_scores"],
            "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
        accepted=lambda response: response.status_code == 200 and b"ssp_" in response.content,  # shown once
    ),
    "api:token_revoke": Inputs(role="hr", kwargs={"pk": "999999"}, action=True),
    "api:schema": Inputs(**NO_INPUT),
    "api:docs": Inputs(**NO_INPUT),
    "api:docs_script": Inputs(**NO_INPUT),
    "api:redoc": Inputs(**NO_INPUT),
    # The API is token-only: these answer a session 401 before reading anything (tests/api checks
    # their input with tokens, and schemathesis fuzzes them).
    **{
        f"api:{name}": Inputs(role="hr", kwargs=kwargs)
        for name, kwargs in [
            ("departments", {}),
            ("department", {"code": "it"}),
            ("cycles", {}),
            ("participation", {"pk": "closed"}),
            ("scores", {"pk": "closed"}),
            ("heatmap", {"pk": "closed"}),
            ("action_items", {}),
            ("kpi_values", {}),
            ("org_import", {}),
        ]
    },
    # --- hrsync ---
    "hrsync:runs": Inputs(**NO_INPUT),
    "hrsync:run": Inputs(role="hr", kwargs={"pk": "999999"}),
    "hrsync:run_now": Inputs(role="hr", action=True),
    "hrsync:confirm": Inputs(role="hr", kwargs={"pk": "999999"}, action=True),
    "hrsync:discard": Inputs(role="hr", kwargs={"pk": "999999"}, action=True),
    # --- i18n ---
    "set_language": Inputs(
        role="outsider",
        fields={"language": CHOICE, "next": NEXT},  # the switcher in base.html's footer
        valid=lambda w: {"language": "de", "next": "/my/surveys/"},
    ),
}
FORMS = sorted(name for name, inputs in INPUTS.items() if inputs.fields)
PAGES_WITH_PARAMETERS = sorted(name for name, inputs in INPUTS.items() if inputs.get)
BUTTONS = sorted(name for name, inputs in INPUTS.items() if inputs.action)


# --- recording what a request reads ----------------------------------------------------------------

READ: dict[str, set[str]] = {"GET": set(), "POST": set()}
VALIDATED: list = []  # the forms and formsets validated while answering a request


def _recording(source: str, base: type):
    class Recording(base):  # type: ignore[valid-type, misc]
        def __getitem__(self, key):
            READ[source].add(key)
            return super().__getitem__(key)

        def get(self, key, default=None):
            READ[source].add(key)
            return super().get(key, default)

        def getlist(self, key, default=None):
            READ[source].add(key)
            return super().getlist(key, default)

        def __contains__(self, key):
            READ[source].add(key)
            return super().__contains__(key)

    return Recording


RecordedGet, RecordedPost, RecordedFiles = (
    _recording("GET", QueryDict),
    _recording("POST", QueryDict),
    _recording("POST", MultiValueDict),
)


def _copy(original: QueryDict, recording: type) -> QueryDict:
    copy = recording(mutable=True, encoding=original.encoding)
    for key, values in original.lists():
        copy.setlist(key, values)
    copy._mutable = False
    return copy


def record_input(get_response):
    """Test middleware (first of all): each request's GET, POST and FILES note every name read."""

    def middleware(request):
        request.GET = _copy(request.GET, RecordedGet)
        if request.method == "POST":
            request.POST = _copy(request.POST, RecordedPost)
            request._files = RecordedFiles(dict(request.FILES.lists()))
        return get_response(request)

    return middleware


@pytest.fixture
def recorded(settings, monkeypatch):
    settings.MIDDLEWARE = [f"{__name__}.record_input", *settings.MIDDLEWARE]
    for cls in (forms.BaseForm, BaseFormSet):
        original = cls.full_clean

        def full_clean(self, original=original):
            original(self)
            VALIDATED.append(self)

        monkeypatch.setattr(cls, "full_clean", full_clean)


@pytest.fixture
def world(org):
    """IT rated in an open cycle and a closed one (with results); a draft cycle two months ahead.
    IT finished an action item between the two, so the open cycle asks whether it made a difference."""
    closed = make_closed_cycle(org)
    now = timezone.now()
    Cycle.objects.filter(pk=closed.pk).update(opens_at=now - timedelta(days=90))
    closed.refresh_from_db()
    ActionItem.objects.create(
        department=org.it,
        title="Publish response times",
        change="Response times are published.",
        due_on=timezone.localdate(),
        status=ActionItem.Status.DONE,
        completed_on=timezone.localdate() - timedelta(days=30),
    )
    draft = make_cycle(org, name="Draft one", opens_at=now + timedelta(days=60), closes_at=now + timedelta(days=74))
    return SimpleNamespace(
        org=org,
        open=make_cycle(org, status="open", name="Open one"),
        closed=closed,
        draft=draft,
        uid=urlsafe_base64_encode(force_bytes(org.colleague.user.pk)),
        concern=make_concern(org.it, raised_by=org.outsider),
        anonymous=make_concern(org.it, subject="Anonymous one"),
        closure=ClosureDate.objects.create(date=date(2026, 12, 25), name="Christmas"),
        **improvements_world(org),
        kpi=make_kpi(org.it),
        **audits_world(org),
        parameter=org.it.parameters.order_by("position").first(),
        criterion=AwardCriterion.objects.create(name="Service Excellence", min_index=4),
        note=ThankYouNote.objects.create(sender=org.outsider, department=org.it, message="Thanks!"),
        nomination=Nomination.objects.create(
            criterion=AwardCriterion.objects.create(name="Above and Beyond", by_nomination=True),
            department=org.it,
            employee=org.colleague,
            nominator=org.outsider,
            reason="Stayed late to fix the order system.",
        ),
    )


def client_for(inputs: Inputs, w) -> Client:
    client = Client(headers={"X-Forwarded-Proto": "https"})  # built after the recording middleware is in
    if inputs.role != "anonymous":
        client.force_login(getattr(w.org, inputs.role).user)
    if inputs.before:
        inputs.before(client, w)
    return client


def url_of(name: str, w) -> str:
    kwargs = {
        key: getattr(w, value).pk
        if value
        in (
            "open",
            "closed",
            "draft",
            "concern",
            "closure",
            "action",
            "commitment",
            "suggestion",
            "kpi",
            "parameter",
            "criterion",
            "note",
            "nomination",
            "audit",
            "audit_done",
            "audit_template",
            "audit_attachment",
        )
        else value
        for key, value in INPUTS[name].kwargs.items()
    }
    if "uidb64" in kwargs:
        kwargs["uidb64"] = w.uid
    return reverse(name, kwargs=kwargs)


def send(client: Client, method: str, url: str, data=None, **extra):
    READ["GET"].clear()
    READ["POST"].clear()
    VALIDATED.clear()
    return getattr(client, method)(url, data, **extra)


def row_pattern(name: str) -> str:
    """A formset row's field with the row's number as N: the declared form of every row."""
    return re.sub(r"^form-\d+-", "form-N-", name)


# --- every URL declares what it accepts, and that is what it reads --------------------------------


def test_every_url_of_the_site_declares_what_it_accepts():
    assert site_url_names() == set(INPUTS), "declare the new page's input in INPUTS"


def test_the_get_parameters_declared_are_those_each_page_reads(recorded, world):
    undeclared = {}
    for name, inputs in INPUTS.items():
        response = send(client_for(inputs, world), "get", url_of(name, world))
        assert response.status_code < 500, name
        if READ["GET"] != set(inputs.get):
            undeclared[name] = sorted(READ["GET"])
    assert not undeclared, f"declare these pages' GET parameters in INPUTS: {undeclared}"


@pytest.mark.parametrize("name", FORMS)
def test_a_valid_post_is_accepted_and_reads_exactly_the_fields_declared(recorded, world, name):
    inputs = INPUTS[name]
    assert inputs.valid is not None
    response = send(client_for(inputs, world), "post", url_of(name, world), inputs.valid(world))

    assert inputs.accepted(response), f"{name}: the valid post was refused ({response.status_code})"
    read = {row_pattern(key) for key in READ["POST"]} - {"csrfmiddlewaretoken"}
    assert read == set(inputs.fields), f"{name}: declare its form's fields in INPUTS"


@pytest.mark.parametrize("name", BUTTONS)
def test_a_button_reads_nothing_from_its_post(recorded, world, name):
    response = send(client_for(INPUTS[name], world), "post", url_of(name, world), {"extra": "\x00", "n": "9" * 5000})

    assert response.status_code < 500
    assert READ["POST"] - {"csrfmiddlewaretoken"} == set(), f"{name}: it reads a field; declare it in INPUTS"


# --- hostile values: refused with a message, nothing written ---------------------------------------


def hostile_files(kind: str) -> list[tuple[str, object]]:
    """The valid file with the text of one column, on line 2, made hostile in turn."""
    header, row = CSV_UPLOADS[kind].splitlines()
    at = header.split(",").index(TEXT_COLUMN[kind])
    files = []
    for cell in HOSTILE_CELLS:
        values = row.split(",")
        values[at] = cell
        files.append((cell, upload(f"{kind}.csv", f"{header}\n{','.join(values)}\n")))
    return files


def errors_shown(page: str, name: str) -> list[str]:
    """The messages about field `name` on the forms validated for the request, that the page shows."""
    messages = []
    for validated in VALIDATED:
        if isinstance(validated, BaseFormSet):
            if re.fullmatch(r"form-[A-Z_]+", name):  # a tampered form count: said about the whole formset
                messages += [str(error) for error in validated.non_form_errors()]
            continue
        for field_name, errors in validated.errors.items():
            if validated.add_prefix(field_name) == name:
                messages += [str(error) for error in errors]
    return [message for message in messages if escape(message) in page]


def check_refused(client: Client, response, name: str, kind: str) -> str | None:
    """Why this answer to a hostile value in `name` is wrong, or None when it is right."""
    if response.status_code >= 500:
        return "a server error"
    if kind == NEXT:  # signing in (or out) works; the hostile target is dropped or kept on the site
        target = urlsplit(response.get("Location", "/"))
        return (
            None if target.netloc in ("", "testserver") and target.scheme in ("", "https", "http") else "left the site"
        )
    if 400 <= response.status_code < 500 and response.get("Content-Type", "").startswith("text/plain"):
        return None if response.content.strip() else "a refusal without a message"  # read by a script
    if response.status_code in (301, 302):
        followed = client.get(response["Location"])
        page = followed.content.decode()
        return None if 'class="alert alert-danger"' in page else "a redirect without an error message"
    page = response.content.decode()
    if kind == CSV_FILE:  # the line, and the column or the broken quote
        file_line = re.search(rf"{name}\.csv:2: [^<]*(a quoted value|\b{TEXT_COLUMN[name]}\b)", page)
        waiting = PENDING_IMPORT_KEY in client.session or PENDING_KPI_IMPORT_KEY in client.session
        return None if "Nothing was imported" in page and file_line and not waiting else "no file:line error"
    return None if errors_shown(page, name) else "no message about the field on the page"


@pytest.mark.parametrize("name", FORMS)
def test_hostile_values_in_every_field_are_refused_with_a_message_and_nothing_is_written(
    recorded, world, database_rows, name
):
    inputs = INPUTS[name]
    assert inputs.valid is not None
    client = client_for(inputs, world)
    url = url_of(name, world)
    before = database_rows()
    wrong = []
    for declared, kind in inputs.fields.items():
        posted = declared.replace("-N-", "-0-")
        if kind == CSV_FILE:
            values = hostile_files(posted)
        elif kind == ATTACHMENT:
            values = [(name, upload(name, content)) for name, content in HOSTILE_ATTACHMENTS]
        else:
            values = [(value, value) for value in HOSTILE[kind]]
        for shown, value in values:
            response = send(client, "post", url, inputs.valid(world) | {posted: value})
            problem = check_refused(client, response, posted, kind)
            if kind == NEXT:  # it signed in, as it should: start again signed out
                client, before = client_for(inputs, world), database_rows()
            elif database_rows() != before:
                problem = problem or "something was written"
            if problem:
                wrong.append((posted, repr(shown)[:40], problem))
    assert not wrong, f"{name}: {wrong}"


@pytest.mark.parametrize("name", PAGES_WITH_PARAMETERS)
def test_hostile_values_in_every_get_parameter_give_the_default_with_a_message(recorded, world, database_rows, name):
    inputs = INPUTS[name]
    client = client_for(inputs, world)
    url = url_of(name, world)
    before = database_rows()
    wrong = []
    for parameter, kind in inputs.get.items():
        for value in HOSTILE_GET[kind]:
            response = send(client, "get", url, {parameter: value})
            page = response.content.decode()
            if kind == G_CYCLE:
                right = response.status_code == 404 and "does not exist" in page
            elif kind == G_NEXT:
                right = response.status_code == 200 and "evil.example" not in page and "javascript:" not in page
            else:
                right = response.status_code == 200 and GET_IGNORED in page
            if not right or database_rows() != before:
                wrong.append((parameter, repr(value)[:40], response.status_code))
    assert not wrong, f"{name}: {wrong}"
