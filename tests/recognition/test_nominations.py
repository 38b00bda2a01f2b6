"""Nominating a department or a colleague, reviewing nominations (approve, decline, merge), the panel."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse

from recognition import services
from recognition.models import Award, AwardCriterion, Nomination, PanelMember
from tests.factories import EmployeeFactory


def nominate_post(org, criterion, **fields) -> dict:
    return {
        "criterion": criterion.pk,
        "department": "it",
        "employee": org.colleague.pk,
        "reason": "Stayed late to bring the order system back.",
    } | fields


# --- nominating ---------------------------------------------------------------------------------


def test_an_employee_nominates_a_colleague_in_another_department_and_sees_it_in_their_list(login, org, by_nomination):
    client = login(org.outsider)
    page = client.get(reverse("recognition:nominate")).content.decode()
    assert "HR and the review panel always see who nominated: nominations are not survey answers." in page
    response = client.post(reverse("recognition:nominate"), nominate_post(org, by_nomination, anonymous="on"))
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.employee, nomination.nominator, nomination.anonymous) == (org.colleague, org.outsider, True)
    assert nomination.status == Nomination.Status.PENDING
    mine = client.get(reverse("recognition:my_nominations")).content.decode()
    assert "Stayed late to bring the order system back." in mine and "Waiting for review" in mine


def test_a_whole_department_can_be_nominated(login, org, by_nomination):
    response = login(org.outsider).post(
        reverse("recognition:nominate"), nominate_post(org, by_nomination, employee="")
    )
    assert response.status_code == 302
    assert Nomination.objects.get().employee is None


def test_nominating_ones_own_department_or_oneself_is_refused(login, org, by_nomination):
    client = login(org.colleague)  # works in IT
    response = client.post(reverse("recognition:nominate"), nominate_post(org, by_nomination, employee=""))
    assert response.status_code == 200 and "not your own department or yourself" in response.content.decode()
    response = client.post(reverse("recognition:nominate"), nominate_post(org, by_nomination))
    assert response.status_code == 200
    assert not Nomination.objects.exists()


def test_a_colleague_of_another_department_than_the_one_chosen_is_refused(login, org, by_nomination):
    response = login(org.head).post(
        reverse("recognition:nominate"), nominate_post(org, by_nomination, department="sales")
    )
    assert response.status_code == 200 and not Nomination.objects.exists()


@pytest.mark.parametrize(
    "fields", [{"by_nomination": False, "min_index": 4}, {"by_nomination": True, "active": False}]
)
def test_a_criterion_not_awarded_by_nomination_or_inactive_is_refused(login, org, fields):
    criterion = AwardCriterion.objects.create(name="Other", **fields)
    response = login(org.outsider).post(reverse("recognition:nominate"), nominate_post(org, criterion))
    assert response.status_code == 200 and not Nomination.objects.exists()


def test_a_second_pending_nomination_of_the_same_nominee_is_refused_with_a_message(
    login, org, by_nomination, make_nomination
):
    make_nomination()
    response = login(org.outsider).post(reverse("recognition:nominate"), nominate_post(org, by_nomination))
    assert response.status_code == 200
    assert "already nominated them for this award" in response.content.decode()
    assert Nomination.objects.count() == 1


def test_the_database_refuses_a_duplicate_pending_nomination_too(org, make_nomination):
    make_nomination(employee=None)
    with pytest.raises(IntegrityError):
        make_nomination(employee=None)


def test_after_a_decision_the_same_nominee_can_be_nominated_again(login, org, by_nomination, make_nomination):
    make_nomination(status=Nomination.Status.DECLINED, decision_reason="Not this time.")
    response = login(org.outsider).post(reverse("recognition:nominate"), nominate_post(org, by_nomination))
    assert response.status_code == 302 and Nomination.objects.count() == 2


# --- reviewing ----------------------------------------------------------------------------------


def test_pending_nominations_are_grouped_by_criterion_and_nominee(login, org, make_nomination):
    make_nomination()
    make_nomination(nominator=org.hr)
    make_nomination(employee=None)
    page = login(org.hr).get(reverse("recognition:nominations")).content.decode()
    assert page.count("2 nominations: possible duplicates") == 1


def test_approving_writes_one_award_with_the_citation_and_emails_each_recipient_once(
    login, org, make_nomination, django_capture_on_commit_callbacks
):
    nomination = make_nomination()
    client = login(org.hr)
    page = client.get(reverse("recognition:nomination_review", args=[nomination.pk])).content.decode()
    assert "Stayed late to bring the order system back." in page  # the citation, prefilled
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("recognition:nomination_review", args=[nomination.pk]),
            {"action": "approve", "citation": "For bringing the order system back overnight."},
        )
    assert response.status_code == 302
    award = Award.objects.get()
    assert (award.source, award.employee, award.department) == ("nomination", org.colleague, org.it)
    assert award.citation == "For bringing the order system back overnight."
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.APPROVED and nomination.award == award
    assert nomination.reviewed_by == org.hr.user
    recipients = sorted(address for message in mail.outbox for address in message.to)
    it_people = sorted([org.head.email, org.colleague.email])
    assert recipients == it_people  # the named colleague works in IT: once, not twice


def test_declining_needs_a_reason(login, org, make_nomination):
    nomination = make_nomination()
    url = reverse("recognition:nomination_review", args=[nomination.pk])
    client = login(org.hr)
    response = client.post(url, {"action": "decline", "decision_reason": "  "})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.PENDING
    assert (
        client.post(url, {"action": "decline", "decision_reason": "A thank-you note fits better."}).status_code == 302
    )
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.DECLINED
    mine = login(org.outsider).get(reverse("recognition:my_nominations")).content.decode()
    assert "A thank-you note fits better." in mine


def test_a_duplicate_is_merged_and_approving_the_target_awards_once(login, org, make_nomination):
    target = make_nomination()
    duplicate = make_nomination(nominator=org.hr)
    client = login(org.hr)
    response = client.post(
        reverse("recognition:nomination_review", args=[duplicate.pk]), {"action": "merge", "into": target.pk}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (Nomination.Status.MERGED, target)
    services.nomination_approve(nomination=target, citation="For the order system.", by=org.hr.user)
    assert Award.objects.count() == 1


def test_merging_into_a_nomination_of_another_nominee_is_refused(org, make_nomination):
    one, other = make_nomination(), make_nomination(employee=org.head)
    with pytest.raises(services.NominationError):
        services.nomination_merge(nomination=one, into=other, by=org.hr.user)
    one.refresh_from_db()
    assert one.status == Nomination.Status.PENDING


def test_a_second_review_of_the_same_nomination_is_refused_with_a_message(login, org, make_nomination):
    nomination = make_nomination()
    stale = Nomination.objects.get(pk=nomination.pk)  # what the second reviewer's page was built from
    services.nomination_decline(nomination=nomination, reason="Not this time.", by=org.hr.user)
    with pytest.raises(services.NominationError):
        services.nomination_approve(nomination=stale, citation="For it all.", by=org.hr.user)
    assert not Award.objects.exists()
    response = login(org.hr).post(
        reverse("recognition:nomination_review", args=[nomination.pk]), {"action": "approve", "citation": "For it."}
    )
    page = login(org.hr).get(response["Location"]).content.decode()
    assert "no longer waiting for review" in page and not Award.objects.exists()


# --- the panel ------------------------------------------------------------------------------------


def test_a_panel_member_reviews_nominations(login, org, make_nomination, panel_member):
    nomination = make_nomination()
    client = login(panel_member)
    assert client.get(reverse("recognition:nominations")).status_code == 200
    response = client.post(
        reverse("recognition:nomination_review", args=[nomination.pk]),
        {"action": "decline", "decision_reason": "Not this time."},
    )
    assert response.status_code == 302
    assert client.get(reverse("recognition:panel")).status_code == 403  # naming the panel is HR's


def test_a_plain_employee_cannot_review(login, org, make_nomination):
    nomination = make_nomination()
    client = login(org.colleague)
    assert client.get(reverse("recognition:nominations")).status_code == 403
    url = reverse("recognition:nomination_review", args=[nomination.pk])
    assert client.post(url, {"action": "decline", "decision_reason": "No."}).status_code == 403
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.PENDING


def test_hr_names_and_removes_panel_members(login, org):
    client = login(org.hr)
    assert client.post(reverse("recognition:panel"), {"employee": org.colleague.pk}).status_code == 302
    member = PanelMember.objects.get()
    assert member.employee == org.colleague
    assert client.post(reverse("recognition:panel"), {"remove": member.pk}).status_code == 302
    assert not PanelMember.objects.exists()


def test_an_inactive_employee_cannot_be_named(login, org):
    gone = EmployeeFactory(department=org.it, active=False)
    response = login(org.hr).post(reverse("recognition:panel"), {"employee": gone.pk})
    assert response.status_code == 200 and not PanelMember.objects.exists()


# --- anonymity toward the nominee ----------------------------------------------------------------


def test_an_anonymous_nominator_is_hidden_from_the_nominee_and_the_wall_but_not_from_hr(
    login, org, make_nomination, django_capture_on_commit_callbacks
):
    nominator = org.outsider.full_name
    nomination = make_nomination(anonymous=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.nomination_approve(nomination=nomination, citation="For the order system.", by=org.hr.user)
    for message in mail.outbox:
        assert nominator not in message.body
    for path in (reverse("recognition:wall"), reverse("portal:charter", args=["it"])):
        page = login(org.colleague).get(path).content.decode()
        assert "For the order system." in page and nominator not in page
    review = login(org.hr).get(reverse("recognition:nomination_review", args=[nomination.pk])).content.decode()
    assert nominator in review


def test_the_nomination_partial_hides_an_anonymous_nominator_from_everyone_but_reviewers(org, make_nomination):
    from django.template.loader import render_to_string

    nomination = make_nomination(anonymous=True, status=Nomination.Status.APPROVED)
    shown = render_to_string("recognition/_nomination.html", {"nomination": nomination, "can_see_nominator": False})
    assert org.outsider.full_name not in shown and "a colleague" in shown
    for_hr = render_to_string("recognition/_nomination.html", {"nomination": nomination, "can_see_nominator": True})
    assert org.outsider.full_name in for_hr
    named = make_nomination(employee=None, status=Nomination.Status.APPROVED)
    shown = render_to_string("recognition/_nomination.html", {"nomination": named, "can_see_nominator": False})
    assert org.outsider.full_name in shown


def test_a_panel_member_never_reviews_a_nomination_of_themselves_or_by_themselves(
    login, org, panel_member, make_nomination
):
    of_them = make_nomination(employee=panel_member, department=org.sales, nominator=org.hr)
    by_them = make_nomination(nominator=panel_member, anonymous=True)
    other = make_nomination()
    client = login(panel_member)
    for mine in (of_them, by_them):
        assert client.get(reverse("recognition:nomination_review", args=[mine.pk])).status_code == 403
    assert client.get(reverse("recognition:nomination_review", args=[other.pk])).status_code == 200
    listed = client.get(reverse("recognition:nominations")).content.decode()
    assert (
        f"/recognition/nominations/{of_them.pk}/" not in listed and f"/recognition/nominations/{other.pk}/" in listed
    )
    assert login(org.hr).get(reverse("recognition:nomination_review", args=[of_them.pk])).status_code == 200
