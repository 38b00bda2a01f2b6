"""Concerns end to end through the pages: raising (named and anonymous), the conversation from both
sides, answering, reopening once, rating, sending back to HR, reassigning and hiding."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from concerns import receipts, services
from concerns.models import Concern, ConcernMessage, Deposit
from departments.models import Delegate
from tests.factories import EmployeeFactory, make_concern

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: emails go after them


@pytest.fixture(autouse=True)
def _daily_release(settings):
    settings.CONCERNS_RELEASE_AT_ONCE = False  # as in production: anonymous writes wait for the release


def raise_post(org, **overrides) -> dict:
    return {
        "department": org.it.pk,
        "parameter": org.it.parameters.first().pk,
        "subject": "Laptop requests go unanswered",
        "description": "I asked three times in October.",
        "anonymous": "yes",
    } | overrides


def receipt_post(client, code: str, action: str = "open", **data):
    return client.post(reverse("concerns:receipt"), {"code": code, "action": action, **data})


def raise_anonymously(as_, org, **overrides) -> str:
    response = as_(org.outsider).post(reverse("concerns:raise"), raise_post(org, **overrides))
    assert response.status_code == 200
    return re.search(r'data-receipt="([0-9A-Z-]+)"', response.content.decode()).group(1)


def test_a_named_concern_reaches_the_department_with_the_raisers_name(as_, org):
    response = as_(org.outsider).post(reverse("concerns:raise"), raise_post(org, anonymous="no"), follow=True)
    concern = Concern.objects.get()
    assert (concern.raised_by, concern.raiser_department, concern.anonymous) == (org.outsider, org.sales, False)
    assert concern.receipt_hash is None
    assert "with your name" in response.content.decode()
    assert [m.to for m in mail.outbox] == [[org.head.email]]
    assert org.outsider.user.get_full_name() in as_(org.head).get(concern.get_absolute_url()).content.decode()
    assert concern.subject in as_(org.outsider).get(reverse("concerns:mine")).content.decode()


def test_an_anonymous_concern_is_sealed_until_the_daily_release(as_, org):
    code = raise_anonymously(as_, org)
    assert not Concern.objects.exists() and Deposit.objects.count() == 1
    assert "Laptop" not in str(bytes(Deposit.objects.get().sealed))
    waiting = receipt_post(as_(org.outsider), code)
    assert "on its way" in waiting.content.decode()

    assert services.anonymous_release() == 1
    assert services.anonymous_release() == 0  # idempotent: nothing left
    concern = Concern.objects.get()
    assert concern.anonymous and concern.raised_by is None and concern.raiser_department is None
    assert concern.receipt_hash == receipts.receipt_hash(code) and code.replace("-", "") not in str(
        Concern.objects.values().get()
    )
    assert not Deposit.objects.exists()
    assert [m.to for m in mail.outbox] == [[org.head.email]]
    assert concern.subject in receipt_post(as_(org.outsider), code).content.decode()


def test_a_receipt_code_has_at_least_80_bits_and_is_read_in_any_case():
    code = receipts.new_code()
    assert len(code.replace("-", "")) * 5 >= 80 and len(set(receipts.ALPHABET)) == 32
    assert receipts.receipt_hash(code.lower().replace("-", " ")) == receipts.receipt_hash(code)
    assert receipts.receipt_hash("not a code") is None
    assert len({receipts.new_code() for _ in range(1000)}) == 1000


def test_the_raisers_department_is_kept_only_with_consent_and_a_big_enough_group(as_, org):
    # Sales has 2 people, fewer than the threshold (5): the box is refused whatever is sent.
    raise_anonymously(as_, org, share_department="on")
    for _ in range(3):
        EmployeeFactory(department=org.sales)
    raise_anonymously(as_, org, share_department="on")
    raise_anonymously(as_, org)  # not ticked
    services.anonymous_release()
    assert sorted(str(c.raiser_department) for c in Concern.objects.all()) == ["None", "None", "Sales"]


def test_the_conversation_from_both_sides_with_a_reopening_and_a_rating(as_, org):
    code = raise_anonymously(as_, org)
    services.anonymous_release()
    concern = Concern.objects.get()
    head = as_(org.head)
    assert head.post(reverse("concerns:acknowledge", args=[concern.pk])).status_code == 302
    head.post(reverse("concerns:message", args=[concern.pk]), {"message-text": "Which laptop model?"})
    raiser = as_(org.outsider)
    page = receipt_post(raiser, code).content.decode()
    assert "Which laptop model?" in page
    receipt_post(raiser, code, "message", **{"message-text": "The X1, since September."})
    services.anonymous_release()
    head = as_(org.head)
    head.post(reverse("concerns:answer", args=[concern.pk]), {"answer-text": "Ordered; it arrives Friday."})
    concern.refresh_from_db()
    assert concern.status == Concern.Status.ANSWERED and concern.answered_in_time
    assert list(concern.messages.values_list("from_department", flat=True)) == [True, False, True]
    # Reopened once, saying why: a new answer clock; a second reopening is refused.
    raiser = as_(org.outsider)
    assert "Ordered" in receipt_post(raiser, code).content.decode()
    receipt_post(raiser, code, "reopen", **{"reopen-reason": "It did not arrive."})
    second = receipt_post(raiser, code, "reopen", **{"reopen-reason": "Again."})
    assert "not possible" in second.content.decode()
    services.anonymous_release()
    concern.refresh_from_db()
    assert (concern.status, concern.reopen_reason, concern.clock_round) == ("reopened", "It did not arrive.", 2)
    as_(org.head).post(reverse("concerns:answer", args=[concern.pk]), {"answer-text": "Delivered today."})
    receipt_post(as_(org.outsider), code, "rate", **{"rate-rating": "partly"})
    services.anonymous_release()
    concern.refresh_from_db()
    assert concern.rating == "partly" and not concern.can_reopen
    # Nobody emailed the anonymous raiser, ever.
    assert all(org.outsider.email not in message.to for message in mail.outbox)


def test_a_named_raiser_reopens_once_and_rates_on_the_concern_page(as_, org):
    concern = make_concern(org.it, raised_by=org.outsider)
    as_(org.head).post(reverse("concerns:answer", args=[concern.pk]), {"answer-text": "Fixed."})
    raiser = as_(org.outsider)
    raiser.post(reverse("concerns:reopen", args=[concern.pk]), {"reopen-reason": "Still broken."})
    concern.refresh_from_db()
    assert concern.status == "reopened"
    as_(org.head).post(reverse("concerns:answer", args=[concern.pk]), {"answer-text": "Replaced."})
    raiser = as_(org.outsider)
    refused = raiser.post(reverse("concerns:reopen", args=[concern.pk]), {"reopen-reason": "x"}, follow=True)
    assert "reopened once" in refused.content.decode()
    raiser.post(reverse("concerns:rate", args=[concern.pk]), {"rate-rating": "resolved"})
    concern.refresh_from_db()
    assert (concern.status, concern.rating) == ("answered", "resolved")
    assert org.outsider.email in [address for message in mail.outbox for address in message.to]


def test_wrong_codes_are_refused_and_counted_until_the_person_must_wait(as_, org):
    code = raise_anonymously(as_, org)
    services.anonymous_release()
    client = as_(org.colleague)
    for _ in range(5):
        wrong = receipt_post(client, receipts.new_code())
        assert wrong.status_code == 404 and "No concern has this receipt code" in wrong.content.decode()
    # Even the right code waits now: guessing gains nothing.
    assert receipt_post(client, code).status_code == 429
    assert receipt_post(as_(org.outsider), code).status_code == 200


def test_wrong_codes_from_one_address_are_counted_whoever_types_them(as_, org, settings):
    settings.RECEIPT_WRONG_CODES_PER_ADDRESS = 3
    code = raise_anonymously(as_, org)
    services.anonymous_release()
    for person in (org.colleague, org.head, org.hr):
        assert receipt_post(as_(person), receipts.new_code()).status_code == 404
    assert receipt_post(as_(org.outsider), code).status_code == 429


def test_a_malformed_code_is_a_form_error_and_not_counted_as_a_guess(as_, org):
    client = as_(org.outsider)
    for _ in range(6):
        response = receipt_post(client, "ABCD")
        assert response.status_code == 400 and "That is not a receipt code" in response.content.decode()
    code = raise_anonymously(as_, org)
    services.anonymous_release()
    assert receipt_post(as_(org.outsider), code).status_code == 200


def test_the_code_never_appears_in_an_address_and_the_raiser_page_writes_no_session(as_, org):
    code = raise_anonymously(as_, org)
    services.anonymous_release()
    client = as_(org.outsider)
    response = receipt_post(client, code)
    assert code not in response.request["PATH_INFO"] and "sessionid" not in response.cookies


def test_the_department_marks_a_concern_not_ours_and_hr_reassigns_it(as_, org):
    concern = make_concern(org.it, raised_by=org.outsider)
    as_(org.head).post(
        reverse("concerns:not_ours", args=[concern.pk]), {"not_ours-reason": "Facilities own printers."}
    )
    concern.refresh_from_db()
    assert concern.status == "with_hr"
    assert concern.subject in as_(org.hr).get(reverse("concerns:hr")).content.decode()
    as_(org.hr).post(reverse("concerns:reassign", args=[concern.pk]), {"reassign-department": org.hr_dept.pk})
    concern.refresh_from_db()
    assert (concern.department, concern.status, concern.clock_round) == (org.hr_dept, "open", 2)
    assert as_(org.head).get(concern.get_absolute_url()).status_code == 403  # no longer IT's


def test_hr_hides_an_abusive_concerns_text_and_keeps_who_and_why(as_, org):
    concern = make_concern(org.it, raised_by=org.outsider, subject="Insulting words")
    as_(org.hr).post(reverse("concerns:hide", args=[concern.pk]), {"hide-reason": "Personal insult."})
    concern.refresh_from_db()
    assert concern.hidden_by == org.hr.user and concern.hidden_reason == "Personal insult."
    assert concern.subject == "Insulting words"  # kept
    assert "Insulting words" not in as_(org.head).get(concern.get_absolute_url()).content.decode()
    assert "Insulting words" in as_(org.hr).get(concern.get_absolute_url()).content.decode()


def test_delegates_act_for_the_department_and_hr_reads_without_answering(as_, org):
    concern = make_concern(org.it, raised_by=org.outsider)
    answer = reverse("concerns:answer", args=[concern.pk])
    assert as_(org.colleague).post(answer, {"answer-text": "x"}).status_code == 403
    assert as_(org.hr).post(answer, {"answer-text": "x"}).status_code == 403
    assert as_(org.hr).get(concern.get_absolute_url()).status_code == 200
    Delegate.objects.create(department=org.it, employee=org.colleague)
    assert as_(org.colleague).post(answer, {"answer-text": "Done."}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == "answered"
    assert as_(org.outsider_head).get(reverse("concerns:department", args=["it"])).status_code == 403


def test_a_parameter_of_another_department_is_a_form_error_and_nothing_is_written(as_, org):
    response = as_(org.outsider).post(
        reverse("concerns:raise"), raise_post(org, parameter=org.sales.parameters.first().pk)
    )
    assert response.status_code == 200 and "form" in response.content.decode()
    assert not Deposit.objects.exists() and not Concern.objects.exists()


def test_answering_twice_says_so_and_changes_nothing(as_, org):
    concern = make_concern(org.it, raised_by=org.outsider)
    head = as_(org.head)
    head.post(reverse("concerns:answer", args=[concern.pk]), {"answer-text": "First."})
    again = head.post(reverse("concerns:answer", args=[concern.pk]), {"answer-text": "Second."}, follow=True)
    assert "not waiting for an answer" in again.content.decode()
    assert ConcernMessage.objects.filter(concern=concern).count() == 1


def test_a_concern_becomes_an_action_item_and_keeps_the_link(as_, org):
    concern = make_concern(org.it, raised_by=org.outsider, parameter=org.it.parameters.first())
    response = as_(org.head).post(reverse("concerns:to_action", args=[concern.pk]))
    concern.refresh_from_db()
    item = concern.action_item
    assert item is not None and item.department == org.it and list(item.parameters.all()) == [concern.parameter]
    assert response.status_code == 302 and str(item.pk) in response["Location"]


def test_the_same_wrong_code_counts_each_time_it_is_tried_and_a_right_one_opens_again_and_again(as_, org):
    code = raise_anonymously(as_, org)
    services.anonymous_release()
    raiser = as_(org.outsider)
    assert [receipt_post(raiser, code).status_code for _ in range(3)] == [200, 200, 200]  # reused: fine
    guesser = as_(org.colleague)
    wrong = receipts.new_code()
    assert [receipt_post(guesser, wrong).status_code for _ in range(6)] == [404] * 5 + [429]


def test_a_delegate_who_moves_department_no_longer_acts_for_the_old_one(as_, org):
    Delegate.objects.create(department=org.it, employee=org.colleague)
    concern = make_concern(org.it, raised_by=org.outsider)
    assert as_(org.colleague).get(reverse("concerns:department", args=["it"])).status_code == 200
    org.colleague.department = org.hr_dept
    org.colleague.save()
    assert as_(org.colleague).get(reverse("concerns:department", args=["it"])).status_code == 403
    assert as_(org.colleague).get(concern.get_absolute_url()).status_code == 403
    assert org.colleague not in services.acting_people(org.it)
