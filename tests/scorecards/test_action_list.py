"""The pages that put scores and plans side by side: a department's action list, the head's "no
action, because …", HR's overview of every plan, and the plan on the scorecard."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Delegate, ServiceParameter
from improvements.models import ActionItem, NoActionNote, ProgressUpdate
from surveys import services as survey_services
from surveys.models import Cycle
from tests.factories import CHARTERS, PLAN, EmployeeFactory, generate, make_org

TODAY = date.today()


def text(response) -> str:
    return response.content.decode()


def words(response) -> str:
    """The page's text, without tags or repeated spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def action(department, parameters=(), owners=(), **fields) -> ActionItem:
    fields = {"title": "Answer within a day", "change": "A rota.", "due_on": TODAY + timedelta(days=30)} | fields
    item = ActionItem.objects.create(department=department, **fields)
    item.parameters.set(parameters)
    item.owners.set(owners)
    return item


@pytest.fixture
def team(people, departments):
    """The people fixture, with a delegate the head of IT named."""
    delegate = EmployeeFactory(department=departments["it"], user__email="it.delegate@example.com")
    Delegate.objects.create(department=departments["it"], employee=delegate)
    return people | {"delegate": delegate}


@pytest.fixture
def resp(departments, generated) -> ServiceParameter:
    """IT's responsiveness: below target in the generated cycle, without a plan."""
    return ServiceParameter.objects.get(department=departments["it"], code="resp")


def action_list(code: str = "it", **query) -> str:
    url = reverse("scorecards:action_list", args=[code])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def no_action_url(parameter) -> str:
    return reverse("scorecards:no_action", args=[parameter.department.code, parameter.pk])


# --- the action list ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("colleague", 403),
        ("employee", 403),
        ("other_head", 403),
        ("head", 200),
        ("delegate", 200),
        ("hr", 200),
    ],
)
def test_the_action_list_is_for_the_head_the_delegates_and_hr(as_, team, generated, who, status):
    assert as_(team.get(who)).get(action_list()).status_code == status


def test_an_unknown_department_is_404(as_, team, generated):
    assert as_(team["hr"]).get(action_list("nowhere")).status_code == 404


def test_the_head_sees_what_needs_a_plan_first_with_both_ways_to_answer_it(as_, team, resp):
    response = as_(team["head"]).get(action_list())

    page, shown = text(response), words(response)
    create = reverse("improvements:action_create", args=["it"])
    assert shown.index("Needs a plan") < shown.index("Planned and in progress") < shown.index("Done")
    assert "Resp" in shown and "Below" in shown and "against a target of 4.0" in shown
    assert f"{create}?parameter={resp.pk}" in page
    assert no_action_url(resp) in page


def test_hrs_suggested_actions_for_the_parameter_are_offered_whatever_the_case(as_, team, resp):
    from improvements.models import ActionTemplate

    suited = ActionTemplate.objects.create(parameter_name="RESP", title="Publish turnaround times", change="…")
    ActionTemplate.objects.create(parameter_name="Qual", title="Peer review", change="…")

    page = text(as_(team["head"]).get(action_list()))

    assert f"?parameter={resp.pk}&amp;template={suited.pk}" in page and "Publish turnaround times" in page
    assert "Peer review" not in page


def test_a_delegate_adds_actions_but_only_the_head_says_no_action(as_, team, generated, resp):
    survey_services.cycle_publish(cycle=generated.cycle)  # a delegate reads published results

    page = text(as_(team["delegate"]).get(action_list()))

    assert f"{reverse('improvements:action_create', args=['it'])}?parameter={resp.pk}" in page
    assert no_action_url(resp) not in page


def test_hr_reads_the_plan_without_changing_it_and_can_nudge_the_head(as_, team, resp):
    action(resp.department, [resp], title="Publish turnaround times")

    page = text(as_(team["hr"]).get(action_list()))

    assert "Publish turnaround times" in page and "Resp" in page
    assert reverse("improvements:action_create", args=["it"]) not in page
    assert no_action_url(resp) not in page
    assert reverse("improvements:nudge", args=["it"]) in page and "Nudge the head" in page


def test_items_are_listed_current_done_and_dropped_with_overdue_in_words(as_, team, resp):
    it = resp.department
    owner = team["colleague"]
    action(it, [resp], [owner], title="Late one", due_on=TODAY - timedelta(days=3), percent_complete=30)
    action(it, [resp], title="On time", status=ActionItem.Status.IN_PROGRESS, percent_complete=60)
    action(it, [resp], title="Finished", status=ActionItem.Status.DONE, completed_on=TODAY)
    action(it, [resp], title="Abandoned", status=ActionItem.Status.DROPPED, dropped_reason="No budget this year.")

    response = as_(team["head"]).get(action_list())
    shown = words(response)

    assert shown.index("Late one") < shown.index("On time") < shown.index("Finished") < shown.index("Abandoned")
    late = shown[shown.index("Late one") : shown.index("On time")]
    assert "Overdue" in late and "by 3 days" in late and "30%" in late and owner.full_name in late
    assert "Overdue" not in shown[shown.index("On time") : shown.index("Finished")]
    assert "In progress" in shown and "60%" in shown and "No budget this year." in shown
    assert response.context["needing"] == []  # answered


def test_done_and_dropped_items_are_a_page_at_a_time(as_, team, resp):
    for number in range(12):
        action(resp.department, title=f"Done {number:02}", status=ActionItem.Status.DONE, completed_on=TODAY)
    client = as_(team["head"])

    first = client.get(action_list())
    second = client.get(action_list(done_page=2))

    assert len(first.context["done"].object_list) == 10 and len(second.context["done"].object_list) == 2
    assert "Page 1 of 2" in text(first) and "done_page=2" in text(first)
    assert "not valid, so it was ignored" in text(client.get(action_list(done_page="x")))


def test_an_empty_plan_says_what_will_appear(as_, team, departments):
    shown = words(as_(team["head"]).get(action_list()))  # no results at all
    assert "Nothing needs a plan" in shown
    assert "Nothing is planned or in progress" in shown and "No action is done yet" in shown


# --- "no action, because …" -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("colleague", 403), ("employee", 403), ("other_head", 403), ("delegate", 403), ("hr", 403)],
)
def test_only_the_head_says_no_action(as_, team, resp, who, status):
    client = as_(team.get(who))
    assert client.get(no_action_url(resp)).status_code == status
    assert client.post(no_action_url(resp), {"reason": "Because."}).status_code == status
    assert not NoActionNote.objects.exists()


def test_the_head_says_why_nothing_will_change_and_the_parameter_leaves_the_list(as_, team, resp):
    client = as_(team["head"])
    page = words(client.get(no_action_url(resp)))
    assert "against a target of 4.0" in page and "charter page" in page

    response = client.post(no_action_url(resp), {"reason": "We move offices in May.\r\nBack to normal in June."})

    assert response.status_code == 302 and response["Location"] == action_list()
    note = NoActionNote.objects.get()
    assert note.parameter == resp and note.written_by == team["head"]
    followed = client.get(action_list())
    assert "was saved" in text(followed) and followed.context["needing"] == []


def test_a_delegate_reading_the_action_plan_is_under_my_surveys(as_, team, generated):
    from tests.test_navigation import marked_current

    assert marked_current(as_(team["delegate"]).get(action_list())) == ["My surveys"]


@pytest.mark.parametrize("reason", ["", "   ", "Bad\x00value", "x" * 2001])
def test_a_missing_or_unfit_reason_is_refused_with_a_message(as_, team, resp, reason):
    response = as_(team["head"]).post(no_action_url(resp), {"reason": reason})
    assert response.status_code == 200 and 'class="invalid-feedback"' in text(response)
    assert not NoActionNote.objects.exists()


def test_another_departments_parameter_or_an_unknown_one_is_404(as_, team, departments, resp):
    fin_parameter = ServiceParameter.objects.get(department=departments["fin"], code="resp")
    client = as_(team["head"])
    assert client.get(reverse("scorecards:no_action", args=["it", fin_parameter.pk])).status_code == 404
    assert (
        client.post(reverse("scorecards:no_action", args=["it", fin_parameter.pk]), {"reason": "x"}).status_code == 404
    )
    assert client.get(reverse("scorecards:no_action", args=["it", 999999])).status_code == 404
    assert client.get(reverse("scorecards:no_action", args=["nowhere", resp.pk])).status_code == 404
    assert not NoActionNote.objects.exists()


# --- HR's overview --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("colleague", 403), ("employee", 403), ("other_head", 403), ("head", 403), ("delegate", 403)],
)
def test_the_overview_of_every_plan_is_for_hr_only(as_, team, generated, who, status):
    assert as_(team.get(who)).get(reverse("scorecards:hr_actions")).status_code == status


def test_hr_sees_what_each_department_must_plan_what_is_overdue_and_what_was_done(as_, team, departments, resp):
    fin = departments["fin"]
    action(fin, title="Close the books faster", due_on=TODAY - timedelta(days=10))
    action(fin, title="New expense form", status=ActionItem.Status.DONE, completed_on=TODAY)
    url = reverse("scorecards:hr_actions")

    response = as_(team["hr"]).get(url)

    page, shown = text(response), words(response)
    rows = {d.code: d for d in response.context["departments"]}
    assert [s.code for s in rows["it"].needing] == ["resp"] and rows["fin"].overdue_count == 1
    assert rows["fin"].done_count == 1
    assert "Close the books faster" in shown[shown.index("Overdue actions") :]
    assert "New expense form" in shown[shown.index("Done since Q1 2026 opened") :]
    nudge = reverse("improvements:nudge", args=["it"])
    form = re.search(rf'<form method="post" action="{nudge}">(.*?)</form>', page, re.S)
    assert form and f'name="next" value="{url}"' in form.group(1)


def test_a_department_with_nothing_to_chase_is_not_listed(as_, team, departments, generated):
    for score in ServiceParameter.objects.filter(department=departments["it"]):
        NoActionNote.objects.create(parameter=score, reason="Moving offices.")
    rows = as_(team["hr"]).get(reverse("scorecards:hr_actions")).context["departments"]
    assert "it" not in {d.code for d in rows}


def test_the_overview_is_a_page_at_a_time(as_, team, departments, generated):
    for number in range(30):
        action(departments["fac"], title=f"Overdue {number:02}", due_on=TODAY - timedelta(days=1))
    client = as_(team["hr"])
    assert len(client.get(reverse("scorecards:hr_actions")).context["overdue"].object_list) == 25
    second = client.get(reverse("scorecards:hr_actions"), {"overdue_page": "2"})
    assert len(second.context["overdue"].object_list) == 5


# --- the plan on the scorecard ------------------------------------------------------------------------


def test_the_scorecard_shows_each_parameter_below_target_with_its_plan(as_, team, departments, resp):
    it = departments["it"]
    item = action(it, [resp], title="Publish turnaround times")
    qual = ServiceParameter.objects.get(department=it, code="qual")
    action(it, [qual], title="Peer review", status=ActionItem.Status.IN_PROGRESS)

    response = as_(team["head"]).get("/scorecards/it/")

    shown, page = words(response), text(response)
    plan = shown[shown.index("What we do about it") :]
    assert "Resp" in plan and "Publish turnaround times" in plan
    assert reverse("improvements:action_detail", args=["it", item.pk]) in page
    assert "Peer review" in plan[plan.index("What we planned") :]  # current, though about another parameter


def test_the_scorecard_says_no_plan_yet_with_the_ways_to_answer_for_the_head_only(as_, team, resp):
    head_page = text(as_(team["head"]).get("/scorecards/it/"))
    hr_page = text(as_(team["hr"]).get("/scorecards/it/"))

    assert "No plan yet" in head_page and "No plan yet" in hr_page
    assert "have no plan yet" in head_page or "has no plan yet" in head_page
    assert no_action_url(resp) in head_page and no_action_url(resp) not in hr_page
    assert f"?parameter={resp.pk}" in head_page and f"?parameter={resp.pk}" not in hr_page


def test_the_scorecard_shows_the_heads_reason_and_follows_the_plan_while_the_figures_stay_cached(as_, team, resp):
    client = as_(team["head"])
    assert "No plan yet" in text(client.get("/scorecards/it/"))  # the figures are now cached

    NoActionNote.objects.create(parameter=resp, reason="We move offices in May.", written_by=team["head"])
    page = words(client.get("/scorecards/it/"))

    assert "No action, because: We move offices in May." in page


# --- a constant number of queries, whatever the size of the organisation and of the plans ---------------


def populate(departments, team, *, more: bool) -> None:
    """Results and plans; `more`: eight more departments rated by twelve more, two more cycles, and
    three more items of each kind per department, each with more parameters and updates."""
    if more:
        extra = {f"p{i}": [(f"x{j}", "1", "4.00") for j in range(5)] for i in range(8)}
        raters = [f"r{i}" for i in range(12)]
        make_org(providers=extra, raters=raters)
        plan = dict(PLAN) | {(p, r): 6 for p in extra for r in raters[:6]}
        for number, month in ((2, 4), (3, 7)):
            generate(f"Q{number} 2026", seed=number, plan=plan, charters=CHARTERS | extra, opens=date(2026, month, 5))
    else:
        generate("Q1 2026", seed=1)
    survey_services.cycle_publish(cycle=Cycle.objects.order_by("-opens_at").first())
    for code in ("it", "fin"):
        department = departments[code]
        parameters = list(ServiceParameter.objects.filter(department=department))
        owners = [team["head"], team["colleague"]]
        for n in range(3 if more else 1):
            for status, extra_fields in (
                (ActionItem.Status.PLANNED, {"due_on": TODAY - timedelta(days=n + 1)}),
                (ActionItem.Status.IN_PROGRESS, {}),
                (ActionItem.Status.DONE, {"completed_on": TODAY}),
                (ActionItem.Status.DROPPED, {"dropped_reason": "No budget."}),
            ):
                item = action(
                    department, parameters[: n + 1], owners, title=f"{status} {n}", status=status, **extra_fields
                )
                for public in (True, False):
                    ProgressUpdate.objects.create(action=item, written_on=TODAY, text="Moving.", public=public)
        NoActionNote.objects.create(parameter=parameters[-1], reason="Because.")


def queries(client, url: str) -> int:
    client.get(url)  # the session, the cached fragments: settled before counting
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("head", "/scorecards/it/actions/"),
        ("delegate", "/scorecards/it/actions/"),
        ("hr", "/scorecards/it/actions/"),
        ("hr", "/hr/action-plans/"),
        ("head", "/scorecards/it/"),
        ("hr", "/scorecards/it/"),
    ],
)
def test_the_plan_pages_run_the_same_number_of_queries_as_the_data_grows(as_, team, departments, who, url):
    populate(departments, team, more=False)
    small = queries(as_(team[who]), url)
    populate(departments, team, more=True)
    large = queries(as_(team[who]), url)
    assert large == small <= 19, (small, large)  # the scorecard: 19 with its KPIs and audits beside


def test_the_no_action_form_runs_a_fixed_number_of_queries(as_, team, departments, resp):
    populate(departments, team, more=True)
    assert queries(as_(team["head"]), no_action_url(resp)) <= 10
