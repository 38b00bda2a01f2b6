from __future__ import annotations

import re
import threading
from dataclasses import astuple
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from departments.models import Department
from surveys import services
from surveys.models import Answer, Cycle, Invitation, Questionnaire, Response
from surveys.sealing import Answers, seal, unseal
from surveys.services import SurveyError
from tests.factories import (
    ALL_GOOD,
    JSON,
    DependencyFactory,
    ServiceParameterFactory,
    UserFactory,
    answers,
    make_cycle,
)


def url(cycle, department="it") -> str:
    """Where one department's form posts."""
    return f"/surveys/{cycle.pk}/{department}/"


def survey_url(cycle) -> str:
    return f"/surveys/{cycle.pk}/"


def drafts() -> list:
    return [i.draft for i in Invitation.objects.filter(draft_saved_at__isnull=False)]


def stored_responses() -> list[tuple]:
    """Every response, released or waiting, as (department, rater department, scores, comments)
    (the action feedback: tests/surveys/test_you_said_we_did.py)."""
    rows = [
        (p.department.code, p.rater_department.code, *astuple(unseal(p.answers_sealed))[:3])
        for p in Invitation.objects.exclude(answers_sealed=None).select_related("department", "rater_department")
    ]
    for r in Response.objects.select_related("department", "rater_department"):
        scores = {a.parameter.code: a.score for a in Answer.objects.filter(response=r).select_related("parameter")}
        rows.append((r.department.code, r.rater_department.code, scores, r.comment_good, r.comment_improve))
    return rows


# --- the page ---------------------------------------------------------------------------------


def test_the_survey_page_shows_each_department_with_its_questions_targets_scale_and_promise(login, org, open_cycle):
    page = login(org.outsider).get(survey_url(open_cycle)).content.decode()

    assert "Your answers are anonymous. Your name is never stored with them." in page
    assert "How well did IT serve you?" in page and "Department 1 of 1" in page
    assert "<legend" in page and "Responsiveness" in page and "Quality of work" in page
    assert "(target 4.0)" in page
    for label in ("1 Very poor", "2 Poor", "3 Acceptable", "4 Good", "5 Excellent", "Not applicable"):
        assert label in page
    assert 'name="it-q_responsiveness"' in page and 'id="id_it-q_responsiveness_0"' in page
    assert "I had no interaction with IT this period" in page
    assert "0</strong> of 1 department done" in page


def test_a_departments_address_opens_its_section_of_the_survey_page(login, org, open_cycle):
    response = login(org.outsider).get(url(open_cycle))

    assert response.status_code == 302 and response["Location"] == f"/surveys/{open_cycle.pk}/#it"


def test_every_employee_gets_their_own_csrf_token_in_the_cached_questions(login, org, open_cycle):
    first = login(org.outsider).get(survey_url(open_cycle))
    second = login(org.outsider_head).get(survey_url(open_cycle))  # rendered from the cache
    tokens = [re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()) for r in (first, second)]

    assert all(len(t) >= 2 for t in tokens)  # the answer form and the "no interaction" form
    assert set(tokens[0]).isdisjoint(tokens[1])
    assert "PLACEHOLDER" not in second.content.decode()
    assert org.outsider.user.email not in second.content.decode()


def test_submitting_without_the_script_stores_an_anonymous_response_and_says_so(login, org, open_cycle):
    client = login(org.outsider)

    response = client.post(url(open_cycle), answers(responsiveness=4, quality="na", comment_good="Fast"), follow=True)

    page = response.content.decode()
    assert "Your ratings for IT were submitted anonymously. That was the last one: thank you." in page
    assert stored_responses() == [("it", "sales", {"quality": None, "responsiveness": 4}, "Fast", "")]
    assert Invitation.objects.get(cycle=open_cycle, employee=org.outsider).status == "completed"
    assert "1 of 1</strong> department done" in page  # back on My surveys


def test_submitting_with_the_script_answers_json(login, org, open_cycle):
    response = login(org.outsider).post(url(open_cycle), answers(**ALL_GOOD), **JSON)

    assert response.status_code == 200
    assert response.json() == {"status": "completed", "message": "Your ratings for IT were submitted anonymously."}
    assert stored_responses() == [("it", "sales", {"quality": 5, "responsiveness": 4}, "", "")]


def test_a_submission_reads_no_invitation_only_the_session_the_user_and_one_statement(
    login, org, open_cycle, django_assert_num_queries
):
    client = login(org.outsider)
    client.get(survey_url(open_cycle))
    Questionnaire.at(open_cycle.pk, "it")  # the questions: read once per process

    with django_assert_num_queries(3) as queries:
        response = client.post(url(open_cycle), answers(**ALL_GOOD), **JSON)

    assert response.status_code == 200
    *session_and_user, submit = (query["sql"] for query in queries.captured_queries)
    assert submit.split()[0] in ("UPDATE", "PREPARE", "EXECUTE")  # prepared once per connection on PostgreSQL
    assert not any("surveys_invitation" in sql for sql in session_and_user)
    assert stored_responses() == [("it", "sales", {"quality": 5, "responsiveness": 4}, "", "")]


def test_a_submission_where_one_has_no_invitation_or_as_no_employee_stores_nothing(client, login, org, open_cycle):
    not_invited = login(org.colleague).post(url(open_cycle), answers(**ALL_GOOD), **JSON)  # IT rates not itself
    client.force_login(UserFactory())
    no_employee = client.post(url(open_cycle), answers(**ALL_GOOD), **JSON)

    assert not_invited.status_code == 404 and no_employee.status_code == 403
    assert stored_responses() == []


def test_after_one_department_the_page_goes_on_to_the_next(login, org):
    DependencyFactory(consumer=org.sales, provider=org.hr_dept)
    ServiceParameterFactory(department=org.hr_dept, code="payroll", name="Payroll")
    cycle = make_cycle(org)
    cycle.departments.add(org.hr_dept)
    services.cycle_open(cycle_id=cycle.pk)
    client = login(org.outsider)

    posted = client.post(url(cycle), answers(**ALL_GOOD))
    page = client.get(posted["Location"]).content.decode()

    assert posted["Location"] == f"/surveys/{cycle.pk}/#hr"
    assert "Your ratings for IT were submitted anonymously. 1 department left." in page
    assert "Your ratings for IT were submitted. Thank you." in page  # its section, now done
    assert 'name="hr-q_payroll"' in page and 'name="it-q_responsiveness"' not in page


def test_a_draft_is_kept_for_its_owner_and_deleted_on_submit(login, org, open_cycle):
    client = login(org.outsider)

    saved = client.post(
        url(open_cycle), answers(action="draft", responsiveness=2) | {"it-comment_improve": "Slow"}, **JSON
    )
    page = client.get(survey_url(open_cycle)).content.decode()

    assert saved.json() == {"status": "draft", "message": "Your draft for IT was saved. Only you can see it."}
    assert Invitation.objects.get(cycle=open_cycle, employee=org.outsider).draft.scores == {"responsiveness": 2}
    assert 'value="2" checked' in page and "Slow" in page and "Continuing your draft" in page
    assert "Draft" in client.get("/my/surveys/").content.decode()
    client.post(url(open_cycle), answers(responsiveness=2, quality=3))
    assert not drafts()


def test_a_draft_shows_only_on_its_owners_page(login, org, open_cycle):
    login(org.outsider).post(url(open_cycle), answers(action="draft", responsiveness=2), **JSON)

    page = login(org.outsider_head).get(survey_url(open_cycle)).content.decode()

    assert " checked" not in page and "Continuing your draft" not in page


def test_declining_records_no_interaction_and_no_ratings(login, org, open_cycle):
    response = login(org.outsider).post(url(open_cycle) + "decline/", **JSON)

    assert response.json() == {"status": "declined", "message": "Noted: no interaction with IT this period."}
    assert Invitation.objects.get(cycle=open_cycle, employee=org.outsider).status == "declined"
    assert stored_responses() == []


def test_an_incomplete_submit_lists_what_is_missing_and_saves_nothing(login, org, open_cycle):
    client = login(org.outsider)

    page = client.post(url(open_cycle), answers(responsiveness=4))
    scripted = client.post(url(open_cycle), answers(responsiveness=4), **JSON)

    assert page.status_code == 200
    assert "Nothing was submitted." in page.content.decode()
    assert "Choose a score for Quality of work, or “Not applicable”." in page.content.decode()
    assert 'value="4" checked' in page.content.decode()  # what was chosen is still there
    assert scripted.status_code == 400
    assert "Choose a score for Quality of work" in scripted.json()["form"]
    assert stored_responses() == [] and not drafts()


@pytest.mark.parametrize("bad", ["6", "0", "-1", "4.5", "excellent"])
def test_a_score_outside_1_to_5_is_refused(login, org, open_cycle, bad):
    response = login(org.outsider).post(url(open_cycle), answers(responsiveness=bad, quality=4))

    assert response.status_code == 200
    assert "Choose a score for Responsiveness, or “Not applicable”." in response.content.decode()
    assert stored_responses() == []


def test_the_service_refuses_scores_outside_1_to_5_and_unknown_parameters(invitation):
    with pytest.raises(SurveyError, match="Scores go from 1 to 5"):
        services.response_submit(invitation=invitation, scores={"responsiveness": 6, "quality": 4})
    with pytest.raises(SurveyError, match="uptime is not a question of this survey"):
        services.response_submit(invitation=invitation, scores={**ALL_GOOD, "uptime": 4})
    with pytest.raises(SurveyError, match="not a question"):
        services.draft_save(invitation=invitation, scores={"uptime": 3}, comment_good="", comment_improve="")
    assert stored_responses() == []


def test_a_department_one_does_not_depend_on_cannot_be_answered(login, org, open_cycle):
    # Sales is in scope but the outsider's own department: no invitation exists for it.
    assert login(org.outsider).get(url(open_cycle, "sales")).status_code == 404
    assert login(org.outsider).post(url(open_cycle, "hr"), {"action": "submit"}).status_code == 404
    assert login(org.outsider).post(url(open_cycle, "hr"), {"action": "submit"}, **JSON).status_code == 404


def test_another_employees_invitation_cannot_be_reached(login, org, open_cycle):
    # The URL names a cycle and a department; the invitation is always the signed-in person's own.
    client = login(org.colleague)  # IT depends on nobody

    assert client.get(url(open_cycle)).status_code == 404
    assert client.get(survey_url(open_cycle)).status_code == 404
    assert client.post(url(open_cycle), answers(**ALL_GOOD)).status_code == 404
    assert client.post(url(open_cycle), answers(**ALL_GOOD), **JSON).status_code == 404
    assert client.post(url(open_cycle) + "decline/").status_code == 404
    assert Invitation.objects.filter(status="pending").count() == 3


def test_a_closed_cycle_explains_and_accepts_nothing(login, org, open_cycle):
    services.cycle_close(cycle_id=open_cycle.pk)
    client = login(org.outsider)

    page = client.get(survey_url(open_cycle)).content.decode()
    posted = client.post(url(open_cycle), answers(**ALL_GOOD), follow=True)
    scripted = client.post(url(open_cycle), answers(**ALL_GOOD), **JSON)

    assert "This survey has closed: answers are no longer accepted." in page
    assert "it-q_responsiveness" not in page and "Answers are not accepted now." in page
    assert "This survey has closed: answers are no longer accepted." in posted.content.decode()
    assert scripted.status_code == 409
    assert scripted.json() == {"error": "This survey has closed: answers are no longer accepted."}
    assert stored_responses() == []


def test_a_cycle_past_its_closing_time_accepts_nothing_even_before_the_tick(org, open_cycle, invitation):
    Cycle.objects.filter(pk=open_cycle.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    invitation.refresh_from_db()

    with pytest.raises(SurveyError, match="closed"):
        services.response_submit(invitation=invitation, scores=ALL_GOOD)


def test_an_unopened_cycle_says_when_it_opens(org, invitation):
    invitation.cycle.status = Cycle.Status.SCHEDULED  # as a page loaded before opening saw it

    with pytest.raises(SurveyError, match="This survey opens on"):
        services.response_submit(invitation=invitation, scores=ALL_GOOD)


def test_a_second_submit_is_refused_with_a_message_and_stores_nothing_more(login, org, open_cycle):
    client = login(org.outsider)

    client.post(url(open_cycle), answers(**ALL_GOOD))
    again = client.post(url(open_cycle), answers(**ALL_GOOD), follow=True)
    scripted = client.post(url(open_cycle), answers(**ALL_GOOD), **JSON)

    assert "You already submitted your ratings for IT. Nothing was changed." in again.content.decode()
    assert scripted.status_code == 409 and "already submitted" in scripted.json()["error"]
    assert len(stored_responses()) == 1
    assert client.post(url(open_cycle) + "decline/").status_code == 302
    assert Invitation.objects.get(cycle=open_cycle, employee=org.outsider).status == "completed"


def test_the_same_invitation_seen_twice_in_memory_still_submits_once(invitation):
    # Two tabs: both loaded the invitation while it was pending.
    other_tab = Invitation.objects.select_related("cycle", "department").get(pk=invitation.pk)

    services.response_submit(invitation=invitation, scores=ALL_GOOD)
    with pytest.raises(SurveyError, match="already submitted"):
        services.response_submit(invitation=other_tab, scores=ALL_GOOD)

    assert len(stored_responses()) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_invitation_store_exactly_one_response(org):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for truly concurrent transactions (set DATABASE_URL)")
    cycle = make_cycle(org, status="open")
    invitation_id = Invitation.objects.get(cycle=cycle, employee=org.outsider).pk
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def submit() -> None:
        invitation = Invitation.objects.select_related("cycle", "department").get(pk=invitation_id)
        start.wait()
        try:
            services.response_submit(invitation=invitation, scores=ALL_GOOD)
            outcomes.append("stored")
        except SurveyError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "refused", "refused", "stored"]
    assert Invitation.objects.exclude(answers_sealed=None).count() + Response.objects.count() == 1


def test_a_form_sent_without_saying_submit_or_draft_stores_nothing(login, org, open_cycle):
    data = {k: v for k, v in answers(**ALL_GOOD).items() if k != "action"}

    scripted = login(org.outsider).post(url(open_cycle), data, **JSON)

    assert scripted.status_code == 400 and "Choose “Submit” or “Save draft”" in scripted.json()["error"]
    assert stored_responses() == [] and not drafts()


def test_a_departments_old_address_stores_nothing_once_it_is_renamed(login, org, open_cycle):
    client = login(org.outsider)
    client.post(url(open_cycle), answers(action="draft", responsiveness=2), **JSON)  # the form is known here now
    Department.objects.filter(pk=org.it.pk).update(code="it-services")

    old = client.post(url(open_cycle), answers(**ALL_GOOD), **JSON)
    new = client.post(url(open_cycle, "it-services"), answers("it-services", **ALL_GOOD), **JSON)

    assert old.status_code == 404
    assert new.status_code == 200 and len(stored_responses()) == 1


@pytest.mark.parametrize("path", ["/surveys/99999999999999999999/", "/surveys/99999999999999999999/it/"])
def test_an_id_too_large_for_the_database_is_not_found(login, org, open_cycle, path):
    client = login(org.outsider)

    assert client.get(path).status_code == 404
    assert client.post(path, answers(**ALL_GOOD)).status_code == 404


def test_a_department_can_write_the_placeholder_of_the_csrf_token_and_only_read_it(login, org, open_cycle):
    from surveys.views import CSRF_PLACEHOLDER

    Department.objects.filter(pk=org.it.pk).update(description=f"Ask us about {CSRF_PLACEHOLDER}.")

    page = login(org.outsider).get(survey_url(open_cycle)).content.decode()

    assert f"Ask us about {CSRF_PLACEHOLDER}." in page
    assert f'value="{CSRF_PLACEHOLDER}"' not in page


def test_a_renamed_department_is_shown_by_its_new_name_on_the_cached_survey_page(login, org, open_cycle):
    client = login(org.outsider)
    client.get(survey_url(open_cycle))
    Department.objects.filter(pk=org.it.pk).update(name="IT Services")

    page = client.get(survey_url(open_cycle)).content.decode()

    assert "How well did IT Services serve you?" in page


def test_a_draft_cannot_be_left_on_a_survey_once_it_is_answered(org, open_cycle, invitation):
    services.response_submit(invitation=invitation, scores=ALL_GOOD)

    with pytest.raises(SurveyError, match="already submitted"):
        services.draft_save(invitation=invitation, scores={"quality": 2}, comment_good="", comment_improve="")
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database itself refuses it
        Invitation.objects.filter(pk=invitation.pk).update(
            draft_sealed=seal(Answers({"quality": 2})), draft_saved_at=timezone.now()
        )

    assert not drafts()


@pytest.mark.django_db(transaction=True)
def test_a_draft_saved_while_the_survey_is_submitted_never_outlives_it(org):
    """Two tabs, "Save draft" in one and "Submit" in the other at the same moment, many times over:
    whichever wins, no draft stays on a submitted survey (it would tie the person to their answers)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for truly concurrent transactions (set DATABASE_URL)")

    def save_draft(invitation_id: int, start: threading.Barrier) -> None:
        invitation = Invitation.objects.select_related("cycle", "department").get(pk=invitation_id)
        start.wait()
        try:
            services.draft_save(invitation=invitation, scores={"quality": 2}, comment_good="Hm", comment_improve="")
        except SurveyError:
            pass  # the submit won: refused, as it should be
        finally:
            connections.close_all()

    def submit(invitation_id: int, start: threading.Barrier) -> None:
        invitation = Invitation.objects.select_related("cycle", "department").get(pk=invitation_id)
        start.wait()
        try:
            services.response_submit(invitation=invitation, scores=ALL_GOOD)
        finally:
            connections.close_all()

    for round_ in range(15):
        cycle = make_cycle(org, status="open", name=f"Race {round_}")
        invitation_id = Invitation.objects.get(cycle=cycle, employee=org.outsider).pk
        start = threading.Barrier(2)
        threads = [threading.Thread(target=f, args=(invitation_id, start)) for f in (save_draft, submit)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        invitation = Invitation.objects.get(pk=invitation_id)
        assert invitation.status == "completed" and invitation.draft is None, round_


@pytest.mark.django_db(transaction=True)
def test_no_answer_is_stored_after_closing_released_the_last(org):
    """Submissions racing the close, many times over: each is either released by the close or
    refused, never left waiting in a closed cycle (it would then leave later, alone)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for truly concurrent transactions (set DATABASE_URL)")
    from tests.factories import EmployeeFactory

    EmployeeFactory.create_batch(5, department=org.sales)

    def submit(invitation_id: int, start: threading.Barrier) -> None:
        invitation = Invitation.objects.select_related("cycle", "department").get(pk=invitation_id)
        start.wait()
        try:
            services.response_submit(invitation=invitation, scores=ALL_GOOD)
        except SurveyError:
            pass  # the close won: refused, as it should be
        finally:
            connections.close_all()

    def close(cycle_id: int, start: threading.Barrier) -> None:
        start.wait()
        try:
            services.cycle_close(cycle_id=cycle_id)
        finally:
            connections.close_all()

    for round_ in range(8):
        cycle = make_cycle(org, status="open", name=f"Race {round_}")
        invitations = list(Invitation.objects.filter(cycle=cycle).values_list("pk", flat=True))
        start = threading.Barrier(len(invitations) + 1)
        threads = [threading.Thread(target=submit, args=(pk, start)) for pk in invitations]
        threads.append(threading.Thread(target=close, args=(cycle.pk, start)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        completed = Invitation.objects.filter(cycle=cycle, status="completed").count()
        assert not Invitation.objects.filter(cycle=cycle).exclude(answers_sealed=None).exists(), round_
        assert Response.objects.filter(cycle=cycle).count() == completed, round_


def test_my_surveys_says_continue_for_a_survey_with_only_a_draft(login, org, open_cycle):
    client = login(org.outsider)
    assert "Start the survey" in client.get("/my/surveys/").content.decode()

    client.post(url(open_cycle), answers(action="draft", responsiveness=2), **JSON)
    page = client.get("/my/surveys/").content.decode()

    assert "Continue the survey" in page and "Start the survey" not in page


def test_my_surveys_says_a_cycle_past_its_closing_time_is_closed(login, org, open_cycle):
    Cycle.objects.filter(pk=open_cycle.pk).update(closes_at=timezone.now() - timedelta(minutes=5))

    page = login(org.outsider).get("/my/surveys/").content.decode()

    assert "Closed " in page and "answers are no longer accepted" in page
    assert "Closes " not in page and "Start the survey" not in page and ">Start<" not in page
