from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from surveys import reports, services
from surveys.models import Cycle, Invitation
from tests.factories import ALL_GOOD, EmployeeFactory, cycle_post, make_cycle


@pytest.mark.parametrize(
    "url",
    ["/hr/cycles/", "/hr/cycles/new/", "/hr/cycles/{pk}/", "/hr/cycles/{pk}/edit/", "/hr/cycles/{pk}/repeat/"],
)
def test_cycle_pages_are_for_hr_only(login, org, open_cycle, url):
    url = url.format(pk=open_cycle.pk)
    assert login(org.hr).get(url).status_code in (200, 302)
    for who in (org.head, org.outsider):
        assert login(who).get(url).status_code == 403


@pytest.mark.parametrize("action", ["launch", "open", "close", "publish", "invite-new", "remind"])
def test_cycle_actions_are_forbidden_to_others(login, org, open_cycle, action):
    assert login(org.head).post(f"/hr/cycles/{open_cycle.pk}/{action}/").status_code == 403
    assert Cycle.objects.get(pk=open_cycle.pk).status == "open"


def test_the_new_cycle_form_is_prefilled_with_sensible_defaults(login, org):
    form = login(org.hr).get("/hr/cycles/new/").context["form"]

    assert form.initial["name"].endswith("internal service survey")
    assert timezone.localtime(form.initial["opens_at"]).weekday() == 0
    assert {d.code for d in form.initial["departments"]} == {"it", "sales"}  # HR's department has no charter
    assert (form["score_threshold"].value(), form["comment_threshold"].value()) == (5, 10)


def test_hr_creates_previews_and_launches_a_cycle(login, org):
    client = login(org.hr)

    response = client.post("/hr/cycles/new/", cycle_post(org))
    cycle = Cycle.objects.get(name="Spring survey")
    assert response["Location"] == f"/hr/cycles/{cycle.pk}/"
    page = client.get(f"/hr/cycles/{cycle.pk}/").content.decode()
    assert "Opening now would create <strong>3 invitations</strong> for <strong>3 employees</strong>" in page

    confirm = client.get(f"/hr/cycles/{cycle.pk}/launch/").content.decode()
    assert "<strong>3 employees</strong> get one invitation email each" in confirm
    client.post(f"/hr/cycles/{cycle.pk}/launch/")
    assert Cycle.objects.get(pk=cycle.pk).status == "scheduled"
    client.post(f"/hr/cycles/{cycle.pk}/open/")
    assert Cycle.objects.get(pk=cycle.pk).status == "open"
    assert Invitation.objects.filter(cycle=cycle).count() == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"score_threshold": "2"}, "at least 3"),
        ({"comment_threshold": "4"}, "Comments need at least as many responses as scores."),
        (
            {"closes_at": (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
            "must close after it opens",
        ),
        ({"departments": []}, "This field is required"),
        ({"name": "Q1 survey"}, "already exists"),
    ],
)
def test_cycle_form_errors_are_explained(login, org, overrides, message):
    make_cycle(org)

    response = login(org.hr).post("/hr/cycles/new/", cycle_post(org, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Cycle.objects.count() == 1


def test_thresholds_scope_and_opening_are_frozen_once_open(login, org, open_cycle):
    data = cycle_post(
        org, score_threshold="3", comment_threshold="3", departments=[org.sales.pk], intro="Two more days!"
    )
    data["closes_at"] = (timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")

    login(org.hr).post(f"/hr/cycles/{open_cycle.pk}/edit/", data)

    open_cycle.refresh_from_db()
    assert (open_cycle.score_threshold, open_cycle.comment_threshold, open_cycle.intro) == (5, 10, "Two more days!")
    assert set(open_cycle.departments.all()) == {org.it, org.sales}
    assert open_cycle.closes_at > timezone.now() + timedelta(days=19)


@pytest.fixture
def live_participation(monkeypatch):
    """Figures counted afresh on every request (the page keeps them PARTICIPATION_SECONDS otherwise)."""
    monkeypatch.setattr(reports, "PARTICIPATION_SECONDS", 0)


def test_participation_moves_as_people_answer(login, org, open_cycle, invitation, live_participation):
    client = login(org.hr)
    before = client.get(f"/hr/cycles/{open_cycle.pk}/").context["participation"]
    services.response_submit(invitation=invitation, scores=ALL_GOOD)
    services.invitation_decline(invitation=open_cycle.invitations.get(employee=org.hr))

    after = client.get(f"/hr/cycles/{open_cycle.pk}/").context["participation"]

    assert before["totals"] | {"employees": 0} == {
        "invited": 3,
        "completed": 0,
        "declined": 0,
        "employees": 0,
        "rate": 0,
    }
    assert after["totals"]["completed"] == 1 and after["totals"]["declined"] == 1 and after["totals"]["rate"] == 67
    by_rater = {
        row["code"]: (row["invited"], row["completed"], row["declined"], row["rate"]) for row in after["by_rater"]
    }
    assert by_rater == {"sales": (2, 1, 0, 50), "hr": (1, 0, 1, 100)}
    assert [row["code"] for row in after["by_rater"]] == ["sales", "hr"]  # slowest first
    assert "67%</strong> answered" in client.get("/hr/").content.decode()


def test_the_open_cycle_page_polls_a_participation_fragment_that_moves(
    login, org, open_cycle, invitation, live_participation
):
    client = login(org.hr)
    page = client.get(f"/hr/cycles/{open_cycle.pk}/").content.decode()
    assert 'data-live-url="?partial=participation"' in page and "js/live.js" in page

    services.response_submit(invitation=invitation, scores=ALL_GOOD)
    fragment = client.get(f"/hr/cycles/{open_cycle.pk}/", {"partial": "participation"}).content.decode()

    assert "<strong>33%</strong> answered: 1 completed" in fragment
    assert "<nav" not in fragment  # the fragment only, not the whole page


def test_participation_is_counted_at_most_every_few_seconds_and_says_when(login, org, open_cycle, invitation):
    client = login(org.hr)
    first = client.get(f"/hr/cycles/{open_cycle.pk}/", {"partial": "participation"}).content.decode()
    services.response_submit(invitation=invitation, scores=ALL_GOOD)

    again = client.get(f"/hr/cycles/{open_cycle.pk}/", {"partial": "participation"}).content.decode()
    cache.delete_many(
        [f"participation:{open_cycle.pk}:{language}" for language in ("en", "en-us", "en-gb")]
    )  # PARTICIPATION_SECONDS later
    later = client.get(f"/hr/cycles/{open_cycle.pk}/", {"partial": "participation"}).content.decode()

    assert reports.PARTICIPATION_SECONDS <= 10
    assert again == first and "<strong>0%</strong> answered" in again and "as of " in again
    assert "<strong>33%</strong> answered: 1 completed" in later


def test_a_closed_cycle_page_does_not_poll(login, org, open_cycle):
    services.cycle_close(cycle_id=open_cycle.pk)
    page = login(org.hr).get(f"/hr/cycles/{open_cycle.pk}/").content.decode()
    assert "data-live-url" not in page and "js/live.js" not in page


def test_hr_adds_people_who_joined_since_opening(login, org, open_cycle):
    EmployeeFactory(department=org.sales)

    response = login(org.hr).post(f"/hr/cycles/{open_cycle.pk}/invite-new/", follow=True)

    assert "1 new invitation for people who joined since opening." in response.content.decode()


def test_participation_counts_people_invited_after_opening(login, org, open_cycle, live_participation):
    client = login(org.hr)
    assert client.get(f"/hr/cycles/{open_cycle.pk}/").context["participation"]["totals"]["employees"] == 3
    EmployeeFactory(department=org.sales)

    client.post(f"/hr/cycles/{open_cycle.pk}/invite-new/")

    totals = client.get(f"/hr/cycles/{open_cycle.pk}/").context["participation"]["totals"]
    assert (totals["invited"], totals["employees"]) == (4, 4)


def test_close_publish_and_repeat_from_the_cycle_page(login, org, open_cycle):
    client = login(org.hr)

    client.post(f"/hr/cycles/{open_cycle.pk}/close/")
    client.post(f"/hr/cycles/{open_cycle.pk}/publish/")
    response = client.post(f"/hr/cycles/{open_cycle.pk}/repeat/", {"period": "quarterly", "name": "Q2 survey"})

    assert Cycle.objects.get(pk=open_cycle.pk).status == "published"
    new = Cycle.objects.get(name="Q2 survey")
    assert response["Location"] == f"/hr/cycles/{new.pk}/edit/"
    assert new.status == "draft"


def test_wrong_cycle_ids_are_404(login, org):
    client = login(org.hr)

    assert client.get("/hr/cycles/999/").status_code == 404
    assert client.post("/hr/cycles/999/close/").status_code == 404


def grow(org, cycle, n: int) -> None:
    for _ in range(n):
        EmployeeFactory(department=org.sales)
        EmployeeFactory(department=org.hr_dept)
    services.invitations_create(cycle=cycle)


@pytest.mark.parametrize("size", [1, 30])
@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("outsider", "/my/surveys/"),
        ("outsider", "/surveys/{pk}/"),
        ("hr", "/hr/cycles/{pk}/"),
        ("hr", "/hr/cycles/"),
        ("hr", "/hr/"),
    ],
)
def test_survey_page_queries_do_not_grow(login, org, open_cycle, django_assert_max_num_queries, size, who, url):
    grow(org, open_cycle, size)
    client = login(getattr(org, who))

    # Incl. the session touch on the first request; HR's home also counts concerns, KPIs needing
    # attention and overdue audits (one query each).
    with django_assert_max_num_queries(20 if url == "/hr/" else 17):
        assert client.get(url.format(pk=open_cycle.pk)).status_code == 200


def test_closing_and_publishing_ask_first_and_say_what_happens(login, org, open_cycle):
    client = login(org.hr)
    cycle = open_cycle

    page = client.get(f"/hr/cycles/{cycle.pk}/close/").content.decode()
    assert "cannot be undone" in page and "gets an email saying the cycle has closed" in page
    assert "fewer than" in page  # nobody answered yet: every department is short
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN  # asking changed nothing

    client.post(f"/hr/cycles/{cycle.pk}/close/")
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED

    page = client.get(f"/hr/cycles/{cycle.pk}/publish/").content.decode()
    assert "Most departments have too few responses to show" in page and "cannot be undone" in page
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    client.post(f"/hr/cycles/{cycle.pk}/publish/")
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PUBLISHED


def test_a_new_cycle_is_prefilled_with_a_free_name_and_dates_after_the_last_cycle(login, org, open_cycle):
    form = login(org.hr).get("/hr/cycles/new/").context["form"]
    Cycle.objects.filter(pk=open_cycle.pk).update(name=form.initial["name"])

    form = login(org.hr).get("/hr/cycles/new/").context["form"]

    assert form.initial["name"] != open_cycle.name and not Cycle.objects.filter(name=form.initial["name"]).exists()
    assert form.initial["name"].endswith("(2)")
    assert form.initial["opens_at"] > open_cycle.closes_at
    assert timezone.localtime(form.initial["opens_at"]).weekday() == 0


def test_overlapping_dates_for_the_same_departments_ask_for_a_confirmation(login, org, open_cycle):
    client = login(org.hr)

    response = client.post("/hr/cycles/new/", cycle_post(org))

    assert response.status_code == 200 and not Cycle.objects.filter(name="Spring survey").exists()
    page = response.content.decode()
    assert f"These dates overlap “{open_cycle.name}”" in page and 'type="checkbox" name="overlap_confirmed"' in page

    response = client.post("/hr/cycles/new/", cycle_post(org, overlap_confirmed="on"))
    assert response.status_code == 302 and Cycle.objects.filter(name="Spring survey").exists()


def test_repeat_suggests_the_next_quarters_free_name(login, org, open_cycle):
    Cycle.objects.filter(pk=open_cycle.pk).update(name="Q1 2027 internal service survey")
    open_cycle.refresh_from_db()

    form = login(org.hr).get(f"/hr/cycles/{open_cycle.pk}/repeat/").context["form"]

    expected = f"Q{(timezone.localtime(open_cycle.opens_at).month + 2) % 12 // 3 + 1}"
    assert form.initial["name"].startswith(expected) and "(next)" not in form.initial["name"]


def test_a_cycle_closed_early_shows_no_reminder_after_it_and_no_live_figures(login, org, open_cycle):
    client = login(org.hr)
    Cycle.objects.filter(pk=open_cycle.pk).update(reminder_days_after_open=3, reminder_days_before_close=2)
    assert "updates by itself" in client.get(f"/hr/cycles/{open_cycle.pk}/").content.decode()

    client.post(f"/hr/cycles/{open_cycle.pk}/close/")
    page = client.get(f"/hr/cycles/{open_cycle.pk}/").content.decode()

    assert "updates by itself" not in page and "data-live-url" not in page
    assert "None while it was open" in page  # both reminders fell after the early close


def test_the_hr_dashboard_prompts_to_publish_a_closed_cycle(login, org, open_cycle):
    client = login(org.hr)
    client.post(f"/hr/cycles/{open_cycle.pk}/close/")

    page = client.get("/hr/").content.decode()

    assert "its results are ready for you to review" in page
    assert f'href="/hr/cycles/{open_cycle.pk}/publish/"' in page and "No cycle is open or planned" in page
    assert "Publish the results above first" in page

    client.post(f"/hr/cycles/{open_cycle.pk}/publish/")
    assert "ready for you to review" not in client.get("/hr/").content.decode()
