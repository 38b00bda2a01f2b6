"""Delegates: the head (or HR) names people of the department who then act for it as the head does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from departments.models import Delegate
from departments.roles import Roles
from tests.factories import EmployeeFactory

URL = reverse("departments:delegates", args=["it"])


def delegates_of(org) -> set:
    return set(Delegate.objects.filter(department=org.it).values_list("employee_id", flat=True))


def test_the_head_names_a_delegate_who_then_acts_for_the_department(as_, org):
    response = as_(org.head).post(URL, {"delegates": [org.colleague.pk]}, follow=True)

    assert delegates_of(org) == {org.colleague.pk}
    assert f"IT now has 1 delegate: {org.colleague.full_name}." in response.content.decode()
    roles = Roles(org.colleague.user)
    assert roles.can_act_for(org.it) and not roles.can_name_delegates(org.it)
    assert as_(org.colleague).get(reverse("improvements:action_create", args=["it"])).status_code == 200


def test_unticking_removes_a_delegate(as_, org):
    Delegate.objects.create(department=org.it, employee=org.colleague)
    as_(org.head).post(URL, {})
    assert delegates_of(org) == set()
    assert not Roles(org.colleague.user).can_act_for(org.it)


def test_the_page_lists_the_current_delegates_ticked_and_leaves_the_head_out(as_, org):
    Delegate.objects.create(department=org.it, employee=org.colleague)
    response = as_(org.head).get(URL)
    form = response.context["form"]
    assert form.initial["delegates"] == [org.colleague.pk]
    assert org.head not in form.fields["delegates"].queryset
    assert org.colleague.full_name in response.content.decode()


def test_someone_of_another_department_cannot_be_named(as_, org):
    response = as_(org.head).post(URL, {"delegates": [org.outsider.pk]})
    assert (
        response.status_code == 200 and "That choice is not one of the available choices" in response.content.decode()
    )
    assert delegates_of(org) == set()


def test_hr_names_delegates_too(as_, org):
    assert as_(org.hr).post(URL, {"delegates": [org.colleague.pk]}).status_code == 302
    assert delegates_of(org) == {org.colleague.pk}


@pytest.mark.parametrize("role", ["colleague", "outsider", "outsider_head"])
def test_nobody_else_names_delegates(as_, org, role):
    client = as_(getattr(org, role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"delegates": [org.colleague.pk]}).status_code == 403
    assert delegates_of(org) == set()


def test_a_delegate_cannot_name_other_delegates(as_, org):
    Delegate.objects.create(department=org.it, employee=org.colleague)
    other = EmployeeFactory(department=org.it)
    assert as_(org.colleague).post(URL, {"delegates": [org.colleague.pk, other.pk]}).status_code == 403
    assert delegates_of(org) == {org.colleague.pk}


def test_an_unknown_department_is_not_found(as_, org):
    assert as_(org.hr).get(reverse("departments:delegates", args=["nope"])).status_code == 404
