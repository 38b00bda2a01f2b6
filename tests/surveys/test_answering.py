from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from surveys import services
from surveys.models import Answer, Cycle, Draft, Invitation, PendingResponse, Response
from surveys.services import SurveyError

from .conftest import ALL_GOOD, make_cycle


def url(cycle, provider="it") -> str:
    return f"/surveys/{cycle.pk}/{provider}/"


def stored_responses() -> list[tuple]:
    """Every response, released or waiting, as (provider, rater department, scores, comments)."""
    rows = [
        (p.provider.code, p.rater_department.code, p.scores, p.comment_good, p.comment_improve)
        for p in PendingResponse.objects.select_related("provider", "rater_department")
    ]
    for r in Response.objects.select_related("provider", "rater_department"):
        scores = {a.parameter.code: a.score for a in Answer.objects.filter(response=r).select_related("parameter")}
        rows.append((r.provider.code, r.rater_department.code, scores, r.comment_good, r.comment_improve))
    return rows


# --- the page ---------------------------------------------------------------------------------


def test_the_survey_page_shows_the_questions_targets_scale_and_promise(login, org, open_cycle):
    page = login(org.outsider).get(url(open_cycle)).content.decode()

    assert "How well did IT serve you?" in page
    assert "Your answers are anonymous. Your name is never stored with them." in page
    assert "<legend" in page and "Responsiveness" in page and "Quality of work" in page
    assert "(target 4.0)" in page
    for label in ("1 Very poor", "2 Poor", "3 Acceptable", "4 Good", "5 Excellent", "Not applicable"):
        assert label in page
    assert "I had no interaction with IT this period" in page


def test_submitting_stores_an_anonymous_response_and_shows_progress(login, org, open_cycle):
    client = login(org.outsider)

    response = client.post(
        url(open_cycle),
        {
            "q_responsiveness": "4",
            "q_quality": "na",
            "comment_good": "Fast",
            "comment_improve": "",
            "action": "submit",
        },
        follow=True,
    )

    assert "Your ratings for IT were submitted anonymously." in response.content.decode()
    assert stored_responses() == [("it", "sales", {"quality": None, "responsiveness": 4}, "Fast", "")]
    assert Invitation.objects.get(cycle=open_cycle, employee=org.outsider).status == "completed"
    assert "1 of 1</strong> department done" in response.content.decode()


def test_a_draft_is_kept_for_its_owner_and_deleted_on_submit(login, org, open_cycle):
    client = login(org.outsider)

    client.post(url(open_cycle), {"q_responsiveness": "2", "comment_improve": "Slow", "action": "draft"})
    page = client.get(url(open_cycle)).content.decode()

    assert Draft.objects.get().scores == {"responsiveness": 2}
    assert 'value="2" checked' in page and "Slow" in page
    assert "Draft" in client.get("/my/surveys/").content.decode()
    client.post(url(open_cycle), {"q_responsiveness": "2", "q_quality": "3", "action": "submit"})
    assert not Draft.objects.exists()


def test_declining_records_no_interaction_and_no_ratings(login, org, open_cycle):
    response = login(org.outsider).post(url(open_cycle) + "decline/", follow=True)

    assert "Noted: no interaction with IT this period." in response.content.decode()
    assert Invitation.objects.get(cycle=open_cycle, employee=org.outsider).status == "declined"
    assert stored_responses() == []


# --- bad input --------------------------------------------------------------------------------


def test_an_incomplete_submit_lists_what_is_missing_and_saves_nothing(login, org, open_cycle):
    response = login(org.outsider).post(url(open_cycle), {"q_responsiveness": "4", "action": "submit"})

    assert response.status_code == 200
    assert "Choose a score for Quality of work, or “Not applicable”." in response.content.decode()
    assert stored_responses() == [] and not Draft.objects.exists()


@pytest.mark.parametrize("bad", ["6", "0", "-1", "4.5", "excellent"])
def test_a_score_outside_1_to_5_is_refused(login, org, open_cycle, bad):
    response = login(org.outsider).post(
        url(open_cycle), {"q_responsiveness": bad, "q_quality": "4", "action": "submit"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
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


def test_another_employees_invitation_cannot_be_reached(login, org, open_cycle):
    # The URL names a cycle and a department; the invitation is always the signed-in person's own.
    client = login(org.colleague)  # IT depends on nobody

    assert client.get(url(open_cycle)).status_code == 404
    assert (
        client.post(
            url(open_cycle), {**{f"q_{k}": str(v) for k, v in ALL_GOOD.items()}, "action": "submit"}
        ).status_code
        == 404
    )
    assert client.post(url(open_cycle) + "decline/").status_code == 404
    assert Invitation.objects.filter(status="pending").count() == 3


def test_a_closed_cycle_explains_and_accepts_nothing(login, org, open_cycle):
    services.cycle_close(cycle_id=open_cycle.pk)
    client = login(org.outsider)

    page = client.get(url(open_cycle))
    posted = client.post(url(open_cycle), {"q_responsiveness": "4", "q_quality": "4", "action": "submit"}, follow=True)

    assert page.status_code == 409
    assert "This survey has closed" in page.content.decode()
    assert "This survey has closed: answers are no longer accepted." in posted.content.decode()
    assert stored_responses() == []


def test_a_cycle_past_its_closing_time_accepts_nothing_even_before_the_tick(org, open_cycle, invitation):
    Cycle.objects.filter(pk=open_cycle.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    invitation.refresh_from_db()

    with pytest.raises(SurveyError, match="closed"):
        services.response_submit(invitation=invitation, scores=ALL_GOOD)


def test_an_unopened_cycle_says_when_it_opens(org, invitation):
    Cycle.objects.filter(pk=invitation.cycle_id).update(status="scheduled")
    invitation.refresh_from_db()

    with pytest.raises(SurveyError, match="This survey opens on"):
        services.response_submit(invitation=invitation, scores=ALL_GOOD)


def test_a_second_submit_is_refused_with_a_message_and_stores_nothing_more(login, org, open_cycle):
    client = login(org.outsider)
    data = {"q_responsiveness": "4", "q_quality": "5", "action": "submit"}

    client.post(url(open_cycle), data)
    again = client.post(url(open_cycle), data, follow=True)

    assert "You already submitted your ratings for IT. Nothing was changed." in again.content.decode()
    assert len(stored_responses()) == 1
    assert client.post(url(open_cycle) + "decline/").status_code == 302
    assert Invitation.objects.get(cycle=open_cycle, employee=org.outsider).status == "completed"


def test_the_same_invitation_seen_twice_in_memory_still_submits_once(invitation):
    # Two tabs: both loaded the invitation while it was pending.
    other_tab = Invitation.objects.select_related("cycle", "provider").get(pk=invitation.pk)

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
        invitation = Invitation.objects.select_related("cycle", "provider").get(pk=invitation_id)
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
    assert PendingResponse.objects.count() + Response.objects.count() == 1
