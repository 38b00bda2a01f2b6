"""Awards where they belong: the department's charter page (standing ones, capped, linking to the
wall) and its scorecard (the cycle's, with a rule award's explanation; withdrawn ones for HR only)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from recognition.models import Award, AwardCriterion
from surveys import services as survey_services
from tests.factories import make_closed_cycle
from tests.test_navigation import marked_current

EXPLANATION = [
    {"measure": "Overall index", "wanted": "≥ 4.20", "got": "4.60", "met": True},
    {"measure": "Every parameter meets its target", "wanted": "yes", "got": "not evaluated", "met": False},
]


@pytest.fixture
def closed(org):
    cycle = make_closed_cycle(org)
    survey_services.cycle_publish(cycle=cycle)
    return cycle


def award(org, cycle=None, *, name="Service Excellence", **fields) -> Award:
    criterion, _ = AwardCriterion.objects.get_or_create(name=name, defaults={"badge": "star", "min_index": 4})
    return Award.objects.create(
        **{
            "criterion": criterion,
            "department": org.it,
            "cycle": cycle,
            "source": Award.Source.RULE,
            "citation": f"{name}: overall index 4.60.",
            "explanation": EXPLANATION,
        }
        | fields
    )


def test_the_charter_page_shows_standing_awards_newest_first_and_not_withdrawn_ones(login, org, closed):
    award(org, closed, name="Older")
    award(org, closed, name="Newer", source=Award.Source.NOMINATION, employee=org.colleague, explanation=[])
    award(org, closed, name="Undone", withdrawn_at=timezone.now(), withdrawn_reason="Recalculated.")
    for person in (org.outsider, org.hr):
        page = login(person).get(reverse("portal:charter", args=["it"])).content.decode()
        assert page.index("Newer: overall") < page.index("Older: overall")
        assert "Undone" not in page and "withdrawn" not in page
        assert "By nomination" in page and "Earned by rule" in page and "badges/star.svg" in page
        assert "How it was earned" not in page  # the explanation is for the scorecard


def test_the_charter_page_caps_its_awards_and_links_to_the_wall(login, org):
    for number in range(7):
        award(org, name=f"Award {number}")
    page = login(org.outsider).get(reverse("portal:charter", args=["it"])).content.decode()
    assert page.count('id="award-') == 5
    assert f"{reverse('recognition:wall')}?department=it" in page and "All awards of IT" in page


def test_the_scorecard_shows_the_cycles_awards_with_their_explanation(login, org, closed):
    award(org, closed)
    award(org, None, name="Another cycle's")
    page = login(org.head).get(reverse("scorecards:scorecard", args=["it"])).content.decode()
    assert "Service Excellence: overall index 4.60." in page and "Another cycle" not in page
    assert "How it was earned" in page and "Every parameter meets its target" in page and "not evaluated" in page


def test_a_withdrawn_award_is_shown_to_hr_only_on_the_scorecard(login, org, closed):
    award(org, closed, withdrawn_at=timezone.now(), withdrawn_reason="The index was recalculated.")
    for_head = login(org.head).get(reverse("scorecards:scorecard", args=["it"])).content.decode()
    assert "Service Excellence: overall" not in for_head and "withdrawn" not in for_head
    for_hr = login(org.hr).get(reverse("scorecards:scorecard", args=["it"])).content.decode()
    assert (
        "Service Excellence: overall" in for_hr and "withdrawn" in for_hr and "The index was recalculated." in for_hr
    )


def test_the_charter_page_reads_its_awards_in_one_query(login, org, closed, django_assert_max_num_queries):
    client = login(org.outsider)
    award(org, closed, name="First")
    client.get(reverse("portal:charter", args=["it"]))  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("portal:charter", args=["it"]))
    for number in range(4):
        award(org, closed, name=f"More {number}", employee=org.colleague, source=Award.Source.NOMINATION)
    with django_assert_max_num_queries(len(one)):
        client.get(reverse("portal:charter", args=["it"]))


# --- the pages' place in the top bar ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "name", "expected"),
    [
        ("outsider", "recognition:nominate", ["Recognition"]),
        ("outsider", "recognition:my_nominations", ["Recognition"]),
        ("hr", "recognition:nominations", ["Follow-up › Nominations"]),
        ("hr", "recognition:panel", ["Follow-up › Nominations"]),
        ("panel", "recognition:nominations", ["Recognition"]),
    ],
)
def test_nomination_pages_mark_one_entry_of_the_top_bar(login, org, panel_member, who, name, expected):
    person = panel_member if who == "panel" else getattr(org, who)
    response = login(person).get(reverse(name))
    assert response.status_code == 200
    assert marked_current(response) == expected
