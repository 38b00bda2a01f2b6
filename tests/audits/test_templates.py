import pytest
from django.urls import reverse

from audits.models import AuditItem, AuditTemplate
from tests.factories import make_audit, make_audit_template


def template_post(org, **changes):
    it = org.it.parameters.order_by("position")
    values = {
        "department": org.it.pk,
        "name": "Service desk walk-in",
        "scenario": "Ask for a loan laptop.",
        "active": "on",
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-parameter": it[0].pk,
        "form-0-text": "Greeted within a minute",
        "form-0-kind": "pass_fail",
        "form-0-weight": "1",
        "form-0-critical": "on",
        "form-1-parameter": it[1].pk,
        "form-1-text": "Explained the fix",
        "form-1-kind": "scale",
        "form-1-weight": "2",
    }
    return values | changes


def test_hr_writes_a_template_with_its_checklist(as_, org):
    response = as_(org.hr).post(reverse("audits:template_create"), template_post(org))

    assert response.status_code == 302
    template = AuditTemplate.objects.get()
    items = list(template.items.order_by("pk").values_list("text", "kind", "critical"))
    assert template.department == org.it
    assert items == [("Greeted within a minute", "pass_fail", True), ("Explained the fix", "scale", False)]


def test_an_item_tied_to_another_departments_parameter_is_refused(as_, org):
    sales = org.sales.parameters.get()
    response = as_(org.hr).post(
        reverse("audits:template_create"), template_post(org, **{"form-1-parameter": sales.pk})
    )

    assert "Choose a parameter of the charter of IT." in response.content.decode()
    assert not AuditTemplate.objects.exists() and not AuditItem.objects.exists()


def test_a_template_needs_an_item(as_, org):
    # Two blank rows as the browser sends them: their defaults untouched.
    empty = {
        f"form-{n}-{field}": value
        for n in (0, 1)
        for field, value in [("parameter", ""), ("text", ""), ("kind", "pass_fail"), ("weight", "1")]
    }
    data = {key: value for key, value in template_post(org, **empty).items() if not key.endswith("critical")}
    response = as_(org.hr).post(reverse("audits:template_create"), data)

    assert "at least one checklist item" in response.content.decode()
    assert not AuditTemplate.objects.exists()


def test_the_form_says_what_failed_means_for_a_one_to_five_item(as_, org):
    page = as_(org.hr).get(reverse("audits:template_create")).content.decode()
    assert "1 or 2 on the 1–5 scale" in page


def test_once_audited_a_templates_checklist_is_fixed(as_, org):
    template = make_audit_template(org.it)
    make_audit(template, org.outsider)
    page = as_(org.hr).get(reverse("audits:template_edit", args=[template.pk])).content.decode()
    assert "its checklist is fixed" in page and "form-TOTAL_FORMS" not in page

    response = as_(org.hr).post(
        reverse("audits:template_edit", args=[template.pk]),
        {"name": "Renamed", "scenario": "Same.", "active": "on", "form-TOTAL_FORMS": "0"},
    )
    assert response.status_code == 302
    assert AuditTemplate.objects.get().name == "Renamed" and AuditItem.objects.count() == 2


@pytest.mark.parametrize("who", ["colleague", "head", "outsider"])
def test_only_hr_keeps_templates(as_, org, who):
    assert as_(getattr(org, who)).post(reverse("audits:template_create"), template_post(org)).status_code == 403
    assert not AuditTemplate.objects.exists()


def test_before_any_audit_hr_edits_the_checklist_and_removes_an_item(as_, org):
    template = make_audit_template(org.it)
    first, second = template.items.order_by("position")
    data = {
        "name": template.name,
        "scenario": "Changed.",
        "active": "on",
        "form-TOTAL_FORMS": "4",
        "form-INITIAL_FORMS": "2",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate((first, second)):
        data |= {
            f"form-{n}-id": item.pk,
            f"form-{n}-template": template.pk,
            f"form-{n}-parameter": item.parameter_id,
            f"form-{n}-text": item.text,
            f"form-{n}-kind": item.kind,
            f"form-{n}-weight": str(item.weight),
        }
    data |= {"form-0-text": "Greeted at once", "form-1-DELETE": "on"}
    data |= {f"form-{n}-{key}": value for n in (2, 3) for key, value in [("kind", "pass_fail"), ("weight", "1")]}

    response = as_(org.hr).post(reverse("audits:template_edit", args=[template.pk]), data)

    assert response.status_code == 302
    assert list(template.items.values_list("text", flat=True)) == ["Greeted at once"]
