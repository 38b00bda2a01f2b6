"""HR's nudge: an email to the head listing the department's overdue actions, once a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from improvements.models import Nudge

TODAY = timezone.localdate
NUDGE = reverse("improvements:nudge", args=["it"])


def test_hr_nudges_the_head_with_the_overdue_actions_and_goes_back(as_, org, make_action):
    late = make_action(title="Late one", due_on=TODAY() - timedelta(days=4), status="in_progress")
    make_action(title="On time", due_on=TODAY() + timedelta(days=4))

    response = as_(org.hr).post(NUDGE, {"next": "/hr/action-plans/?page=2"}, follow=False)

    assert response.status_code == 302 and response["Location"] == "/hr/action-plans/?page=2"
    [message] = mail.outbox
    assert message.to == [org.head.email] and "IT" in message.subject
    assert "Late one" in message.body and "On time" not in message.body
    assert f"/departments/it/actions/{late.pk}/" in message.body
    assert org.hr.full_name in message.body


@pytest.mark.parametrize("target", ["", "https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_without_a_safe_local_address_hr_lands_on_the_action_plan(as_, org, target):
    response = as_(org.hr).post(NUDGE, {"next": target})
    assert response["Location"] == reverse("scorecards:action_list", args=["it"])


def test_a_second_nudge_the_same_day_sends_nothing_and_says_so(as_, org):
    client = as_(org.hr)
    client.post(NUDGE)
    page = client.post(NUDGE, follow=True).content.decode()
    assert len(mail.outbox) == 1 and Nudge.objects.count() == 1
    assert "was already nudged" in page


def test_a_department_without_a_head_cannot_be_nudged(as_, org):
    org.it.head = None
    org.it.save()
    page = as_(org.hr).post(NUDGE, follow=True).content.decode()
    assert "has no head to nudge" in page and mail.outbox == []


@pytest.mark.parametrize("role", ["head", "colleague", "outsider", "outsider_head"])
def test_only_hr_nudges(as_, org, role):
    assert as_(getattr(org, role)).post(NUDGE).status_code == 403
    assert mail.outbox == [] and not Nudge.objects.exists()
