"""The recognition wall, its feed, and the other pages that show notes; HR hiding a note."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from recognition import notes
from recognition.models import Award, AwardCriterion, Nomination, ThankYouNote
from tests.factories import make_closed_cycle

WALL = reverse("recognition:wall")
FEED = reverse("recognition:feed")


def pages(client, org) -> dict[str, str]:
    """Every page that shows notes to the IT colleague, as text."""
    return {
        "wall": client.get(WALL).content.decode(),
        "feed": client.get(FEED).content.decode(),
        "charter": client.get(reverse("portal:charter", args=["it"])).content.decode(),
        "my surveys": client.get(reverse("portal:my_surveys")).content.decode(),
    }


def test_a_note_with_markup_is_shown_escaped_everywhere(login, org, make_note):
    make_note(message="<script>alert(1)</script> thanks", colleagues=[org.colleague])
    for name, page in pages(login(org.colleague), org).items():
        assert "<script>alert(1)" not in page, name
        assert "&lt;script&gt;alert(1)" in page, name


def test_the_wall_shows_notes_awards_and_approved_nominations(login, org, make_note):
    make_note(message="Fixed the printer", colleagues=[org.colleague], parameter=org.it.parameters.first())
    cycle = make_closed_cycle(org)
    criterion = AwardCriterion.objects.create(name="Service Excellence", badge="star")
    Award.objects.create(
        criterion=criterion, department=org.it, cycle=cycle, source="rule", citation="Every target met."
    )
    by_nomination = AwardCriterion.objects.create(name="Above and Beyond", by_nomination=True)
    Nomination.objects.create(
        criterion=by_nomination, department=org.it, nominator=org.outsider, reason="Stayed late", status="approved"
    )
    Nomination.objects.create(criterion=by_nomination, department=org.it, nominator=org.outsider, reason="Pending one")
    page = login(org.hr).get(WALL).content.decode()
    assert "Fixed the printer" in page and org.colleague.full_name in page and org.outsider.full_name in page
    assert "Every target met." in page and "badges/star.svg" in page
    assert "Stayed late" in page and "Pending one" not in page


def test_the_wall_filters_by_department_and_parameter(login, org, make_note):
    first, second = org.it.parameters.order_by("position")
    make_note(message="About responsiveness", parameter=first)
    make_note(message="About quality", parameter=second)
    make_note(sender=org.colleague, department=org.sales, message="To sales")
    client = login(org.outsider)
    page = client.get(WALL, {"department": "it", "parameter": first.code}).content.decode()
    assert "About responsiveness" in page and "About quality" not in page and "To sales" not in page
    page = client.get(WALL, {"department": "sales"}).content.decode()
    assert "To sales" in page and "About quality" not in page


def test_the_wall_pages_its_notes(login, org, make_note):
    for number in range(25):
        make_note(message=f"Note number {number}.")
    client = login(org.outsider)
    assert client.get(WALL).content.decode().count('class="list-group-item py-3') == 20
    assert client.get(WALL, {"page": "2"}).content.decode().count('class="list-group-item py-3') == 5


def test_the_wall_says_what_will_appear_when_empty(login, org):
    page = login(org.outsider).get(WALL).content.decode()
    assert "No thank-you notes yet" in page and "No awards yet" in page and "No approved nominations yet" in page


def test_an_unnamed_senders_name_is_shown_to_hr_alone(login, org, make_note):
    make_note(sender=org.outsider, show_name=False, message="From someone", colleagues=[org.colleague])
    for employee in (org.colleague, org.head, org.outsider_head):
        for name, page in pages(login(employee), org).items():
            assert "From someone" in page or (name == "my surveys" and employee != org.colleague), name
            assert org.outsider.full_name not in page.replace(f"Signed in as {org.outsider.full_name}", ""), name
    page = login(org.hr).get(WALL).content.decode()
    assert f"sent by {org.outsider.full_name}" in page
    assert org.outsider.full_name not in login(org.hr).get(FEED).content.decode()


def test_hr_hides_a_note_it_disappears_everywhere_and_who_and_why_are_kept(login, org, make_note):
    note = make_note(message="Rude words", colleagues=[org.colleague], parameter=org.it.parameters.first())
    make_note(message="A kind one")
    hr = login(org.hr)
    response = hr.post(reverse("recognition:note_hide", args=[note.pk]), {"reason": "Not a thank-you."})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.hidden_by == org.hr.user and note.hidden_reason == "Not a thank-you." and note.hidden_at
    for name, page in pages(login(org.colleague), org).items():
        assert "Rude words" not in page, name
    assert "A kind one" in pages(login(org.colleague), org)["wall"]
    now = timezone.now()
    counts = notes.note_counts_by_parameter(
        org.it, since=now.replace(year=now.year - 1), until=now.replace(year=now.year + 1)
    )
    assert counts == [("", 1)]
    # HR sees it on the wall, marked, with who hid it and why.
    page = login(org.hr).get(WALL).content.decode()
    assert "Rude words" in page and "Hidden" in page and "Not a thank-you." in page


def test_hiding_needs_a_reason_and_is_for_hr_only(login, org, make_note, database_rows):
    note = make_note()
    url = reverse("recognition:note_hide", args=[note.pk])
    assert login(org.head).post(url, {"reason": "Mine"}).status_code == 403
    hr = login(org.hr)
    before = database_rows()
    assert hr.post(url, {"reason": ""}).status_code == 302
    assert database_rows() == before
    assert not ThankYouNote.objects.get(pk=note.pk).hidden_at
    assert login(org.hr).get(url).status_code == 405


def test_the_feed_has_awards_and_visible_notes_and_needs_sign_in(client, login, org, make_note):
    make_note(message="Visible note", colleagues=[org.colleague])
    make_note(message="Hidden note", hidden_at=timezone.now())
    cycle = make_closed_cycle(org)
    criterion = AwardCriterion.objects.create(name="Most Improved")
    Award.objects.create(criterion=criterion, department=org.it, cycle=cycle, source="rule", citation="Up by 0.4.")
    assert client.get(FEED).status_code == 302  # signed out: to sign-in
    response = login(org.outsider).get(FEED)
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert "Visible note" in feed and "Hidden note" not in feed and "Up by 0.4." in feed and "Most Improved" in feed


def test_my_surveys_shows_the_notes_the_colleague_received(login, org, make_note):
    make_note(message="Thanks, Joseph", colleagues=[org.colleague])
    make_note(message="To the department")
    page = login(org.colleague).get(reverse("portal:my_surveys")).content.decode()
    assert "Thank-you notes you received" in page and "Thanks, Joseph" in page and "To the department" not in page


def test_the_scorecard_counts_visible_notes_per_parameter_in_one_query(
    login, org, make_note, django_assert_max_num_queries
):
    first = org.it.parameters.order_by("position").first()
    make_note(parameter=first)
    make_note(parameter=first)
    make_note(parameter=first, hidden_at=timezone.now())
    make_note()
    now = timezone.now()
    with django_assert_max_num_queries(1):
        counts = notes.note_counts_by_parameter(
            org.it, since=now.replace(year=now.year - 1), until=now.replace(year=now.year + 1)
        )
    assert counts == [(first.name, 2), ("", 1)]
    assert ThankYouNote.objects.count() == 4


def test_the_scorecard_shows_the_counts(login, org, make_note):
    cycle = make_closed_cycle(org)
    first = org.it.parameters.order_by("position").first()
    note = make_note(parameter=first)
    ThankYouNote.objects.filter(pk=note.pk).update(created_at=cycle.opens_at)
    page = login(org.head).get(reverse("scorecards:scorecard", args=["it"]), {"cycle": cycle.pk}).content.decode()
    assert "Thank-you notes in" in page
    assert f'<th scope="row" class="fw-normal">{first.name}</th><td class="text-end">1</td>' in page


def test_the_survey_offers_to_thank_the_department_just_rated(login, org, invitation):
    from surveys.models import Invitation

    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.COMPLETED)
    page = login(org.outsider).get(reverse("surveys:survey", args=[invitation.cycle_id])).content.decode()
    assert "Want to thank someone at IT?" in page
    assert f"{reverse('recognition:thank')}?department=it&amp;next=" in page
