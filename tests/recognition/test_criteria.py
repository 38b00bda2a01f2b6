"""HR's award criteria pages, and the "Evaluate awards now" button."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from recognition.demo import seed_criteria
from recognition.models import Award, AwardCriterion
from surveys.models import Cycle
from tests.factories import make_closed_cycle


def post(name: str = "Quick answers", **fields) -> dict:
    return {"name": name, "description": "", "badge": "star", "active": "on", "consecutive_cycles": "1"} | {
        "min_responses": "0",
        **fields,
    }


def test_hr_creates_a_rule_criterion_and_sees_it_in_the_list(client, org):
    client.force_login(org.hr.user)
    response = client.post(reverse("recognition:criterion_create"), post(min_index="4.2", back_office_only="on"))
    assert response.status_code == 302
    criterion = AwardCriterion.objects.get(name="Quick answers")
    assert criterion.min_index == Decimal("4.2") and criterion.back_office_only and criterion.min_improvement is None
    page = client.get(reverse("recognition:criteria")).content.decode()
    assert "Quick answers" in page and "Overall index at least 4.20" in page and "badges/star.svg" in page


def test_a_rule_without_a_measure_is_refused_and_nothing_is_written(client, org):
    client.force_login(org.hr.user)
    response = client.post(reverse("recognition:criterion_create"), post())
    assert response.status_code == 200
    assert "needs at least one measure" in response.content.decode()
    assert not AwardCriterion.objects.exists()


def test_a_criterion_by_nomination_takes_no_measure(client, org):
    client.force_login(org.hr.user)
    refused = client.post(reverse("recognition:criterion_create"), post(by_nomination="on", min_index="4"))
    assert refused.status_code == 200 and "has no rule" in refused.content.decode()
    accepted = client.post(reverse("recognition:criterion_create"), post(by_nomination="on"))
    assert accepted.status_code == 302 and AwardCriterion.objects.get().by_nomination


def test_hr_edits_a_criterion(client, org):
    criterion = AwardCriterion.objects.create(name="Service Excellence", min_index=4)
    client.force_login(org.hr.user)
    page = client.get(reverse("recognition:criterion_edit", args=[criterion.pk])).content.decode()
    assert 'type="number"' in page and "badges/trophy.svg" in page
    response = client.post(
        reverse("recognition:criterion_edit", args=[criterion.pk]),
        post("Service Excellence", min_index="4.5", all_parameters_meet_target="on", badge="trophy"),
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.min_index == Decimal("4.5") and criterion.all_parameters_meet_target
    assert criterion.badge == "trophy"


@pytest.mark.parametrize("role", ["head", "colleague", "outsider", "outsider_head"])
def test_the_criteria_pages_are_for_hr_only(client, org, role):
    criterion = AwardCriterion.objects.create(name="Service Excellence", min_index=4)
    client.force_login(getattr(org, role).user)
    for url in (
        reverse("recognition:criteria"),
        reverse("recognition:criterion_create"),
        reverse("recognition:criterion_edit", args=[criterion.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("recognition:criterion_create"), post(min_index="4")).status_code == 403
    assert AwardCriterion.objects.count() == 1


def test_the_criteria_pages_require_signing_in(client, org):
    assert client.get(reverse("recognition:criteria")).status_code == 302


def test_evaluate_awards_now_evaluates_a_published_cycle_for_hr_only(client, org):
    cycle = make_closed_cycle(org)
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.PUBLISHED)
    criterion = AwardCriterion.objects.create(name="Any index", min_index=1, min_responses=1)
    url = reverse("scorecards:awards_evaluate", args=[cycle.pk])
    client.force_login(org.head.user)
    assert client.post(url).status_code == 403
    assert not Award.objects.exists()
    client.force_login(org.hr.user)
    response = client.post(url, follow=True)
    assert "are being evaluated" in response.content.decode()
    # Three people answered, below the threshold of five: nothing shown, so nothing earned.
    assert not Award.objects.filter(criterion=criterion).exists()


def test_evaluate_awards_now_refuses_a_cycle_not_published(client, org):
    cycle = make_closed_cycle(org)
    client.force_login(org.hr.user)
    response = client.post(reverse("scorecards:awards_evaluate", args=[cycle.pk]), follow=True)
    assert "once a cycle" in response.content.decode()


def test_the_demo_criteria(db):
    seed_criteria()
    seed_criteria()  # a rerun changes nothing
    criteria = {c.name: c for c in AwardCriterion.objects.all()}
    assert sorted(criteria) == ["Above and Beyond", "Front-line Champion", "Most Improved", "Service Excellence"]
    excellence = criteria["Service Excellence"]
    assert excellence.all_parameters_meet_target and excellence.min_index == Decimal("4.20")
    assert criteria["Most Improved"].min_improvement == Decimal("0.30")
    champion = criteria["Front-line Champion"]
    assert champion.back_office_only and champion.min_front_line_mean == Decimal("4.00")
    assert champion.consecutive_cycles == 2
    assert criteria["Above and Beyond"].by_nomination
