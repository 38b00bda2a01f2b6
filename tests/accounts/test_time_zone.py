"""Times are shown in each person's own time zone, reported by their browser and kept on their profile."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from accounts.models import Profile
from surveys.models import Cycle


def test_the_browsers_time_zone_is_kept_and_pages_use_it(login, org, open_cycle):
    Cycle.objects.filter(pk=open_cycle.pk).update(closes_at=datetime(2030, 1, 15, 12, 0, tzinfo=UTC))
    client = login(org.outsider)
    assert "15 January, 12:00" in client.get("/my/surveys/").content.decode()  # the site's zone (UTC)

    response = client.post("/accounts/time-zone/", {"time_zone": "Asia/Kolkata"})

    assert response.status_code == 204
    assert Profile.objects.get(user=org.outsider.user).time_zone == "Asia/Kolkata"
    page = client.get("/my/surveys/").content.decode()
    assert "15 January, 17:30" in page and 'datetime="2030-01-15T12:00:00+00:00"' in page
    assert '<meta name="time-zone" content="Asia/Kolkata"' in page


@pytest.mark.parametrize("value", ["", "Mars/Olympus", "Europe/Paris\x00", "../../etc/passwd", "x" * 10_000])
def test_an_unknown_time_zone_is_refused_in_words_and_nothing_is_kept(login, org, value):
    response = login(org.outsider).post("/accounts/time-zone/", {"time_zone": value})

    assert response.status_code == 400 and b"Unknown time zone" in response.content
    assert not Profile.objects.exists()


def test_signing_in_on_another_device_restores_the_time_zone(org, open_cycle):
    Profile.objects.create(user=org.outsider.user, time_zone="America/New_York")
    Cycle.objects.filter(pk=open_cycle.pk).update(closes_at=datetime(2030, 1, 15, 12, 0, tzinfo=UTC))
    org.outsider.user.set_password("a long enough password")
    org.outsider.user.save()
    client = Client(headers={"X-Forwarded-Proto": "https"})

    client.post("/accounts/login/", {"username": org.outsider.user.email, "password": "a long enough password"})

    assert "15 January, 07:00" in client.get("/my/surveys/").content.decode()


def test_a_date_is_written_for_the_browser_to_rewrite_in_its_own_language():
    moment = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
    with timezone.override("Europe/Paris"):
        html = Template('{% load dates %}{{ moment|when:"full" }}').render(Context({"moment": moment}))

    assert html == '<time datetime="2030-01-15T12:00:00+00:00" data-when="full">Tuesday 15 January 2030, 13:00</time>'
