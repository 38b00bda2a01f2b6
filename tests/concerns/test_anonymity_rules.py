"""What the attacker's review of anonymous concerns found, each as a test: dates in the organisation's
time zone and per batch, the department shown only for a big enough group, no session write, a
limit on anonymous writes, hidden text kept out of action items, and the deploy check."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.checks import run_checks
from django.urls import reverse
from django.utils import timezone

from concerns import services
from concerns.models import Concern, Deposit
from survey_portal import middleware
from tests.factories import EmployeeFactory, make_concern, make_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _daily_release(settings):
    settings.CONCERNS_RELEASE_AT_ONCE = False
    settings.CONCERNS_RELEASE_HOUR = 0


def raise_anonymously(org, employee=None, **extra):
    return services.concern_raise(
        employee=employee or org.outsider,
        department=org.it,
        parameter=None,
        subject="Slow",
        description="Slow.",
        anonymous=True,
        **extra,
    )


def test_the_date_is_the_organisations_not_the_raisers_time_zone(org, settings):
    settings.TIME_ZONE = "UTC"
    # A raiser whose own date differs from UTC's now: tomorrow at UTC+14, yesterday at UTC-11.
    elsewhere = "Pacific/Kiritimati" if timezone.now().astimezone(UTC).hour >= 10 else "Pacific/Pago_Pago"
    assert timezone.localtime(timezone=zoneinfo.ZoneInfo(elsewhere)).date() != timezone.now().astimezone(UTC).date()
    with timezone.override(elsewhere):
        raise_anonymously(org)
        services.anonymous_release()
    assert Concern.objects.get().raised_on == timezone.now().astimezone(UTC).date()


def test_every_item_of_a_release_carries_the_batchs_day(org, settings):
    settings.CONCERNS_RELEASE_HOUR = 6
    raise_anonymously(org)
    release = timezone.make_aware(datetime(2026, 12, 2, 6, 0))
    services.anonymous_release(now=release)
    # Written today, released at 06:00 on 2 December: dated 1 December, like everything in that batch
    # (an item written between midnight and six is not told apart by its date).
    assert Concern.objects.get().raised_on == min(services.today(), release.date() - timedelta(days=1))


def test_the_raisers_department_needs_a_big_enough_group_of_active_people(org):
    extra = [EmployeeFactory(department=org.sales) for _ in range(3)]  # Sales: 5 with the outsider and its head
    assert services.department_can_be_shared(org.sales, org.it)
    extra[0].user.is_active = False
    extra[0].user.save()
    assert not services.department_can_be_shared(org.sales, org.it)


def test_a_draft_cycle_cannot_lower_the_threshold(org):
    make_cycle(org, score_threshold=3, comment_threshold=3)  # a draft: never opened
    assert services.sharing_threshold() == 5


def test_a_department_that_shrank_is_no_longer_shown(org):
    extra = [EmployeeFactory(department=org.sales) for _ in range(3)]
    raise_anonymously(org, share_department=True)
    services.anonymous_release()
    concern = Concern.objects.get()
    assert services.raiser_department_shown(concern) == org.sales
    extra[0].active = False
    extra[0].save()
    assert services.raiser_department_shown(concern) is None


def test_an_anonymous_request_never_saves_its_session(as_, org, monkeypatch):
    monkeypatch.setattr(middleware, "TOUCH_EVERY", 0)  # any other request writes its session
    client = as_(org.outsider)
    client.get(reverse("concerns:mine"))
    key = client.session.session_key
    before = Session.objects.values("expire_date", "session_data").get(session_key=key)
    client.post(
        reverse("concerns:raise"),
        {"department": org.it.pk, "subject": "Slow", "description": "Slow.", "anonymous": "yes"},
    )
    assert Deposit.objects.count() == 1
    assert Session.objects.values("expire_date", "session_data").get(session_key=key) == before
    client.get(reverse("concerns:mine"))  # an ordinary page does write it
    assert Session.objects.values("expire_date", "session_data").get(session_key=key) != before


def test_anonymous_writes_are_limited_per_person_and_day(as_, org, settings):
    settings.ANONYMOUS_WRITES_PER_DAY = 2
    client = as_(org.outsider)
    post = {"department": org.it.pk, "subject": "Slow", "description": "Slow.", "anonymous": "yes"}
    statuses = [client.post(reverse("concerns:raise"), post) for _ in range(3)]
    assert Deposit.objects.count() == 2
    assert "written a lot anonymously today" in statuses[-1].content.decode()
    named = client.post(reverse("concerns:raise"), post | {"anonymous": "no"})
    assert named.status_code == 302  # a named concern is not limited


def test_a_hidden_concern_does_not_become_an_action_item_and_none_carries_the_raisers_words(as_, org):
    concern = make_concern(org.it, subject="Words only the raiser would use", parameter=org.it.parameters.first())
    as_(org.head).post(reverse("concerns:to_action", args=[concern.pk]))
    concern.refresh_from_db()
    assert concern.action_item.title == "Follow-up of a concern about Responsiveness"
    assert "Words only" not in concern.action_item.change

    hidden = make_concern(org.it, subject="Insults")
    as_(org.hr).post(reverse("concerns:hide", args=[hidden.pk]), {"hide-reason": "Abuse."})
    response = as_(org.head).post(reverse("concerns:to_action", args=[hidden.pk]), follow=True)
    hidden.refresh_from_db()
    assert hidden.action_item is None and "cannot become an action item" in response.content.decode()


def test_deploying_with_instant_release_is_refused(settings):
    settings.CONCERNS_RELEASE_AT_ONCE, settings.DEBUG = True, False
    assert "concerns.E001" in [error.id for error in run_checks(include_deployment_checks=True)]
    settings.CONCERNS_RELEASE_AT_ONCE = False
    assert "concerns.E001" not in [error.id for error in run_checks(include_deployment_checks=True)]
