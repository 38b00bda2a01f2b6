"""Action items through their pages: who may add, read and change them, the workflow's rules
(a dropped item says why, a done one is dated), foreign ids, progress updates and the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from improvements.history import action_history
from improvements.models import ActionItem, ActionTemplate, ProgressUpdate
from improvements.services import action_create
from tests.factories import EmployeeFactory, ServiceParameterFactory

TODAY = timezone.localdate


def create_url(org, **query) -> str:
    url = reverse("improvements:action_create", args=[org.it.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def detail_url(item) -> str:
    return reverse("improvements:action_detail", args=[item.department.code, item.pk])


def edit_url(item) -> str:
    return reverse("improvements:action_edit", args=[item.department.code, item.pk])


def update_url(item) -> str:
    return reverse("improvements:action_update", args=[item.department.code, item.pk])


def action_post(org, **overrides) -> dict:
    return {
        "title": "Acknowledge tickets within 4 hours",
        "change": "Every ticket gets a named analyst.\r\nAnd a first reply.",
        "parameters": [org.it.parameters.get(code="responsiveness").pk],
        "owners": [org.colleague.pk],
        "due_on": (TODAY() + timedelta(days=20)).isoformat(),
        "status": "planned",
        "percent_complete": "0",
        "dropped_reason": "",
    } | overrides


def edit_post(item, **overrides) -> dict:
    return {
        "title": item.title,
        "change": item.change,
        "parameters": [p.pk for p in item.parameters.all()],
        "owners": [o.pk for o in item.owners.all()],
        "due_on": item.due_on.isoformat(),
        "status": item.status,
        "percent_complete": str(item.percent_complete),
        "dropped_reason": item.dropped_reason,
    } | overrides


# --- who may do what -------------------------------------------------------------------------------


def test_the_head_adds_an_action_and_lands_on_its_page(as_, org):
    response = as_(org.head).post(create_url(org), action_post(org))

    item = ActionItem.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(item)
    assert (item.department, item.status, item.created_by, item.completed_on) == (org.it, "planned", org.head, None)
    assert list(item.owners.all()) == [org.colleague]
    assert [p.code for p in item.parameters.all()] == ["responsiveness"]
    page = as_(org.head).get(detail_url(item)).content.decode()
    assert "Acknowledge tickets within 4 hours" in page and "Planned" in page and "0% complete" in page


def test_a_delegate_adds_and_edits_actions_like_the_head(as_, org, delegate):
    client = as_(delegate)
    assert client.post(create_url(org), action_post(org, owners=[delegate.pk])).status_code == 302
    item = ActionItem.objects.get()
    response = client.post(edit_url(item), edit_post(item, status="in_progress", percent_complete="50"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.percent_complete) == ("in_progress", 50)


def test_hr_reads_an_action_but_cannot_change_it(as_, org, make_action):
    item = make_action()
    client = as_(org.hr)
    page = client.get(detail_url(item))
    assert page.status_code == 200 and "You read this action as HR" in page.content.decode()
    assert "Edit the action" not in page.content.decode()
    assert client.get(create_url(org)).status_code == 403
    assert client.get(edit_url(item)).status_code == 403
    assert client.post(edit_url(item), edit_post(item, title="Changed by HR")).status_code == 403
    assert client.post(update_url(item), {"written_on": TODAY().isoformat(), "text": "x"}).status_code == 403
    item.refresh_from_db()
    assert item.title == "Answer every ticket within a day" and not ProgressUpdate.objects.exists()


@pytest.mark.parametrize("role", ["colleague", "outsider", "outsider_head"])
def test_people_who_do_not_act_for_the_department_are_refused_every_action_page(as_, org, make_action, role):
    item = make_action()
    client = as_(getattr(org, role))
    for url in (create_url(org), detail_url(item), edit_url(item)):
        assert client.get(url).status_code == 403, url
    assert client.post(create_url(org), action_post(org)).status_code == 403
    assert client.post(update_url(item), {"written_on": TODAY().isoformat(), "text": "x"}).status_code == 403
    assert ActionItem.objects.count() == 1 and not ProgressUpdate.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(as_, org, make_action):
    item = make_action()
    for url in (create_url(org), detail_url(item), edit_url(item)):
        response = as_(None).get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_delegate_of_another_department_is_refused(as_, org, make_action):
    from departments.models import Delegate

    sales_delegate = EmployeeFactory(department=org.sales)
    Delegate.objects.create(department=org.sales, employee=sales_delegate)
    assert as_(sales_delegate).get(detail_url(make_action())).status_code == 403


# --- foreign ids -----------------------------------------------------------------------------------


def test_an_item_asked_for_under_another_departments_code_is_not_found(as_, org, make_action):
    item = make_action()
    client = as_(org.outsider_head)  # heads Sales: may act for Sales, and this is IT's item
    for name in ("improvements:action_detail", "improvements:action_edit", "improvements:action_update"):
        assert client.get(reverse(name, args=["sales", item.pk])).status_code == 404, name
    assert as_(org.head).get(reverse("improvements:action_detail", args=["it", 999999])).status_code == 404


def test_a_parameter_of_another_departments_charter_is_refused_with_a_message(as_, org):
    foreign = org.sales.parameters.get()
    response = as_(org.head).post(create_url(org), action_post(org, parameters=[foreign.pk]))
    assert (
        response.status_code == 200 and "That choice is not one of the available choices" in response.content.decode()
    )
    assert not ActionItem.objects.exists()


def test_an_owner_from_another_department_is_refused_with_a_message(as_, org):
    response = as_(org.head).post(create_url(org), action_post(org, owners=[org.outsider.pk]))
    assert (
        response.status_code == 200 and "That choice is not one of the available choices" in response.content.decode()
    )
    assert not ActionItem.objects.exists()


def test_the_service_refuses_foreign_parameters_and_owners_and_writes_nothing(org, make_action):
    with pytest.raises(ValidationError) as refused:
        make_action(parameters=[org.sales.parameters.get()], owners=[org.outsider])
    assert set(refused.value.message_dict) == {"parameters", "owners"}
    assert not ActionItem.objects.exists()


def test_the_service_takes_keywords_only(org):
    with pytest.raises(TypeError):
        action_create(org.it, org.head, "Title", "Change", [], [org.colleague], TODAY())  # type: ignore[misc]


# --- the workflow ----------------------------------------------------------------------------------


def test_dropping_an_action_needs_a_reason(as_, org, make_action):
    item = make_action()
    response = as_(org.head).post(edit_url(item), edit_post(item, status="dropped", dropped_reason="  "))

    assert response.status_code == 200
    assert "Say why the action was dropped" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "planned"


def test_a_dropped_action_keeps_its_reason_until_it_is_taken_up_again(as_, org, make_action):
    item = make_action()
    client = as_(org.head)
    client.post(edit_url(item), edit_post(item, status="dropped", dropped_reason="The vendor closed."))
    item.refresh_from_db()
    assert (item.status, item.dropped_reason) == ("dropped", "The vendor closed.")
    assert "The vendor closed." in client.get(detail_url(item)).content.decode()

    client.post(edit_url(item), edit_post(item, status="planned"))
    item.refresh_from_db()
    assert (item.status, item.dropped_reason) == ("planned", "")


def test_marking_an_action_done_dates_it_today_and_leaving_done_clears_the_date(as_, org, make_action):
    item = make_action(percent_complete=40)
    client = as_(org.head)
    client.post(edit_url(item), edit_post(item, status="done"))
    item.refresh_from_db()
    assert (item.status, item.completed_on, item.percent_complete) == ("done", TODAY(), 100)

    client.post(edit_url(item), edit_post(item, status="in_progress", percent_complete="90"))
    item.refresh_from_db()
    assert (item.status, item.completed_on, item.percent_complete) == ("in_progress", None, 90)


def test_saving_a_done_action_again_keeps_the_day_it_was_done(as_, org, make_action):
    item = make_action(status="done", today=TODAY() - timedelta(days=10))
    as_(org.head).post(edit_url(item), edit_post(item, title="Renamed"))
    item.refresh_from_db()
    assert (item.title, item.completed_on) == ("Renamed", TODAY() - timedelta(days=10))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("planned", "in_progress"),
        ("planned", "done"),
        ("in_progress", "done"),
        ("in_progress", "planned"),
        ("done", "in_progress"),
        ("done", "planned"),
        ("dropped", "planned"),
        ("planned", "dropped"),
        ("done", "dropped"),
    ],
)
def test_every_status_can_move_to_every_other(as_, org, make_action, start, end):
    item = make_action(status=start, dropped_reason="No budget." if start == "dropped" else "")
    reason = "Merged into another action." if end == "dropped" else ""
    response = as_(org.head).post(edit_url(item), edit_post(item, status=end, dropped_reason=reason))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == end
    assert (item.completed_on is not None) == (end == "done")
    assert bool(item.dropped_reason) == (end == "dropped")


def test_a_new_action_cannot_be_due_in_the_past_but_an_overdue_one_keeps_its_date(as_, org, make_action):
    yesterday = (TODAY() - timedelta(days=1)).isoformat()
    response = as_(org.head).post(create_url(org), action_post(org, due_on=yesterday))
    assert "This date has passed" in response.content.decode() and not ActionItem.objects.exists()

    overdue = make_action(due_on=TODAY() - timedelta(days=3))
    response = as_(org.head).post(edit_url(overdue), edit_post(overdue, percent_complete="60"))
    assert response.status_code == 302


def test_an_overdue_action_says_so_in_words(as_, org, make_action):
    item = make_action(due_on=TODAY() - timedelta(days=3), status="in_progress")
    page = as_(org.head).get(detail_url(item)).content.decode()
    assert "Overdue" in page and "overdue by 3" in page
    assert ActionItem.objects.overdue(TODAY()).get() == item


def test_a_progress_above_100_is_refused(as_, org, make_action):
    item = make_action()
    response = as_(org.head).post(edit_url(item), edit_post(item, percent_complete="150"))
    assert response.status_code == 200 and "less than or equal to 100" in response.content.decode()


# --- the create page's suggestions -------------------------------------------------------------------


def test_the_create_page_ticks_the_parameter_and_offers_hrs_suggestions_for_it(as_, org):
    responsiveness = org.it.parameters.get(code="responsiveness")
    suited = ActionTemplate.objects.create(parameter_name="RESPONSIVENESS", title="Publish response times", change="x")
    ActionTemplate.objects.create(parameter_name="Quality of work", title="A checklist", change="y")

    response = as_(org.head).get(create_url(org, parameter=responsiveness.pk))

    page = response.content.decode()
    assert response.context["form"].initial["parameters"] == [responsiveness.pk]
    assert "Start from a suggestion" in page and "Publish response times" in page and "A checklist" not in page
    assert f"template={suited.pk}" in page


def test_starting_from_a_suggestion_fills_in_the_form_and_records_it(as_, org):
    template = ActionTemplate.objects.create(
        parameter_name="Responsiveness", title="Publish response times", change="Publish and measure them."
    )
    page = as_(org.head).get(create_url(org, template=template.pk))
    form = page.context["form"]
    assert (form.initial["title"], form.initial["change"]) == ("Publish response times", "Publish and measure them.")
    assert f'<input type="hidden" name="template" value="{template.pk}">' in page.content.decode()

    as_(org.head).post(create_url(org), action_post(org, template=template.pk))
    assert ActionItem.objects.get().template == template


def test_a_suggestion_deleted_meanwhile_is_refused_and_dropped_from_the_form(as_, org):
    response = as_(org.head).post(create_url(org), action_post(org, template="999999"))
    page = response.content.decode()
    assert "is no longer there" in page and '<input type="hidden" name="template" value="">' in page
    assert not ActionItem.objects.exists()


def test_a_parameter_of_another_department_in_the_address_is_ignored_with_a_message(as_, org):
    foreign = org.sales.parameters.get()
    response = as_(org.head).get(create_url(org, parameter=foreign.pk))
    assert response.status_code == 200 and "is not valid, so it was ignored" in response.content.decode()
    assert "parameters" not in response.context["form"].initial


def test_a_new_parameter_of_the_charter_is_offered(as_, org):
    added = ServiceParameterFactory(department=org.it, code="availability", name="Availability")
    response = as_(org.head).get(create_url(org))
    assert added.pk in [p.pk for p in response.context["form"].fields["parameters"].queryset]


# --- progress updates and history --------------------------------------------------------------------


def test_progress_updates_are_dated_and_labelled_public_or_internal(as_, org, make_action):
    item = make_action()
    client = as_(org.head)
    day = (TODAY() - timedelta(days=2)).isoformat()
    assert (
        client.post(
            update_url(item), {"written_on": day, "text": "Half the team trained.", "public": "on"}
        ).status_code
        == 302
    )
    client.post(update_url(item), {"written_on": TODAY().isoformat(), "text": "Budget is tight."})

    updates = list(item.updates.order_by("written_on"))
    assert [(u.text, u.public, u.author) for u in updates] == [
        ("Half the team trained.", True, org.head),
        ("Budget is tight.", False, org.head),
    ]
    page = client.get(detail_url(item)).content.decode()
    assert "Public" in page and "Internal" in page


def test_an_update_dated_in_the_future_is_refused_on_the_items_page(as_, org, make_action):
    item = make_action()
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    response = as_(org.head).post(update_url(item), {"written_on": tomorrow, "text": "Soon.", "public": "on"})
    assert response.status_code == 200 and "cannot be in the future" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_the_update_address_takes_posts_only(as_, org, make_action):
    assert as_(org.head).get(update_url(make_action())).status_code == 405


def test_the_history_says_who_changed_which_field_from_what_to_what(as_, org, make_action, delegate):
    item = make_action()
    as_(delegate).post(
        edit_url(item), edit_post(item, status="done", owners=[org.colleague.pk, delegate.pk], title="Faster answers")
    )

    history = action_history(item)
    latest, created = history[0], history[-1]
    assert created.created and created.who == org.head.full_name
    assert latest.who == delegate.full_name and not latest.created
    changes = {change.field: (change.old, change.new) for change in latest.changes}
    assert changes["status"] == ("Planned", "Done")
    assert changes["title"] == ("Answer every ticket within a day", "Faster answers")
    assert changes["owners"] == (
        org.colleague.full_name,
        ", ".join(sorted([org.colleague.full_name, delegate.full_name])),
    )
    page = as_(org.hr).get(detail_url(item)).content.decode()
    assert "Planned" in page and delegate.full_name in page and "Added the action." in page
    record = item.history.latest()
    assert record.history_user == delegate.user
