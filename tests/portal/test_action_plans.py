"""The plans on the pages that combine apps: the head's home, HR's home, a department's charter page
(what every employee reads) and My surveys (a delegate's way in)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from departments.models import Delegate, ServiceParameter
from improvements.models import ActionItem, Commitment, NoActionNote, ProgressUpdate
from surveys import services as survey_services
from tests.factories import EmployeeFactory
from tests.scorecards.test_action_list import action, populate, queries

TODAY = date.today()


def words(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def team(people, departments):
    delegate = EmployeeFactory(department=departments["it"], user__email="it.delegate@example.com")
    Delegate.objects.create(department=departments["it"], employee=delegate)
    return people | {"delegate": delegate}


@pytest.fixture
def resp(departments, generated) -> ServiceParameter:
    return ServiceParameter.objects.get(department=departments["it"], code="resp")


# --- the head's home ----------------------------------------------------------------------------------


def test_the_heads_home_starts_with_what_needs_a_plan_then_overdue_then_progress(as_, team, resp):
    it = resp.department
    qual = ServiceParameter.objects.get(department=it, code="qual")
    late = action(it, [qual], title="Fix the printer queue", due_on=TODAY - timedelta(days=4), percent_complete=20)
    ProgressUpdate.objects.create(action=late, written_on=TODAY, text="Parts ordered.", public=False)

    response = as_(team["head"]).get(reverse("portal:head_home"))

    shown, page = words(response), response.content.decode()
    assert shown.index("Needs a plan") < shown.index("Overdue") < shown.index("Recent progress")
    assert shown.index("Recent progress") < shown.index("Your scorecard")
    needing = shown[shown.index("Needs a plan") : shown.index("Overdue")]
    assert "Resp" in needing and "against a target of 4.0 in Q1 2026" in needing
    assert f"?parameter={resp.pk}" in page and reverse("scorecards:no_action", args=["it", resp.pk]) in page
    overdue = shown[shown.index("Overdue") : shown.index("Recent progress")]
    assert "Fix the printer queue" in overdue and "overdue by 4 days" in overdue
    progress = shown[shown.index("Recent progress") : shown.index("Your scorecard")]
    assert "Parts ordered." in progress and "Internal" in progress
    assert reverse("scorecards:action_list", args=["it"]) in page


def test_a_head_with_nothing_to_plan_reads_so(as_, team, departments, generated):
    for parameter in ServiceParameter.objects.filter(department=departments["it"]):
        NoActionNote.objects.create(parameter=parameter, reason="Moving offices.")
    shown = words(as_(team["head"]).get(reverse("portal:head_home")))
    assert "Nothing: every parameter below target in your latest results has an action or a reason." in shown
    assert "No action is past its due date." in shown and "No progress update yet" in shown


# --- HR's home --------------------------------------------------------------------------------------


def test_hrs_home_counts_the_plans_to_follow_up_and_links_to_the_overview(as_, team, departments, generated):
    action(departments["fin"], title="Late", due_on=TODAY - timedelta(days=1))
    action(departments["fin"], title="Done", status=ActionItem.Status.DONE, completed_on=TODAY)

    response = as_(team["hr"]).get(reverse("portal:hr_home"))

    summary = response.context["actions"]
    assert summary.overdue == 1 and summary.done == 1 and summary.unplanned
    shown = words(response)
    assert f"{len(summary.unplanned)} parameters below target without a plan" in shown
    assert "1 action overdue" in shown and "1 done since Q1 2026 opened" in shown
    assert reverse("scorecards:hr_actions") in response.content.decode()


# --- the charter page ---------------------------------------------------------------------------------


def test_the_charter_shows_done_actions_with_their_public_updates_only(as_, team, resp):
    item = action(resp.department, [resp], title="Replies within a day", status=ActionItem.Status.DONE)
    ActionItem.objects.filter(pk=item.pk).update(completed_on=TODAY)
    ProgressUpdate.objects.create(action=item, written_on=TODAY, text="Rota in place since Monday.", public=True)
    ProgressUpdate.objects.create(action=item, written_on=TODAY, text="Sam is struggling.", public=False)

    for who in ("employee", "head", "hr"):
        shown = words(as_(team[who]).get("/departments/it/"))
        said = shown[shown.index("You said, we did") :]
        assert "Replies within a day" in said and "Rota in place since Monday." in said
        assert "Sam is struggling." not in shown, who


def test_you_said_we_did_is_newest_first_a_page_at_a_time(as_, team, departments):
    it = departments["it"]
    for days in range(7):
        action(it, title=f"Done {days} days ago", status=ActionItem.Status.DONE, completed_on=TODAY - timedelta(days))
    client = as_(team["employee"])

    first = client.get("/departments/it/")
    second = client.get("/departments/it/", {"page": "2"})

    assert [i.title for i in first.context["done"]] == [f"Done {d} days ago" for d in range(5)]
    assert [i.title for i in second.context["done"]] == ["Done 5 days ago", "Done 6 days ago"]
    assert "page=2" in first.content.decode() and "Older" in words(first)
    assert "page=1" in second.content.decode() and not second.context["done_older"]
    assert "not valid, so it was ignored" in client.get("/departments/it/", {"page": "x"}).content.decode()


def test_the_charter_shows_current_commitments_and_past_ones_kept_or_not_in_words(as_, team, departments):
    it = departments["it"]
    Commitment.objects.create(department=it, text="answer every ticket within a day", due_on=TODAY + timedelta(30))
    Commitment.objects.create(
        department=it, text="publish a status page", due_on=TODAY - timedelta(30), outcome="kept"
    )
    Commitment.objects.create(
        department=it, text="replace old laptops", due_on=TODAY - timedelta(60), outcome="not_kept"
    )

    shown = words(as_(team["employee"]).get("/departments/it/"))

    commitments = shown[shown.index("Commitments") : shown.index("You said, we did")]
    assert "We will answer every ticket within a day" in commitments
    before = commitments[commitments.index("What we committed to before") :]
    assert re.search(r"publish a status page .*? Kept", before)
    assert re.search(r"replace old laptops .*? Not kept", before)


def test_past_commitments_are_capped_with_a_way_to_show_them_all(as_, team, departments):
    for n in range(12):
        Commitment.objects.create(
            department=departments["it"], text=f"promise {n:02}", due_on=TODAY - timedelta(n + 1), outcome="kept"
        )
    client = as_(team["employee"])
    assert len(client.get("/departments/it/").context["commitments_past"]) == 10
    assert "?commitments=all" in client.get("/departments/it/").content.decode()
    assert len(client.get("/departments/it/", {"commitments": "all"}).context["commitments_past"]) == 12


def test_the_charter_shows_the_published_parameters_below_target_with_their_plan(as_, team, generated, resp):
    item = action(resp.department, [resp], [team["colleague"]], title="Publish turnaround times")
    ProgressUpdate.objects.create(action=item, written_on=TODAY, text="Internal detail.", public=False)
    client = as_(team["employee"])
    assert "Below target in" not in words(client.get("/departments/it/"))  # nothing published yet

    survey_services.cycle_publish(cycle=generated.cycle)
    shown = words(client.get("/departments/it/"))

    plan = shown[shown.index("Below target in Q1 2026") : shown.index("Commitments")]
    assert "Resp" in plan and "Publish turnaround times" in plan and "Planned" in plan and "due" in plan
    assert team["colleague"].full_name not in plan and "Internal detail." not in shown


# --- My surveys: a delegate's way in ---------------------------------------------------------------------


def test_a_delegate_finds_the_action_plan_they_keep_on_my_surveys(as_, team, departments):
    link = reverse("scorecards:action_list", args=["it"])
    page = as_(team["delegate"]).get(reverse("portal:my_surveys")).content.decode()
    assert "Action plans you keep" in page and link in page
    assert link not in as_(team["colleague"]).get(reverse("portal:my_surveys")).content.decode()


# --- a constant number of queries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("head", "/my/department/"),
        ("hr", "/hr/"),
        ("employee", "/departments/it/"),
        ("head", "/departments/it/"),
        ("delegate", "/my/surveys/"),
    ],
)
def test_the_pages_with_plans_run_the_same_number_of_queries_as_the_data_grows(as_, team, departments, who, url):
    populate(departments, team, more=False)
    Commitment.objects.create(department=departments["it"], text="a", due_on=TODAY, outcome="kept")
    small = queries(as_(team[who]), url)
    populate(departments, team, more=True)
    for n in range(5):
        Commitment.objects.create(department=departments["it"], text=f"b{n}", due_on=TODAY, outcome="not_kept")
    large = queries(as_(team[who]), url)
    # The charter page also reads the department's standing awards and recent thank-you notes.
    assert large == small <= 19, (small, large)
