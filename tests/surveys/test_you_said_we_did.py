"""“You said, we did” on the survey page, and the action-feedback question that goes with it.

A department that finished action items between the previous cycle's opening and this one's shows
them (with their public progress updates, never internal ones) in a collapsed box at the top of its
section, and asks one optional question at the end of it. The answer travels like every other:
sealed in the draft and in the submitted answers, released with its group into Response.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import struct
from datetime import date, timedelta

import pytest
from django.db import DatabaseError, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from departments.models import Department
from improvements.models import ActionItem, ProgressUpdate
from surveys import sealing, services
from surveys.models import ActionFeedbackQuestion, Cycle, Invitation, Response
from surveys.reports import survey_url
from surveys.sealing import SEALED_SIZE, Answers, seal, unseal
from tests.factories import (
    ALL_GOOD,
    JSON,
    DependencyFactory,
    EmployeeFactory,
    ServiceParameterFactory,
    answers,
    make_cycle,
)

TODAY = timezone.localdate


def action_item(department: Department, title: str, *, done_on: date | None, updates=()) -> ActionItem:
    """An action item of `department`, done on `done_on` (None: still in progress), with progress
    updates given as (text, public) pairs."""
    item = ActionItem.objects.create(
        department=department,
        title=title,
        change=f"What changes: {title.lower()}.",
        due_on=TODAY() + timedelta(days=30),
        status=ActionItem.Status.DONE if done_on else ActionItem.Status.IN_PROGRESS,
        completed_on=done_on,
        percent_complete=100 if done_on else 40,
    )
    for number, (text, public) in enumerate(updates):
        ProgressUpdate.objects.create(
            action=item, written_on=TODAY() - timedelta(days=20 - number), text=text, public=public
        )
    return item


def last_cycle(org, *, days_ago: int = 90) -> Cycle:
    """The previous survey: opened `days_ago` days ago, closed two weeks later."""
    opens = timezone.now() - timedelta(days=days_ago)
    cycle = make_cycle(org, status="open", name="Last quarter", opens_at=opens, closes_at=opens + timedelta(days=14))
    services.cycle_close(cycle_id=cycle.pk)
    return cycle


@pytest.fixture
def it_changes(org):
    """IT's action items around the last survey (90 days ago): two done since then, one with a
    public and an internal update; one done before it, one in progress, one done today (counts for
    the next survey)."""
    last_cycle(org)
    action_item(
        org.it,
        "Publish response times",
        done_on=TODAY() - timedelta(days=30),
        updates=[("Promise agreed with Sales.", True), ("Budget row 14 approved by the CFO.", False)],
    )
    action_item(org.it, "Self-service password reset", done_on=TODAY() - timedelta(days=60))
    action_item(org.it, "Old printer fleet retired", done_on=TODAY() - timedelta(days=120))
    action_item(org.it, "New ticket form", done_on=None, updates=[("Half the fields are gone.", True)])
    action_item(org.it, "Chat support", done_on=TODAY())


@pytest.fixture
def cycle(org, it_changes) -> Cycle:
    """This survey, opened an hour ago: Sales (outsider, outsider_head) and HR (hr) rate IT."""
    return make_cycle(org, status="open", name="This quarter")


def page_of(login, employee, cycle: Cycle) -> str:
    return login(employee).get(survey_url(cycle.pk)).content.decode()


def the_invitation(org, cycle: Cycle, employee=None) -> Invitation:
    return Invitation.objects.select_related("cycle", "department").get(
        cycle=cycle, employee=employee or org.outsider, department=org.it
    )


# --- the box ------------------------------------------------------------------------------------


def test_the_survey_page_shows_what_the_department_did_since_the_last_survey_with_public_updates(login, org, cycle):
    page = page_of(login, org.outsider, cycle)

    assert "What IT did since the last survey (2 changes)" in page
    assert "Publish response times" in page and "Self-service password reset" in page
    assert "Promise agreed with Sales." in page  # a public progress update
    assert page.index("Self-service password reset") < page.index("Publish response times")  # in the order done
    assert "Old printer fleet retired" not in page  # done before the last survey
    assert "New ticket form" not in page and "Half the fields are gone." not in page  # not done
    assert "Chat support" not in page  # done the day this survey opened: it counts for the next one


def test_internal_progress_updates_never_reach_the_survey_page(login, org, cycle):
    page = page_of(login, org.outsider, cycle)

    assert "Budget row 14" not in page


def test_the_box_is_collapsed_and_opens_from_its_summary_by_keyboard(login, org, cycle):
    page = page_of(login, org.outsider, cycle)

    box = re.search(r"<details[^>]*data-changes-done[^>]*>\s*<summary[^>]*>([^<]*)</summary>", page)
    assert box is not None, "a <details> whose <summary> (a native, focusable control) names the box"
    assert " open" not in box.group(0)  # collapsed until opened
    assert box.group(1).strip() == "What IT did since the last survey (2 changes)"
    # At the top of the section: after the department's name, before its questions.
    assert page.index("How well did IT serve you?") < box.start() < page.index("Responsiveness")


def test_the_box_stays_on_a_section_with_a_draft_and_after_submitting(login, org, cycle):
    services.draft_save(
        invitation=the_invitation(org, cycle), scores={"quality": 3}, comment_good="", comment_improve=""
    )
    assert "What IT did since the last survey (2 changes)" in page_of(login, org.outsider, cycle)

    services.response_submit(invitation=the_invitation(org, cycle, org.outsider_head), scores=ALL_GOOD)
    page = page_of(login, org.outsider_head, cycle)
    assert "Your ratings for IT were submitted. Thank you." in page
    assert "What IT did since the last survey (2 changes)" in page


def test_nothing_is_shown_or_asked_about_a_department_that_finished_nothing_since(login, org):
    last_cycle(org)
    action_item(org.it, "Old printer fleet retired", done_on=TODAY() - timedelta(days=120))
    action_item(org.it, "New ticket form", done_on=None, updates=[("Half the fields are gone.", True)])
    cycle = make_cycle(org, status="open", name="This quarter")

    page = page_of(login, org.outsider, cycle)

    assert "did since the last survey" not in page and "data-changes-done" not in page
    assert "action_feedback" not in page and "make a difference" not in page
    assert not ActionFeedbackQuestion.objects.exists()


def test_the_first_survey_shows_nothing_since_there_was_no_last_one(login, org):
    action_item(org.it, "Publish response times", done_on=TODAY() - timedelta(days=30))
    cycle = make_cycle(org, status="open", name="The very first")

    page = page_of(login, org.outsider, cycle)

    assert "did since the last survey" not in page and "action_feedback" not in page


def test_a_closed_survey_shows_no_box(login, org, cycle):
    services.cycle_close(cycle_id=cycle.pk)

    page = page_of(login, org.outsider, cycle)

    assert "This survey has closed" in page and "did since the last survey" not in page


def test_a_new_public_update_appears_within_a_minute(login, org, cycle):
    page_of(login, org.outsider, cycle)
    ProgressUpdate.objects.create(
        action=ActionItem.objects.get(title="Publish response times"),
        written_on=TODAY(),
        text="Now measured every week.",
        public=True,
    )
    assert "Now measured every week." not in page_of(login, org.outsider, cycle)  # kept for everyone a while

    from django.core.cache import cache

    cache.clear()  # the minute has passed
    assert "Now measured every week." in page_of(login, org.outsider, cycle)


# --- the question -------------------------------------------------------------------------------


@pytest.fixture
def two_departments(org, it_changes) -> Cycle:
    """Sales rates IT (which finished two items since the last survey) and HR (which finished none)."""
    DependencyFactory(consumer=org.sales, provider=org.hr_dept)
    ServiceParameterFactory(department=org.hr_dept, code="payroll", name="Payroll")
    cycle = make_cycle(org, name="This quarter")
    cycle.departments.add(org.hr_dept)
    services.cycle_open(cycle_id=cycle.pk)
    return cycle


def test_only_a_department_that_did_something_asks_whether_it_made_a_difference(login, org, two_departments):
    page = page_of(login, org.outsider, two_departments)

    assert page.count("data-action-feedback") == 1
    assert 'name="it-action_feedback"' in page and 'name="hr-action_feedback"' not in page
    assert "Did the changes IT made since last cycle make a difference for you?" in page
    assert "What IT did since the last survey" in page and "What Human Resources did" not in page


def test_the_question_is_an_optional_fieldset_of_four_radio_buttons_at_the_end_of_the_section(login, org, cycle):
    page = page_of(login, org.outsider, cycle)

    question = re.search(r"<fieldset[^>]*data-action-feedback.*?</fieldset>", page, re.S)
    assert question is not None
    html = question.group(0)
    legend = re.search(r"<legend[^>]*>(.*?)</legend>", html, re.S).group(1)
    assert "Did the changes IT made since last cycle make a difference for you?" in legend and "optional" in legend
    radios = re.findall(
        r'<input class="btn-check" type="radio" name="it-action_feedback" id="([^"]+)" value="(\w+)"', html
    )
    assert [value for _, value in radios] == ["yes", "somewhat", "no", "unnoticed"]
    assert "required" not in html
    for radio_id, _ in radios:  # each with its own label, the large touch target
        assert f'for="{radio_id}"' in html
    labels = re.findall(r'<label class="btn[^"]*" for="[^"]+">([^<]+)</label>', html)
    assert labels == ["Yes", "Somewhat", "No", "Didn’t notice"]
    # The last question, after the comments, before the buttons.
    assert page.index('name="it-comment_improve"') < question.start() < page.index('value="submit"')


def test_submitting_without_answering_it_is_accepted(login, org, cycle):
    response = login(org.outsider).post(url(cycle), answers(**ALL_GOOD), **JSON)

    assert response.status_code == 200 and response.json()["status"] == "completed"
    assert waiting_feedback() == [None]


def url(cycle: Cycle, code: str = "it") -> str:
    return f"/surveys/{cycle.pk}/{code}/"


def waiting_feedback() -> list[str | None]:
    return [unseal(i.answers_sealed).action_feedback for i in Invitation.objects.exclude(answers_sealed=None)]


def test_a_draft_keeps_the_answer_sealed_and_the_page_shows_it_chosen_again(login, org, cycle):
    client = login(org.outsider)

    response = client.post(url(cycle), answers(action="draft", quality=3) | {"it-action_feedback": "somewhat"}, **JSON)

    assert response.json()["status"] == "draft"
    invitation = the_invitation(org, cycle)
    assert invitation.draft.action_feedback == "somewhat"
    sealed = bytes(Invitation.objects.get(pk=invitation.pk).draft_sealed)
    assert b"somewhat" not in sealed and len(sealed) > SEALED_SIZE
    page = client.get(survey_url(cycle.pk)).content.decode()
    assert re.search(r'name="it-action_feedback" id="[^"]+" value="somewhat" checked>', page)
    assert re.search(r'name="it-q_quality" id="[^"]+" value="3" checked>', page)


def test_a_submitted_answer_waits_sealed_and_is_released_with_its_group_into_the_response(login, org, cycle):
    login(org.outsider).post(url(cycle), answers(**ALL_GOOD) | {"it-action_feedback": "yes"}, **JSON)
    login(org.hr).post(url(cycle), answers(**ALL_GOOD) | {"it-action_feedback": "unnoticed"}, **JSON)
    login(org.outsider_head).post(url(cycle), answers(**ALL_GOOD), **JSON)

    assert sorted(waiting_feedback(), key=str) == [None, "unnoticed", "yes"]
    assert not any(b"yes" in bytes(i.answers_sealed) for i in Invitation.objects.exclude(answers_sealed=None))
    assert not Response.objects.exists()  # no group is large enough yet

    services.cycle_close(cycle_id=cycle.pk)

    released = Response.objects.values_list("rater_department__code", "action_feedback")
    assert sorted(released, key=lambda row: (row[0], row[1] or "")) == [
        ("hr", "unnoticed"),
        ("sales", None),
        ("sales", "yes"),
    ]


def test_an_answer_that_is_not_one_of_the_four_is_refused_and_nothing_is_stored(login, org, cycle):
    response = login(org.outsider).post(url(cycle), answers(**ALL_GOOD) | {"it-action_feedback": "maybe"}, **JSON)

    assert response.status_code == 400 and "Nothing was submitted" in response.json()["error"]
    assert "data-field-error" in response.json()["form"]
    assert the_invitation(org, cycle).status == "pending"
    with pytest.raises(services.SurveyError, match="not an answer"):
        services.response_submit(invitation=the_invitation(org, cycle), scores=ALL_GOOD, action_feedback="maybe")


def test_an_answer_about_a_department_that_is_not_asked_is_never_stored(login, org, two_departments):
    cycle = two_departments
    hr = Invitation.objects.select_related("cycle", "department").get(
        cycle=cycle, employee=org.outsider, department=org.hr_dept
    )
    with pytest.raises(services.SurveyError, match="does not ask"):
        services.response_submit(invitation=hr, scores={"payroll": 4}, action_feedback="yes")

    # The form has no such field: what a tampered page sends is not read.
    posted = {"hr-q_payroll": "4", "hr-comment_good": "", "hr-comment_improve": "", "action": "submit"}
    login(org.outsider).post(url(cycle, "hr"), posted | {"hr-action_feedback": "yes"}, **JSON)
    assert waiting_feedback() == [None]


def test_which_departments_are_asked_is_fixed_when_the_survey_opens(login, org):
    """A question that appeared during a cycle would split a released group into the responses
    given before it appeared and those after: smaller than the group the cycle promises."""
    last_cycle(org)
    cycle = make_cycle(org, status="open", name="This quarter")
    action_item(org.it, "Back-dated change", done_on=TODAY() - timedelta(days=30))  # marked done after opening

    assert 'name="it-action_feedback"' not in page_of(login, org.outsider, cycle)
    with pytest.raises(services.SurveyError, match="does not ask"):
        services.response_submit(invitation=the_invitation(org, cycle), scores=ALL_GOOD, action_feedback="yes")

    with transaction.atomic(), pytest.raises(DatabaseError):  # the database refuses it too
        ActionFeedbackQuestion.objects.create(
            cycle=cycle, department=org.it, done_since=TODAY() - timedelta(days=90), done_before=TODAY()
        )
    assert not ActionFeedbackQuestion.objects.filter(cycle=cycle).exists()


def test_a_question_asked_stays_asked_when_the_items_change_during_the_survey(login, org, cycle):
    ActionItem.objects.filter(department=org.it).update(status=ActionItem.Status.IN_PROGRESS, completed_on=None)

    page = page_of(login, org.outsider, cycle)

    assert 'name="it-action_feedback"' in page
    assert "data-changes-done" not in page  # the box lists only what is still done


# --- the page's cost ----------------------------------------------------------------------------


def test_the_survey_page_reads_every_section_s_changes_in_a_fixed_number_of_queries(client, org):
    """One employee rates four departments that each report changes, another rates one: the same
    number of queries (and none for the boxes while they are kept)."""
    providers = [org.it]
    for code in ("fac", "fin", "legal"):
        department = Department.objects.create(code=code, name=code.upper(), description="")
        ServiceParameterFactory(department=department, code="speed", name="Speed")
        DependencyFactory(consumer=org.sales, provider=department)
        providers.append(department)
    ops = Department.objects.create(code="ops", name="Ops", description="")
    DependencyFactory(consumer=ops, provider=org.it)
    one_department = EmployeeFactory(department=ops)
    last = last_cycle(org)
    for department in providers:
        for n in range(3):
            action_item(
                department,
                f"{department.code} change {n}",
                done_on=TODAY() - timedelta(days=10 + n),
                updates=[("Public note.", True), ("Internal note.", False)],
            )
    cycle = make_cycle(org, name="This quarter")
    cycle.departments.set([*providers, org.sales])
    services.cycle_open(cycle_id=cycle.pk)
    assert last.pk != cycle.pk and ActionFeedbackQuestion.objects.filter(cycle=cycle).count() == 4

    from django.core.cache import cache
    from django.db import connection

    for employee in (org.outsider, one_department):  # each process keeps the questions: read them once
        client.force_login(employee.user)
        client.get(survey_url(cycle.pk))
    counts = {}
    for employee in (org.outsider, one_department):
        cache.clear()
        client.force_login(employee.user)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(survey_url(cycle.pk)).content.decode()
        counts[employee.pk] = len(queries)
        with CaptureQueriesContext(connection) as again:
            client.get(survey_url(cycle.pk))
        assert len(again) <= len(queries) - 3  # the boxes are kept: three queries fewer
    assert page.count("data-changes-done") == 1
    assert counts[org.outsider.pk] == counts[one_department.pk]


# --- sealed: the answer travels inside the one-size payload -------------------------------------


def sealed_before_the_question_existed(answers: Answers) -> bytes:
    """A payload as `seal` wrote it before the action-feedback question: three parts, then padding."""
    parts = [
        json.dumps(answers.scores, separators=(",", ":"), sort_keys=True).encode(),
        answers.comment_good.encode("utf-16-le"),
        answers.comment_improve.encode("utf-16-le"),
    ]
    plain = b"".join(struct.pack(">I", len(part)) + part for part in parts)
    return sealing._encrypt(plain.ljust(SEALED_SIZE, b"\0"))


def test_answers_sealed_before_the_question_existed_still_open_without_it():
    old = sealed_before_the_question_existed(Answers({"quality": 4, "responsiveness": None}, "Kind", "Faster"))

    assert unseal(old) == Answers({"quality": 4, "responsiveness": None}, "Kind", "Faster", None)
    assert len(old) == len(seal(Answers({"quality": 4}, action_feedback="yes")))  # one size, before and after


def test_a_draft_sealed_before_the_question_existed_is_resumed_and_submitted_with_an_answer(login, org, cycle):
    invitation = the_invitation(org, cycle)
    Invitation.objects.filter(pk=invitation.pk).update(
        draft_sealed=sealed_before_the_question_existed(Answers({"quality": 2}, "Old draft", "")),
        draft_saved_at=timezone.now(),
    )
    client = login(org.outsider)

    page = client.get(survey_url(cycle.pk)).content.decode()
    assert "Old draft" in page and re.search(r'name="it-q_quality" id="[^"]+" value="2" checked>', page)
    assert not re.search(r'name="it-action_feedback" id="[^"]+" value="\w+" checked>', page)
    client.post(url(cycle), answers(**ALL_GOOD) | {"it-action_feedback": "no"}, **JSON)
    assert waiting_feedback() == ["no"]


@pytest.mark.parametrize("feedback", [None, "yes", "unnoticed"])
def test_the_answer_does_not_change_the_size_of_a_sealed_payload(feedback):
    longest = Answers({f"q{i}": 5 for i in range(40)}, "é" * 1000, "😀" * 500, feedback)  # the longest comments

    assert len(seal(longest)) == len(seal(Answers({"a": 1}))) == len(sealed_before_the_question_existed(Answers({})))


def test_resealing_with_a_new_key_keeps_the_answer_and_opens_old_payloads(org, cycle, settings):
    from django.core.management import call_command

    services.draft_save(
        invitation=the_invitation(org, cycle),
        scores={"quality": 3},
        comment_good="Mine",
        comment_improve="",
        action_feedback="somewhat",
    )
    services.response_submit(invitation=the_invitation(org, cycle, org.hr), scores=ALL_GOOD, action_feedback="yes")
    Invitation.objects.filter(pk=the_invitation(org, cycle, org.outsider_head).pk).update(
        draft_sealed=sealed_before_the_question_existed(Answers({"quality": 5}, "Before", "")),
        draft_saved_at=timezone.now(),
    )
    old, new = settings.SURVEY_ENCRYPTION_KEYS[0], base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings.SURVEY_ENCRYPTION_KEYS = [new, old]
    call_command("reseal_answers", stdout=io.StringIO())
    settings.SURVEY_ENCRYPTION_KEYS = [new]

    assert the_invitation(org, cycle).draft.action_feedback == "somewhat"
    assert waiting_feedback() == ["yes"]
    before = the_invitation(org, cycle, org.outsider_head).draft
    assert (before.comment_good, before.action_feedback) == ("Before", None)
