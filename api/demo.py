"""Demo API tokens in every state: active (one per scope), expired and revoked."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from departments.models import Employee

from .models import ApiToken

HR_EMAIL = "marta.ibrahim@acme.example"


def seed_api(*, now=None) -> list[str]:
    """Create the demo tokens once (a rerun changes nothing). Only the BI token's secret is printed,
    as a demo line: the others' are thrown away, as the portal does once it has shown them."""
    if ApiToken.objects.exists():
        return ["API tokens: already present, unchanged"]
    now = now or timezone.now()
    hr = Employee.objects.filter(user__email=HR_EMAIL).first()
    S = ApiToken.Scope
    _, bi_secret = ApiToken.issue(
        name="BI dashboard (Power BI)", scopes=[S.READ_SCORES], expires_at=now + timedelta(days=180), created_by=hr
    )
    ApiToken.issue(
        name="HR system: organisation export",
        scopes=[S.WRITE_ORGANISATION],
        expires_at=now + timedelta(days=365),
        created_by=hr,
    )
    ApiToken.issue(
        name="Service desk KPI feed",
        scopes=[S.WRITE_KPIS, S.READ_SCORES],
        expires_at=now + timedelta(days=90),
        created_by=hr,
    )
    expired, _ = ApiToken.issue(
        name="Pilot report (2025)", scopes=[S.READ_SCORES], expires_at=now + timedelta(days=1), created_by=hr
    )
    ApiToken.objects.filter(pk=expired.pk).update(
        created_at=now - timedelta(days=400),
        expires_at=now - timedelta(days=35),
        last_used_at=now - timedelta(days=40),
    )
    revoked, _ = ApiToken.issue(
        name="Old spreadsheet macro",
        scopes=[S.READ_SCORES, S.WRITE_KPIS],
        expires_at=now + timedelta(days=200),
        created_by=hr,
    )
    ApiToken.objects.filter(pk=revoked.pk).update(
        revoked_at=now - timedelta(days=3), revoked_by=hr, last_used_at=now - timedelta(days=4)
    )
    return [
        "API tokens: 3 active, 1 expired, 1 revoked (HR: /hr/api-tokens/)",
        f"API token (read scores): {bi_secret}",
    ]
