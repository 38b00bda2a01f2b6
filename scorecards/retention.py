"""Retention: the responses of old cycles are deleted, their results kept. It lives here, above
the surveys app, because a cycle's results must exist before its responses go."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from surveys.models import Answer, Cycle, ImportedInvitations, Response
from surveys.services import shift_months

from .services import cycle_aggregate


def responses_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete the responses of cycles that closed more than RESPONSE_RETENTION_YEARS ago.

    Their results stay: a cycle is aggregated first if it never was, and a purged cycle is never
    aggregated again. Invitations, drafts and notifications (who was asked, who was emailed) go
    too. Each cycle is purged in its own transaction; idempotent. 0 years keeps everything.
    """
    years = settings.RESPONSE_RETENTION_YEARS
    if not years:
        return {"cycles": 0, "responses": 0}
    now = now or timezone.now()
    cutoff = shift_months(now, -12 * years)
    purged = responses = 0
    for cycle in (
        Cycle.objects.finished().filter(purged_at__isnull=True, closes_at__lt=cutoff).select_related("result")
    ):
        if cycle.invitations.exclude(answers_sealed=None).exists():
            continue  # its answers still wait to be released (a missing key): results first
        if not hasattr(cycle, "result") or cycle.result.computed_at is None:
            cycle_aggregate(cycle_id=cycle.pk)
        with transaction.atomic():
            if not Cycle.objects.filter(pk=cycle.pk, purged_at__isnull=True).update(purged_at=now):
                continue  # another run got there first
            Answer.objects.filter(cycle=cycle).delete()
            responses += Response.objects.filter(cycle=cycle).delete()[1].get(Response._meta.label, 0)
            cycle.notifications.all().delete()
            cycle.invitations.all().delete()
            ImportedInvitations.objects.filter(cycle=cycle).delete()  # an import's counts of who was asked
        purged += 1
    return {"cycles": purged, "responses": responses}
