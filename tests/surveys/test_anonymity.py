"""Anonymity by construction: the stored response cannot be tied back to a person."""

from __future__ import annotations

import base64
import contextlib
import os
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from departments.models import Department, Employee
from surveys import services
from surveys.models import Answer, Invitation, Notification, Response
from surveys.sealing import SEALED_SIZE, Answers, UnreadableSeal, seal, unseal
from surveys.services.release import RELEASE_BATCH, release_due
from tests.factories import ALL_GOOD, EmployeeFactory, make_cycle

RESPONSE_TABLES = [Response, Answer]


def waiting():
    """Invitations whose submitted answers wait, sealed, to be released."""
    return Invitation.objects.exclude(answers_sealed=None)


PERSONAL = {Employee, Invitation, Notification}  # drafts and waiting answers live, sealed, on invitations


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


def test_answers_wait_until_their_pair_can_hide_each_author_and_k_always_stay_behind(
    org, django_capture_on_commit_callbacks
):
    """k = 3: nothing leaves before 4k wait; then all but k leave, in one transaction; closing
    releases the rest, at least k (or the whole pair)."""
    assert RELEASE_BATCH == 3
    cycle = make_cycle(org, score_threshold=3, comment_threshold=3)
    EmployeeFactory.create_batch(12, department=org.sales)
    services.cycle_open(cycle_id=cycle.pk)
    invitations = list(
        Invitation.objects.filter(cycle=cycle, department=org.it).select_related("cycle", "department").order_by("pk")
    )
    assert len(invitations) == 15  # 14 in Sales, 1 in HR

    sales = [i for i in invitations if i.rater_department_id == org.sales.pk]
    for number, invitation in enumerate(sales[:11], start=1):
        with django_capture_on_commit_callbacks(execute=True):
            services.response_submit(invitation=invitation, scores=ALL_GOOD)
        assert (waiting().count(), Response.objects.count()) == (number, 0)
    with django_capture_on_commit_callbacks(execute=True):  # the release task, queued once committed
        services.response_submit(invitation=sales[11], scores=ALL_GOOD)  # 12 = 4k wait: 9 leave, 3 stay
    assert (waiting().count(), Response.objects.count(), Answer.objects.count()) == (3, 9, 18)
    for invitation in sales[12:]:
        with django_capture_on_commit_callbacks(execute=True):
            services.response_submit(invitation=invitation, scores=ALL_GOOD)
    hr = next(i for i in invitations if i.rater_department_id == org.hr_dept.pk)
    services.response_submit(invitation=hr, scores=ALL_GOOD)  # another pair: waits on its own
    assert (waiting().count(), Response.objects.count()) == (6, 9)

    services.cycle_close(cycle_id=cycle.pk)  # closing releases whatever waits, pair by pair
    assert (waiting().count(), Response.objects.count()) == (0, 15)
    assert Response.objects.filter(rater_department=org.hr_dept).count() == 1


def test_a_release_is_asked_for_once_4k_wait_and_again_at_each_further_k():
    due = [waiting for waiting in range(1, 25) if release_due(waiting=waiting, score_threshold=3)]

    assert due == [12, 15, 18, 21, 24]


def test_the_invitation_keeps_only_a_sealed_draft_and_submitting_erases_it(org, open_cycle, invitation):
    services.draft_save(invitation=invitation, scores={"responsiveness": 2}, comment_good="Great", comment_improve="")
    invitation.refresh_from_db()
    assert b"Great" not in bytes(invitation.draft_sealed)
    assert len(invitation.draft_sealed) > SEALED_SIZE  # every draft has the same size, whatever it says
    assert unseal(invitation.draft_sealed) == Answers({"responsiveness": 2}, "Great", "")

    services.response_submit(invitation=invitation, scores=ALL_GOOD, comment_good="Great")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.COMPLETED
    assert {f.name for f in Invitation._meta.concrete_fields} == {
        "id",
        "cycle",
        "employee",
        "department",
        "rater_department",
        "status",
        "draft_sealed",  # the employee's draft, sealed, until they submit or decline
        "draft_saved_at",
        "answers_sealed",  # the submitted answers, sealed, until released with others of the pair
    }
    # Submitting erased the draft: nothing of what was answered stays with the person.
    assert (invitation.draft_sealed, invitation.draft_saved_at) == (None, None)
    pending = waiting().get()
    assert b"Great" not in bytes(pending.answers_sealed)
    assert unseal(pending.answers_sealed) == Answers(ALL_GOOD, "Great", "")


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.mark.parametrize("keys", [[], ["not-a-key"], [base64.urlsafe_b64encode(b"16 bytes is AES1").decode()]])
def test_a_missing_or_malformed_key_is_refused_in_words(settings, keys):
    settings.SURVEY_ENCRYPTION_KEYS = keys

    with pytest.raises(ImproperlyConfigured, match="SURVEY_ENCRYPTION_KEYS") as refused:
        seal(Answers({"a": 1}))
    assert "base64.urlsafe_b64encode(os.urandom(32))" in str(refused.value)  # how to make one


def test_a_sealed_payload_altered_in_the_database_is_refused_not_read():
    sealed = bytearray(seal(Answers({"a": 1}, "Mine")))
    sealed[40] ^= 1

    with pytest.raises(UnreadableSeal):
        unseal(bytes(sealed))


def test_sealed_payloads_have_one_size_whatever_they_hold():
    short = seal(Answers({"a": 1}))
    long = seal(Answers({f"q{i}": 5 for i in range(40)}, "é" * 1000, "😀" * 500))  # the longest comments
    assert len(short) == len(long)


def test_a_rotated_key_opens_what_the_old_one_sealed_after_resealing(org, open_cycle, invitation, settings):
    from django.core.management import call_command

    services.draft_save(invitation=invitation, scores={"responsiveness": 2}, comment_good="Mine", comment_improve="")
    old, new = settings.SURVEY_ENCRYPTION_KEYS[0], new_key()
    settings.SURVEY_ENCRYPTION_KEYS = [new, old]
    call_command("reseal_answers")
    settings.SURVEY_ENCRYPTION_KEYS = [new]
    invitation.refresh_from_db()
    assert unseal(invitation.draft_sealed).comment_good == "Mine"


def test_a_pair_with_an_answer_sealed_by_a_lost_key_waits_whole_and_its_cycle_has_no_results(
    org, open_cycle, settings
):
    """Releasing the readable rest alone would leave the unreadable one to leave later, alone."""
    from scorecards.models import CycleResult
    from scorecards.services import cycle_aggregate

    sales, hr = (
        list(
            Invitation.objects.filter(cycle=open_cycle, rater_department=department).select_related(
                "cycle", "department"
            )
        )
        for department in (org.sales, org.hr_dept)
    )
    services.response_submit(invitation=sales[0], scores=ALL_GOOD)
    settings.SURVEY_ENCRYPTION_KEYS = [new_key()]  # the first key is lost
    services.response_submit(invitation=sales[1], scores=ALL_GOOD)
    services.response_submit(invitation=hr[0], scores=ALL_GOOD)
    services.cycle_close(cycle_id=open_cycle.pk)
    assert Response.objects.get().rater_department == org.hr_dept  # the other pair left
    assert waiting().filter(rater_department=org.sales).count() == 2
    cycle_aggregate(cycle_id=open_cycle.pk)
    assert not CycleResult.objects.filter(cycle=open_cycle).exists()  # nothing moves later by a late pair
    readable = []
    for pending in waiting():
        with contextlib.suppress(UnreadableSeal):
            readable.append(unseal(pending.answers_sealed))
    assert len(readable) == 1


def test_comments_longer_than_a_sealed_answer_holds_are_refused_in_words(login, org, open_cycle, invitation):
    from tests.factories import JSON, answers

    too_long = answers(**ALL_GOOD) | {"it-comment_good": "😀" * 501}  # 1002 units, as a browser counts them
    response = login(org.outsider).post(f"/surveys/{open_cycle.pk}/it/", too_long, **JSON)
    assert response.status_code == 400 and "an emoji counts as two" in response.json()["form"]
    with pytest.raises(services.SurveyError, match="at most 1000 characters"):
        services.response_submit(invitation=invitation, scores=ALL_GOOD, comment_good="x" * 1001)
    assert Invitation.objects.get(pk=invitation.pk).status == "pending"
