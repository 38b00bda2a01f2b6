"""Attack 3: differencing. HR looks at every page and export after each submission (recalculating
each time), at closing and after publishing. No figure may move by fewer than k responses between
two views, and no comment may appear before the cycle closes."""

from __future__ import annotations

import csv
import io
import re
from itertools import pairwise

from django.urls import reverse

from tests.scenarios import PROVIDERS, K, build_scenario

COMMENT = re.compile(r"comment-[0-9a-f]{32}")


def hr_view(client, cycle) -> dict:
    """Every figure HR can read about the cycle, keyed by what it describes; n first."""
    figures: dict[tuple, tuple] = {}
    for what in ("scores", "heatmap"):
        response = client.get(reverse(f"scorecards:export_{what}", args=[cycle.pk]))
        if response.status_code == 404:
            continue
        assert response.status_code == 200
        for row in csv.DictReader(io.StringIO(response.content.decode())):
            detail = row.get("parameter") or row.get("rater_department")
            values = [value for column, value in row.items() if not column.endswith("_name")]  # names, not figures
            figures[what, row["provider_department"], detail] = (int(row["n"]), *values)
    page = client.get(reverse("scorecards:organisation"), {"cycle": cycle.pk})
    assert page.status_code in (200, 404)
    for code in PROVIDERS:
        page = client.get(reverse("scorecards:scorecard", args=[code]), {"cycle": cycle.pk})
        if page.status_code == 200 and f"?cycle={cycle.pk}" in page.content.decode():
            comments = frozenset(COMMENT.findall(page.content.decode()))
            if comments:
                figures["comments", code, None] = (len(comments), comments)
    return figures


def _only_a_count(figure) -> bool:
    """Absent, or suppressed: every value but n empty."""
    return figure is None or (figure[-1] == "true" and not any(figure[4:-1]))


def test_no_figure_moves_by_fewer_than_k_responses_between_two_views(postgresql):
    scenario = build_scenario()
    cycle, hr = scenario.cycle, scenario.hr_client()
    invitations = scenario.invitations()
    scenario.rng.shuffle(invitations)
    views = [("opened", hr_view(hr, cycle))]
    for number, invitation in enumerate(invitations[: len(invitations) * 9 // 10], start=1):
        scenario.answer(invitation)
        hr.post(reverse("scorecards:recalculate", args=[cycle.pk]))
        views.append((f"after submission {number}", hr_view(hr, cycle)))
    assert not any(key[0] == "comments" for _, view in views for key in view), "comments shown while open"

    hr.post(reverse("surveys:cycle_close", args=[cycle.pk]))
    views.append(("closed", hr_view(hr, cycle)))
    hr.post(reverse("scorecards:recalculate", args=[cycle.pk]))
    views.append(("recalculated after closing", hr_view(hr, cycle)))
    hr.post(reverse("surveys:cycle_publish", args=[cycle.pk]))
    views.append(("published", hr_view(hr, cycle)))
    assert views[-1][1], "the closed cycle's figures are shown"

    moved = []
    for (when_before, before), (when_after, after) in pairwise(views):
        for key in before.keys() | after.keys():
            old, new = before.get(key), after.get(key)
            if old == new or (_only_a_count(old) and _only_a_count(new)):
                continue  # a hidden figure shows its count alone, as participation does
            if abs((new[0] if new else 0) - (old[0] if old else 0)) < K:
                moved.append(f"{key} between '{when_before}' and '{when_after}': {old} -> {new}")
    assert not moved, f"{len(moved)} figures moved by fewer than {K} responses:\n" + "\n".join(moved[:10])
