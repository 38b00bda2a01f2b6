"""Anonymity by construction: the stored response cannot be tied back to a person."""

from __future__ import annotations

import uuid

from django.db import models
from django.test import override_settings

from departments.models import Department, Employee
from surveys import services
from surveys.models import Answer, Invitation, Notification, PendingResponse, Response
from tests.factories import EmployeeFactory

from .conftest import ALL_GOOD

RESPONSE_TABLES = [Response, Answer, PendingResponse]
PERSONAL = {Employee, Invitation, Notification}  # a draft lives on its invitation


def foreign_key_paths(model, path=(), seen=frozenset()):
    """Every chain of foreign keys leaving `model`. Departments end a chain: a department is shared
    by everyone in it, and its head is a public role, not the author of a response."""
    for field in model._meta.get_fields():
        if not (field.is_relation and field.concrete):
            continue
        target = field.related_model
        step = (*path, f"{model.__name__}.{field.name}")
        yield step, target
        if target is not Department and target not in seen:
            yield from foreign_key_paths(target, step, seen | {model})


def test_no_foreign_key_path_leads_from_a_response_to_a_person_or_invitation():
    from django.contrib.auth import get_user_model

    personal = PERSONAL | {get_user_model()}
    for model in RESPONSE_TABLES:
        for path, target in foreign_key_paths(model):
            assert target not in personal, f"{' → '.join(path)} reaches {target.__name__}"


def test_response_tables_hold_no_time_of_day_and_no_request_metadata():
    for model in RESPONSE_TABLES:
        for field in model._meta.concrete_fields:
            assert not isinstance(field, (models.DateTimeField, models.TimeField)), f"{model.__name__}.{field.name}"
            assert not isinstance(field, models.GenericIPAddressField), f"{model.__name__}.{field.name}"
            assert field.name not in {"user", "employee", "invitation", "ip", "user_agent", "created_at"}


def test_response_ids_are_random_and_reveal_no_order():
    for model in RESPONSE_TABLES:
        assert isinstance(model._meta.pk, models.UUIDField), model.__name__
        assert model._meta.pk.default is uuid.uuid4


@override_settings(SURVEY_RELEASE_BATCH=3)
def test_answers_wait_until_a_batch_can_hide_each_author(org, open_cycle, invitation):
    EmployeeFactory(department=org.sales)
    services.invitations_create(cycle=open_cycle)
    invitations = list(Invitation.objects.filter(cycle=open_cycle).select_related("cycle", "provider"))

    services.response_submit(invitation=invitations[0], scores=ALL_GOOD)
    services.response_submit(invitation=invitations[1], scores=ALL_GOOD)
    assert (PendingResponse.objects.count(), Response.objects.count()) == (2, 0)

    services.response_submit(invitation=invitations[2], scores=ALL_GOOD)
    assert (PendingResponse.objects.count(), Response.objects.count(), Answer.objects.count()) == (0, 3, 6)

    services.response_submit(invitation=invitations[3], scores=ALL_GOOD)
    assert Response.objects.count() == 3
    services.cycle_close(cycle_id=open_cycle.pk)  # closing releases whatever waits
    assert (PendingResponse.objects.count(), Response.objects.count()) == (0, 4)


def test_the_invitation_only_records_that_it_was_answered(org, open_cycle, invitation):
    services.draft_save(invitation=invitation, scores={"responsiveness": 2}, comment_good="Great", comment_improve="")
    services.response_submit(invitation=invitation, scores=ALL_GOOD, comment_good="Great")

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.COMPLETED
    assert {f.name for f in Invitation._meta.concrete_fields} == {
        "id",
        "cycle",
        "employee",
        "provider",
        "rater_department",
        "status",
        # the employee's draft, until they submit or decline:
        "draft_scores",
        "draft_comment_good",
        "draft_comment_improve",
        "draft_saved_at",
    }
    # Submitting erased the draft: nothing of what was answered stays with the person.
    assert (invitation.draft_scores, invitation.draft_comment_good, invitation.draft_saved_at) == (None, "", None)
