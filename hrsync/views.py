"""HR's pages of the nightly sync: the last runs, one run, and the buttons that act on them."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.decorators import hr_required

from . import services
from .fetch import is_configured, source_description
from .models import SyncRun
from .tasks import hr_sync_task

RUNS_LISTED = 30


@hr_required
def runs(request):
    """The last 30 runs, newest first, with the Run now button."""
    listed = list(SyncRun.objects.latest_first().select_related("decided_by", "requested_by")[:RUNS_LISTED])
    return render(
        request,
        "hrsync/runs.html",
        {
            "runs": listed,
            "configured": is_configured(),
            "source": source_description(),
            "hour": settings.HR_SYNC_HOUR,
            "max_deactivate": settings.HR_SYNC_MAX_DEACTIVATE_PERCENT,
            "max_move": settings.HR_SYNC_MAX_MOVE_PERCENT,
        },
    )


@hr_required
def run_detail(request, pk: int):
    run = get_object_or_404(SyncRun.objects.select_related("decided_by", "requested_by"), pk=pk)
    return render(
        request,
        "hrsync/run.html",
        {
            "run": run,
            "counts": services.counts_rows(run),
            "reasons": [services.brake_message(reason) for reason in run.brake_reasons],
        },
    )


@hr_required
@require_POST
def run_now(request):
    """Queue a run at once (after this request's transaction commits)."""
    if not is_configured():
        messages.error(request, _("The HR sync is not configured: set HR_SYNC_DIR or HR_SYNC_URL."))
        return redirect("hrsync:runs")
    user_id = request.user.pk
    transaction.on_commit(lambda: hr_sync_task.delay(trigger=SyncRun.Trigger.MANUAL, requested_by_id=user_id))
    messages.success(request, _("The sync was started. Its run appears below when it has finished."))
    return redirect("hrsync:runs")


def _decide(request, pk: int, decide, done: str):
    run = get_object_or_404(SyncRun, pk=pk)
    try:
        run = decide(run=run, user=request.user)
    except services.NotHeld:
        messages.error(request, _("This run no longer waits for a decision: nothing was changed."))
        return redirect("hrsync:run", pk=pk)
    if run.status == SyncRun.Status.FAILED:
        messages.error(request, _("The files no longer pass the checks against today's data: nothing was changed."))
    else:
        messages.success(request, done)
    return redirect("hrsync:run", pk=pk)


@hr_required
@require_POST
def confirm(request, pk: int):
    """Apply a held run's files after checking them again against today's data."""
    return _decide(request, pk, services.sync_confirm, _("The changes were applied."))


@hr_required
@require_POST
def discard(request, pk: int):
    return _decide(request, pk, services.sync_discard, _("The run was discarded: nothing was changed."))
