"""HR's library of suggested actions: listed by parameter name, added, edited and deleted by HR only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from improvements.models import ActionTemplate

LIST = reverse("improvements:templates")


def suggestion(**fields) -> ActionTemplate:
    return ActionTemplate.objects.create(
        **{"parameter_name": "Responsiveness", "title": "Publish response times", "change": "Publish them."} | fields
    )


def test_hr_adds_a_suggested_action_and_finds_it_under_its_parameter(as_, org):
    client = as_(org.hr)
    response = client.post(
        LIST, {"parameter_name": "  Quality   of work ", "title": "A checklist", "change": "One page.\r\nFive steps."}
    )
    assert response.status_code == 302
    assert ActionTemplate.objects.get().parameter_name == "Quality of work"
    page = client.get(LIST).content.decode()
    assert "Quality of work" in page and "A checklist" in page


def test_the_list_groups_suggestions_by_parameter_name_and_pages_when_long(as_, org):
    for n in range(35):
        suggestion(parameter_name="Communication" if n % 2 else "Reliability", title=f"Idea {n:02}")
    first = as_(org.hr).get(LIST)
    assert first.context["page"].paginator.num_pages == 2
    assert first.content.decode().count('<h2 id="group-') == 2  # 17 of Communication, then Reliability
    second = as_(org.hr).get(LIST + "?page=2").content.decode()
    assert second.count('<h2 id="group-') == 1 and "Reliability" in second and "Idea 34" in second


def test_an_empty_library_says_who_fills_it(as_, org):
    assert "No suggested action yet" in as_(org.hr).get(LIST).content.decode()


def test_hr_edits_and_deletes_a_suggested_action(as_, org):
    template = suggestion()
    client = as_(org.hr)
    edit = reverse("improvements:template_edit", args=[template.pk])
    assert (
        client.post(edit, {"parameter_name": "Responsiveness", "title": "Renamed", "change": "New."}).status_code
        == 302
    )
    template.refresh_from_db()
    assert template.title == "Renamed"

    delete = reverse("improvements:template_delete", args=[template.pk])
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    assert not ActionTemplate.objects.exists()


def test_deleting_a_suggestion_leaves_the_actions_started_from_it(as_, org, make_action):
    template = suggestion()
    item = make_action(template=template)
    as_(org.hr).post(reverse("improvements:template_delete", args=[template.pk]))
    item.refresh_from_db()
    assert item.template is None and item.title == "Answer every ticket within a day"


@pytest.mark.parametrize("role", ["head", "colleague", "outsider", "outsider_head"])
def test_only_hr_keeps_the_library(as_, org, role):
    template = suggestion()
    client = as_(getattr(org, role))
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"parameter_name": "X", "title": "Y", "change": "Z"}).status_code == 403
    assert client.get(reverse("improvements:template_edit", args=[template.pk])).status_code == 403
    assert client.post(reverse("improvements:template_delete", args=[template.pk])).status_code == 403
    assert list(ActionTemplate.objects.all()) == [template]


def test_an_unknown_suggestion_is_not_found(as_, org):
    assert as_(org.hr).get(reverse("improvements:template_edit", args=[999999])).status_code == 404
    assert as_(org.hr).post(reverse("improvements:template_delete", args=[999999])).status_code == 404
