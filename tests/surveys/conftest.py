from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import Cycle, Invitation


def make_cycle(org, *, status: str = "draft", **fields) -> Cycle:
    now = timezone.now()
    cycle = Cycle.objects.create(
        name=fields.pop("name", "Q1 survey"),
        opens_at=fields.pop("opens_at", now - timedelta(hours=1)),
        closes_at=fields.pop("closes_at", now + timedelta(days=14)),
        **fields,
    )
    cycle.providers.set([org.it, org.sales])
    if status == "open":
        services.cycle_open(cycle_id=cycle.pk)
        cycle.refresh_from_db()
    return cycle


@pytest.fixture
def open_cycle(org) -> Cycle:
    """Open: Sales (outsider, outsider_head) and HR (hr) rate IT; IT rates nobody; nobody rates Sales."""
    return make_cycle(org, status="open")


@pytest.fixture
def invitation(org, open_cycle) -> Invitation:
    """The outsider's (Sales) invitation to rate IT."""
    return Invitation.objects.select_related("cycle", "provider").get(cycle=open_cycle, employee=org.outsider)


ALL_GOOD = {"responsiveness": 4, "quality": 5}
JSON = {"HTTP_ACCEPT": "application/json"}  # as the survey page's script sends its forms


def answers(provider: str = "it", action: str = "submit", comment_good: str = "", **scores) -> dict:
    """The POST of one department's form on the survey page (its fields carry the department's code)."""
    data = {f"{provider}-q_{code}": str(score) for code, score in scores.items()}
    return data | {f"{provider}-comment_good": comment_good, f"{provider}-comment_improve": "", "action": action}
