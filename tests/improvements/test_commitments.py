"""Commitments: the head and delegates publish them and say, once the date has come, whether each
was kept; HR reads; the current and past lists other pages use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from improvements.models import Commitment

TODAY = timezone.localdate


def list_url(org) -> str:
    return reverse("improvements:commitments", args=[org.it.code])


def edit_url(commitment) -> str:
    return reverse("improvements:commitment_edit", args=[commitment.department.code, commitment.pk])


def new_post(org, **overrides) -> dict:
    return {
        "text": "answer every ticket within a working day",
        "parameters": [org.it.parameters.get(code="responsiveness").pk],
        "due_on": (TODAY() + timedelta(days=30)).isoformat(),
    } | overrides


def edit_post(commitment, **overrides) -> dict:
    return {
        "text": commitment.text,
        "parameters": [p.pk for p in commitment.parameters.all()],
        "due_on": commitment.due_on.isoformat(),
        "outcome": commitment.outcome,
        "outcome_note": commitment.outcome_note,
    } | overrides


def commitment(org, days: int, **fields) -> Commitment:
    return Commitment.objects.create(
        department=org.it, text=fields.pop("text", "answer in a day"), due_on=TODAY() + timedelta(days=days), **fields
    )


def test_the_head_publishes_a_commitment_that_is_listed_as_current(as_, org):
    client = as_(org.head)
    response = client.post(list_url(org), new_post(org))

    assert response.status_code == 302
    published = Commitment.objects.get()
    assert (published.department, published.outcome, published.created_by) == (org.it, "pending", org.head)
    assert [p.code for p in published.parameters.all()] == ["responsiveness"]
    page = client.get(list_url(org)).content.decode()
    assert "We will answer every ticket within a working day" in page


def test_we_will_is_not_written_twice(as_, org):
    as_(org.head).post(list_url(org), new_post(org, text="We will answer calls by the third ring."))
    assert Commitment.objects.get().text == "answer calls by the third ring"


def test_a_delegate_publishes_too(as_, org, delegate):
    assert as_(delegate).post(list_url(org), new_post(org)).status_code == 302
    assert Commitment.objects.get().created_by == delegate


def test_hr_reads_the_commitments_without_the_form_and_cannot_publish(as_, org):
    commitment(org, 10, text="answer in a day")
    client = as_(org.hr)
    page = client.get(list_url(org))
    assert page.status_code == 200 and "answer in a day" in page.content.decode()
    assert page.context["form"] is None
    assert client.post(list_url(org), new_post(org)).status_code == 403
    assert client.get(edit_url(Commitment.objects.get())).status_code == 403
    assert Commitment.objects.count() == 1


@pytest.mark.parametrize("role", ["colleague", "outsider", "outsider_head"])
def test_others_are_refused(as_, org, role):
    promise = commitment(org, 10)
    client = as_(getattr(org, role))
    assert client.get(list_url(org)).status_code == 403
    assert client.post(list_url(org), new_post(org)).status_code == 403
    assert client.get(edit_url(promise)).status_code == 403


def test_another_departments_commitment_is_not_found(as_, org):
    promise = commitment(org, 10)
    url = reverse("improvements:commitment_edit", args=["sales", promise.pk])
    assert as_(org.outsider_head).get(url).status_code == 404


def test_a_new_commitment_cannot_be_dated_in_the_past(as_, org):
    response = as_(org.head).post(list_url(org), new_post(org, due_on=(TODAY() - timedelta(days=1)).isoformat()))
    assert "This date has passed" in response.content.decode() and not Commitment.objects.exists()


def test_the_outcome_waits_for_the_date(as_, org):
    promise = commitment(org, 5)
    response = as_(org.head).post(edit_url(promise), edit_post(promise, outcome="kept"))
    assert response.status_code == 200 and "leave it pending until then" in response.content.decode()
    promise.refresh_from_db()
    assert promise.outcome == "pending"


def test_once_the_date_has_come_it_is_marked_kept_or_not_kept_with_a_note(as_, org):
    kept, missed = commitment(org, 0, text="kept one"), commitment(org, -10, text="missed one")
    client = as_(org.head)
    assert client.post(edit_url(kept), edit_post(kept, outcome="kept")).status_code == 302

    refused = client.post(edit_url(missed), edit_post(missed, outcome="not_kept"))
    assert "Say what happened" in refused.content.decode()
    note = "Two of 14 joiners waited a day."
    assert client.post(edit_url(missed), edit_post(missed, outcome="not_kept", outcome_note=note)).status_code == 302

    kept.refresh_from_db()
    missed.refresh_from_db()
    assert (kept.outcome, missed.outcome, missed.outcome_note) == ("kept", "not_kept", note)
    page = client.get(list_url(org)).content.decode()
    assert "Kept" in page and "Not kept" in page and note in page
    assert missed.history.latest().history_user == org.head.user


def test_current_awaiting_and_past_commitments_are_told_apart(org):
    soon, later = commitment(org, 3, text="soon"), commitment(org, 30, text="later")
    waiting = commitment(org, -2, text="waiting")
    kept = commitment(org, -20, text="kept", outcome="kept")
    missed = commitment(org, -5, text="missed", outcome="not_kept", outcome_note="Sorry.")
    Commitment.objects.create(department=org.sales, text="other", due_on=TODAY())

    mine = Commitment.objects.of(org.it)
    assert list(mine.current()) == [waiting, soon, later]
    assert list(mine.awaiting_outcome(TODAY())) == [waiting]
    assert list(mine.past()) == [missed, kept]
