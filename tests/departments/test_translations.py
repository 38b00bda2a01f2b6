"""Charter content per language: department names and descriptions and parameter texts in English
and German (departments/translation.py), English where the German is blank, on every page that
shows them, in exports, and never served from a rendering kept for the other language."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from departments.languages import in_language
from departments.models import Department, ServiceParameter
from surveys.models import CycleParameter

pytestmark = pytest.mark.django_db


GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def german_it(org) -> None:
    Department.objects.filter(pk=org.it.pk).update(
        name_de="IT-Service", description_de="Laptops, Netzwerke und der Service-Desk."
    )
    ServiceParameter.objects.filter(department=org.it, code="responsiveness").update(
        name_de="Reaktionsfähigkeit", description_de="Sie bekommen schnell eine Antwort."
    )


def test_english_columns_hold_the_texts_given_before_german_existed(org):
    it = Department.objects.get(pk=org.it.pk)
    assert (it.name_en, it.name_de) == ("IT", None)
    with translation.override("de"):
        assert it.name == "IT" and it.description == "Laptops, networks and the service desk."


def test_the_directory_and_charter_show_german_names_with_english_where_german_is_blank(org, login):
    german_it(org)
    client = login(org.outsider)

    directory = page(client.get(reverse("departments:directory"), **GERMAN))
    charter = page(client.get(reverse("portal:charter", args=["it"]), **GERMAN))

    assert "IT-Service" in directory and "Sales" in directory  # Sales has no German name
    assert "IT-Service" in charter and "Laptops, Netzwerke und der Service-Desk." in charter
    assert "Reaktionsfähigkeit" in charter and "Sie bekommen schnell eine Antwort." in charter
    assert "Quality of work" in charter  # no German: the English text
    english = page(client.get(reverse("portal:charter", args=["it"]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Responsiveness" in english and "Reaktionsfähigkeit" not in english


def test_the_survey_page_asks_the_cycles_questions_in_german(org, invitation, login):
    german_it(org)
    client = login(org.outsider)
    url = reverse("surveys:survey", args=[invitation.cycle_id])

    english = page(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))  # kept in memory first, in English
    german = page(client.get(url, **GERMAN))

    assert "Responsiveness" in english and "Reaktionsfähigkeit" not in english
    assert "Reaktionsfähigkeit" in german and "Sie bekommen schnell eine Antwort." in german
    assert "IT-Service" in german and "Responsiveness" not in german
    assert "Quality of work" in german  # no German text: the English one
    again = page(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Reaktionsfähigkeit" not in again and "Responsiveness" in again


def test_a_cycle_keeps_its_questions_in_english_even_when_opened_from_a_german_page(org):
    german_it(org)
    from tests.factories import make_cycle

    with translation.override("de"):
        cycle = make_cycle(org, status="open")
    asked = CycleParameter.objects.get(cycle=cycle, department=org.it, code="responsiveness")
    assert (asked.name, asked.description) == ("Responsiveness", "You can expect this.")


def test_a_translation_stands_only_for_the_english_text_the_cycle_asked(org, open_cycle):
    german_it(org)
    # The charter's English changed after the cycle opened: its German is for the new wording.
    ServiceParameter.objects.filter(department=org.it, code="responsiveness").update(name_en="Speed")
    asked = list(CycleParameter.objects.filter(cycle=open_cycle, department=org.it).order_by("position"))

    with translation.override("de"):
        shown = in_language(asked)

    assert [q.name for q in shown] == ["Responsiveness", "Quality of work"]
    assert shown[0].description == "Sie bekommen schnell eine Antwort."  # the description did not change
    assert asked[0].description == "You can expect this."  # the objects given are left as they were


def test_the_scorecard_in_german_then_english_serves_neither_from_the_others_rendering(as_, people, generated):
    Department.objects.filter(code="it").update(name_de="Informationstechnik")
    ServiceParameter.objects.filter(department__code="it", code="resp").update(name_de="Reaktionszeit")
    client = as_(people["head"])

    english = page(client.get("/scorecards/it/", HTTP_ACCEPT_LANGUAGE="en"))
    german = page(client.get("/scorecards/it/", **GERMAN))
    english_again = page(client.get("/scorecards/it/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "Reaktionszeit" in german and "Informationstechnik" in german
    assert "Qual" in german  # no German name: the English one
    assert "Reaktionszeit" not in english and "Reaktionszeit" not in english_again
    assert ">Resp<" in english_again or "Resp</strong>" in english_again


def test_exports_name_departments_in_the_readers_language(as_, people, generated):
    Department.objects.filter(code="it").update(name_de="Informationstechnik")
    client = as_(people["hr"])
    url = f"/results/{generated.cycle.pk}/scores.csv"

    german = list(csv.DictReader(io.StringIO(client.get(url, **GERMAN).content.decode("utf-8-sig"))))
    english = list(csv.DictReader(io.StringIO(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig"))))

    assert {r["provider_department_name"] for r in german if r["provider_department"] == "it"} == {
        "Informationstechnik"
    }
    assert {r["provider_department_name"] for r in english if r["provider_department"] == "it"} == {"IT"}


def test_hr_edits_the_english_and_german_texts_from_a_german_page(org, login):
    client = login(org.hr)
    url = reverse("departments:edit", args=["it"])
    form = page(client.get(url, **GERMAN))
    assert 'name="name_de"' in form and 'name="description_de"' in form and "<legend" in form

    response = client.post(
        url,
        {
            "name": "Information technology",
            "description": "Laptops.",
            "name_de": "Informationstechnik",
            "description_de": "",
            "head": org.head.pk,
            "active": "on",
        },
        **GERMAN,
    )

    assert response.status_code == 302
    it = Department.objects.get(pk=org.it.pk)
    assert (it.name_en, it.name_de, it.description_en, it.description_de) == (
        "Information technology",
        "Informationstechnik",
        "Laptops.",
        None,
    )


def test_a_department_created_from_a_german_page_has_english_and_german_names(org, login):
    response = login(org.hr).post(
        reverse("departments:create"),
        {"code": "legal", "name": "Legal", "description": "Contracts.", "name_de": "Recht", "description_de": ""},
        **GERMAN,
    )

    assert response.status_code == 302
    legal = Department.objects.get(code="legal")
    assert (legal.name_en, legal.name_de, legal.description_de) == ("Legal", "Recht", None)
    assert set(legal.parameters.values_list("name_en", flat=True)) >= {"Responsiveness", "Quality of work"}


def test_the_charter_form_edits_german_parameter_texts_and_refuses_one_too_long(org, login):
    client = login(org.head)
    url = reverse("departments:charter_edit", args=["it"])
    assert 'name="form-0-name_de"' in page(client.get(url, **GERMAN))
    parameters = list(ServiceParameter.objects.filter(department=org.it).order_by("-active", "position", "name"))
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for number, parameter in enumerate(parameters):
        data |= {
            f"form-{number}-id": parameter.pk,
            f"form-{number}-name": parameter.name_en,
            f"form-{number}-code": parameter.code,
            f"form-{number}-description": parameter.description_en,
            f"form-{number}-target": parameter.target,
            f"form-{number}-weight": parameter.weight,
            f"form-{number}-position": parameter.position,
            f"form-{number}-active": "on",
            f"form-{number}-name_de": "",
            f"form-{number}-description_de": "",
        }
    data["form-0-name_de"] = "X" * 121

    refused = page(client.post(url, data, **GERMAN))
    assert ServiceParameter.objects.filter(name_de__isnull=False).count() == 0
    assert "form-0-name_de" in refused and "is-invalid" in refused

    data["form-0-name_de"] = "Reaktionsfähigkeit"
    assert client.post(url, data, **GERMAN).status_code == 302
    saved = ServiceParameter.objects.get(pk=parameters[0].pk)
    assert (saved.name_en, saved.name_de) == (parameters[0].name_en, "Reaktionsfähigkeit")


def test_the_value_chain_names_departments_in_the_readers_language(generated):
    from scorecards.value_chain import chain_map

    Department.objects.filter(code="it").update(name_de="Informationstechnik")
    with translation.override("de"):
        names = {department.code: department.name for department in chain_map(None).departments}
    assert names["it"] == "Informationstechnik" and names["fin"] == "FIN"
