"""Tokens in every state, a client that sends them, and a published cycle with small groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from scorecards.services import cycle_aggregate
from surveys import services
from surveys.models import Invitation
from surveys.services.lifecycle import cycle_publish
from tests.factories import ALL_GOOD, make_cycle

SCOPES = [s.value for s in ApiToken.Scope]


@dataclass
class Issued:
    token: ApiToken
    secret: str

    @property
    def header(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"}


def issue(*scopes: str, name: str = "BI", days: int = 30, created_by=None) -> Issued:
    token, secret = ApiToken.issue(
        name=name, scopes=list(scopes), expires_at=timezone.now() + timedelta(days=days), created_by=created_by
    )
    return Issued(token, secret)


@pytest.fixture
def tokens(org) -> dict[str, Issued]:
    """One token per scope, one with every scope, an expired and a revoked one (with every scope)."""
    made = {scope: issue(scope, name=scope, created_by=org.hr) for scope in SCOPES}
    made["all"] = issue(*SCOPES, name="all")
    expired = issue(*SCOPES, name="expired")
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    made["expired"] = expired
    revoked = issue(*SCOPES, name="revoked")
    ApiToken.objects.filter(pk=revoked.token.pk).update(revoked_at=timezone.now())
    made["revoked"] = revoked
    return made


@pytest.fixture
def api():
    """A client behind the TLS proxy (as the project's `client`), never signed in: the API is token-only."""
    return Client(headers={"X-Forwarded-Proto": "https"})


def published_cycle(org, *, name: str = "Published one", threshold: int = 3):
    """IT and Sales rated by the outsider and the Sales head (Sales) and HR (HR): IT has three
    responses (shown with threshold 3), each heatmap cell fewer (suppressed); then published."""
    cycle = make_cycle(org, status="open", name=name, score_threshold=threshold, comment_threshold=threshold)
    for employee in (org.outsider, org.outsider_head, org.hr):
        services.response_submit(invitation=Invitation.objects.get(cycle=cycle, employee=employee), scores=ALL_GOOD)
    services.cycle_close(cycle_id=cycle.pk)
    cycle_aggregate(cycle_id=cycle.pk)
    cycle.refresh_from_db()
    cycle_publish(cycle=cycle)
    return cycle
