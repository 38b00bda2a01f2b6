from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from departments.models import ServiceParameter
from surveys import services
from surveys.models import Cycle, CycleParameter, Invitation
from surveys.services import SurveyError
from tests.factories import EmployeeFactory, make_cycle


def invited(cycle) -> set[tuple[str, str]]:
    return set(Invitation.objects.filter(cycle=cycle).values_list("employee__user__email", "department__code"))


def test_opening_invites_each_employee_for_each_department_theirs_depends_on(org):
    cycle = make_cycle(org)

    created = services.cycle_open(cycle_id=cycle.pk)

    assert created == 3
    assert invited(cycle) == {
        ("outsider@example.com", "it"),
        ("sales.head@example.com", "it"),
        ("hr@example.com", "it"),
    }
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    assert set(Invitation.objects.filter(cycle=cycle).values_list("rater_department__code", flat=True)) == {
        "sales",
        "hr",
    }


def test_opening_twice_or_rerunning_the_invitations_creates_nothing_more(org):
    cycle = make_cycle(org)
    services.cycle_open(cycle_id=cycle.pk)
    before = (Invitation.objects.count(), CycleParameter.objects.count())

    assert services.cycle_open(cycle_id=cycle.pk) is None
    assert services.invitations_create(cycle=cycle) == 0
    assert services.cycle_snapshot(cycle=cycle) == 0
    assert (Invitation.objects.count(), CycleParameter.objects.count()) == before


def test_nobody_is_invited_to_rate_their_own_department(org):
    cycle = make_cycle(org, status="open")

    assert not Invitation.objects.filter(cycle=cycle, department=org.it, employee__department=org.it).exists()


def test_inactive_people_and_departments_outside_the_scope_are_not_invited(org):
    org.outsider.active = False
    org.outsider.save()
    cycle = make_cycle(org)
    cycle.departments.set([org.sales])  # nobody depends on Sales

    services.cycle_open(cycle_id=cycle.pk)

    assert invited(cycle) == set()


def test_people_who_join_an_open_cycle_are_added_once(org, open_cycle):
    EmployeeFactory(department=org.sales, user__email="new@example.com")

    assert services.invitations_create(cycle=open_cycle) == 1
    assert services.invitations_create(cycle=open_cycle) == 0
    assert ("new@example.com", "it") in invited(open_cycle)


def test_the_charter_is_snapshotted_so_later_edits_do_not_change_the_cycle(org, open_cycle):
    ServiceParameter.objects.filter(department=org.it, code="responsiveness").update(
        name="Speed", target=Decimal("2.00"), weight=Decimal("3.00")
    )
    ServiceParameter.objects.create(department=org.it, code="new", name="New", description="x", target=4)

    snapshot = list(
        CycleParameter.objects.filter(cycle=open_cycle, department=org.it).values_list(
            "code", "name", "target", "weight"
        )
    )
    assert snapshot == [
        ("responsiveness", "Responsiveness", Decimal("4.00"), Decimal("1.00")),
        ("quality", "Quality of work", Decimal("4.00"), Decimal("1.00")),
    ]


def test_preview_counts_what_opening_creates(org):
    cycle = make_cycle(org)

    preview = services.cycle_preview(cycle=cycle)
    services.cycle_open(cycle_id=cycle.pk)

    assert (preview.total, preview.employees) == (3, 3)
    assert preview.by_department == [("IT", 3)]
    assert preview.by_rater == [("Sales", 2), ("Human Resources", 1)]
    assert Invitation.objects.filter(cycle=cycle).count() == preview.total


def test_a_scheduled_cycle_opens_and_closes_by_itself_at_its_times(org):
    now = timezone.now()
    cycle = make_cycle(org, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=8))
    services.cycle_schedule(cycle=cycle)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.SCHEDULED

    assert services.cycles_advance(now=now)["opened"] == 0
    assert services.cycles_advance(now=now + timedelta(days=1, minutes=1))["opened"] == 1
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.OPEN
    assert services.cycles_advance(now=now + timedelta(days=8, minutes=1))["closed"] == 1
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CLOSED
    assert services.cycles_advance(now=now + timedelta(days=9)) == {"opened": 0, "closed": 0, "released": 0}


def test_launching_a_cycle_whose_time_has_come_opens_it_at_once(org):
    cycle = make_cycle(org)

    services.cycle_schedule(cycle=cycle)

    assert cycle.status == Cycle.Status.OPEN
    assert Invitation.objects.filter(cycle=cycle).count() == 3


def test_opening_by_hand_early_moves_the_opening_time_to_now(org):
    cycle = make_cycle(org, opens_at=timezone.now() + timedelta(days=3))

    services.cycle_open(cycle_id=cycle.pk)

    cycle.refresh_from_db()
    assert cycle.opens_at <= timezone.now()


def test_only_a_closed_cycle_can_be_published_and_only_a_draft_launched(org, open_cycle):
    with pytest.raises(SurveyError):
        services.cycle_publish(cycle=open_cycle)
    with pytest.raises(SurveyError):
        services.cycle_schedule(cycle=open_cycle)

    services.cycle_close(cycle_id=open_cycle.pk)
    services.cycle_publish(cycle=open_cycle)

    assert Cycle.objects.get(pk=open_cycle.pk).status == Cycle.Status.PUBLISHED
    assert services.cycle_close(cycle_id=open_cycle.pk) is False


@pytest.mark.parametrize(
    ("period", "opens", "closes"),
    [
        ("monthly", datetime(2027, 2, 28, 9), datetime(2027, 3, 14, 17)),
        ("quarterly", datetime(2027, 4, 30, 9), datetime(2027, 5, 14, 17)),
        ("half-yearly", datetime(2027, 7, 31, 9), datetime(2027, 8, 14, 17)),
        ("yearly", datetime(2028, 1, 31, 9), datetime(2028, 2, 14, 17)),
    ],
)
def test_repeat_makes_a_draft_shifted_by_the_period(org, period, opens, closes):
    tz = timezone.get_current_timezone()
    cycle = make_cycle(
        org,
        opens_at=timezone.make_aware(datetime(2027, 1, 31, 9), tz),
        closes_at=timezone.make_aware(datetime(2027, 2, 14, 17), tz),
        score_threshold=6,
        comment_threshold=12,
        intro="Hello",
    )

    new = services.cycle_repeat(cycle=cycle, period=period, name="Next")

    assert new.status == Cycle.Status.DRAFT
    assert (
        timezone.localtime(new.opens_at, tz).replace(tzinfo=None),
        timezone.localtime(new.closes_at, tz).replace(tzinfo=None),
    ) == (opens, closes)
    assert (new.score_threshold, new.comment_threshold, new.intro) == (6, 12, "Hello")
    assert set(new.departments.all()) == {org.it, org.sales}


def test_an_opened_cycle_is_frozen_by_the_database_itself_on_every_database(org, open_cycle):
    """The triggers of migration 0005 exist on this database (SQLite drops a table's triggers when
    a later migration rebuilds it: this would fail then). Deletions are refused on PostgreSQL
    (tests/anonymity/test_frozen_cycles.py)."""
    from django.db import IntegrityError, transaction

    attempts = [
        lambda: Cycle.objects.filter(pk=open_cycle.pk).update(score_threshold=3, comment_threshold=3),
        lambda: Cycle.objects.filter(pk=open_cycle.pk).update(status=Cycle.Status.DRAFT),
        lambda: open_cycle.departments.add(org.hr_dept),
        lambda: CycleParameter.objects.filter(cycle=open_cycle).update(name="Something else"),
        lambda: CycleParameter.objects.create(
            cycle=open_cycle, department=org.it, code="new", name="New", description="", target=4, weight=1
        ),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
    # What stays editable: the message, the name, the closing time (closing early moves it).
    Cycle.objects.filter(pk=open_cycle.pk).update(intro="Thanks!", closes_at=timezone.now() + timedelta(days=1))
    assert services.cycle_close(cycle_id=open_cycle.pk)


def test_a_cycles_status_and_thresholds_refuse_a_save_in_words(org, open_cycle):
    from surveys.models import FrozenCycleError

    open_cycle.status = Cycle.Status.DRAFT
    with pytest.raises(FrozenCycleError, match="status changes only"):
        open_cycle.save()
    open_cycle.refresh_from_db()
    open_cycle.score_threshold = 3
    with pytest.raises(FrozenCycleError, match="fixed once it has opened"):
        open_cycle.save()
    draft = make_cycle(org, name="Still a draft")
    draft.score_threshold, draft.comment_threshold = 4, 6
    draft.save()  # a draft is still editable
