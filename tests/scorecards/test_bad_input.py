"""The results pages' GET parameters: a bad one never a 500; the page says what it ignored."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("cols", ["²", "9" * 5000, "0", "-1", "1\x00", "\u202e2"])
def test_a_bad_heatmap_page_shows_the_first_page_and_says_so(login, people, generated, database_rows, cols):
    client = login(people["hr"])
    before = database_rows()

    response = client.get("/hr/results/", {"cols": cols})

    assert response.status_code == 200
    assert response.context["columns_page"] == 1 and response.context["org"].columns_page == 1
    assert "The page of the heatmap in the address is not valid, so it was ignored." in response.content.decode()
    assert database_rows() == before


@pytest.mark.parametrize("url", ["/hr/results/", "/scorecards/it/"])
@pytest.mark.parametrize("cycle", ["²", "9" * 5000, "\x00", "abc", "999999"])
def test_a_cycle_that_is_not_among_the_visible_ones_is_not_found(login, people, generated, url, cycle):
    """Showing another cycle's figures under an address that names a cycle would mislead: 404."""
    response = login(people["hr"]).get(url, {"cycle": cycle})

    assert response.status_code == 404
    assert "does not exist" in response.content.decode()


def test_a_good_heatmap_page_and_cycle_are_taken_without_a_message(login, people, generated):
    response = login(people["hr"]).get("/hr/results/", {"cols": "1", "cycle": str(generated.cycle.pk)})

    assert response.status_code == 200 and response.context["cycle"] == generated.cycle
    assert "in the address is not valid" not in response.content.decode()
