"""Attack 5: once a cycle has opened, its thresholds, the departments it rates and its charter
snapshot never change, and its status moves only through the lifecycle. Django admin shows them
read-only, the model refuses, and the database refuses whatever the code."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse

from surveys import services
from surveys.models import Cycle, CycleParameter

try:
    from surveys.models import FrozenCycleError
except ImportError:  # today's code: nothing refuses
    FrozenCycleError = Exception

from tests.scenarios import build_scenario, make_client


class _FormFields(HTMLParser):
    """The fields a browser would send back from the admin's change form, unchanged."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _closed_cycle():
    scenario = build_scenario()
    for invitation in scenario.invitations()[:12]:
        scenario.answer(invitation)
    services.cycle_close(cycle_id=scenario.cycle.pk)
    return scenario


def test_django_admin_cannot_lower_the_thresholds_or_change_the_status(postgresql):
    scenario = _closed_cycle()
    cycle = scenario.cycle
    admin = get_user_model().objects.create_superuser("root@example.com", "root@example.com", "x" * 12)
    client = make_client(scenario.hr)
    client.force_login(admin)
    url = reverse("admin:surveys_cycle_change", args=[cycle.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = _FormFields()
    form.feed(page.content.decode())
    for frozen in ("score_threshold", "comment_threshold", "status", "departments"):
        assert frozen not in form.data, f"{frozen} is editable in admin"

    data = form.data | {"score_threshold": ["3"], "comment_threshold": ["3"], "status": ["open"], "_save": ["Save"]}
    response = client.post(url, data)
    assert response.status_code in (200, 302)
    cycle.refresh_from_db()
    assert (cycle.score_threshold, cycle.comment_threshold, cycle.status) == (5, 5, Cycle.Status.CLOSED)


def test_the_model_and_the_database_refuse_changes_to_an_opened_cycle(postgresql):
    scenario = _closed_cycle()
    cycle = scenario.cycle
    cycle.score_threshold = cycle.comment_threshold = 3
    with pytest.raises(FrozenCycleError):
        cycle.save()

    attempts = [
        lambda: Cycle.objects.filter(pk=cycle.pk).update(score_threshold=3, comment_threshold=3),
        lambda: Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.OPEN),
        lambda: Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.DRAFT),
        lambda: cycle.departments.clear(),
        lambda: cycle.departments.add(scenario.hr.department),
        lambda: CycleParameter.objects.filter(cycle=cycle).update(target="1.00"),
        lambda: CycleParameter.objects.filter(cycle=cycle).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    cycle.refresh_from_db()
    assert (cycle.score_threshold, cycle.comment_threshold, cycle.status) == (5, 5, Cycle.Status.CLOSED)
    assert cycle.departments.count() == 2 and CycleParameter.objects.filter(cycle=cycle).count() == 4

    # The lifecycle still moves forward.
    services.cycle_publish(cycle=cycle)
    assert cycle.status == Cycle.Status.PUBLISHED
