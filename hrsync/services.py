"""The nightly HR sync: fetch the HR system's files, import them all-or-nothing, and stop at the brake.

The HR system is the source of truth: people missing from employees.csv are deactivated, and
departments missing from departments.csv are deactivated (when that file is given). The import is the
upload page's own (departments.org_import), so the same rows are refused with the same
``file:line: reason``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from departments.models import Department, Employee
from departments.org_import import CsvFile, DryRun, ImportFailed, ImportSummary, org_import, read_csv
from departments.roles import hr_admin_emails
from surveys.models import Cycle

from .fetch import FetchFailed, fetch_files, source_description
from .models import SyncLock, SyncRun

LOCK_NAME = "hr-sync"
LISTED = 200  # people and departments named per kind of change; the counts say the rest
ERRORS_KEPT = 500  # a file broken on every line would fill the page and the email


def _kept(errors: list[str]) -> list[str]:
    if len(errors) <= ERRORS_KEPT:
        return errors
    more = len(errors) - ERRORS_KEPT
    return [*errors[:ERRORS_KEPT], _("… and %(count)s more errors.") % {"count": more}]


@dataclass
class Outcome:
    counts: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    brake_reasons: list[dict] = field(default_factory=list)


@contextmanager
def sync_lock() -> Iterator[None]:
    """One transaction holding the sync's lock row: a second run waits until the first has written.
    (PostgreSQL: SELECT … FOR UPDATE; SQLite takes its database-wide write lock on the first write.)"""
    SyncLock.objects.get_or_create(name=LOCK_NAME)
    with transaction.atomic():
        SyncLock.objects.select_for_update().get(name=LOCK_NAME)
        yield


def _snapshot() -> tuple[dict[str, tuple[str, bool]], dict[str, bool]]:
    people = {
        email: (code, active)
        for email, code, active in Employee.objects.values_list("user__username", "department__code", "active")
    }
    return people, dict(Department.objects.values_list("code", "active"))


def _file_codes(file: CsvFile) -> set[str]:
    errors: list[str] = []
    table = read_csv(file, "departments", errors)
    return {row["code"].lower() for row in table.rows if row["code"]} if table else set()


def _remove_missing_departments(files: dict[str, CsvFile]) -> None:
    """Deactivate the active departments that departments.csv no longer lists; one that still has
    active people is an error (they would belong nowhere)."""
    if "departments" not in files:
        return
    missing = Department.objects.filter(active=True).exclude(code__in=_file_codes(files["departments"]))
    staffed = (
        Employee.objects.filter(active=True, department__in=missing)
        .values_list("department__code")
        .annotate(people=Count("pk"))
        .order_by("department__code")
    )
    errors = [
        f"{files['departments'].name}: department {code!r} is not in the file, "
        f"but {people} active employee(s) still belong to it"
        for code, people in staffed
    ]
    if errors:
        raise ImportFailed(errors)
    missing.update(active=False)


def _changes(before, after) -> dict:
    people_before, departments_before = before
    people_after, departments_after = after
    moved, deactivated = [], []
    for email, (code, active) in sorted(people_before.items()):
        now_code, now_active = people_after[email]
        if active and not now_active:
            deactivated.append(email)
        elif active and now_active and code != now_code:
            moved.append([email, code, now_code])
    return {
        "moved": moved,
        "deactivated": deactivated,
        "new_departments": sorted(set(departments_after) - set(departments_before)),
        "removed_departments": sorted(
            code for code, active in departments_before.items() if active and not departments_after[code]
        ),
    }


def _percent(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def brake_reasons(people_before: dict[str, tuple[str, bool]], changes: dict) -> list[dict]:
    """Why the sync must wait for HR: each limit it would cross, with its numbers and names."""
    active = sum(1 for _code, is_active in people_before.values() if is_active)
    reasons = []
    limits = (
        ("deactivate", changes["deactivated"], settings.HR_SYNC_MAX_DEACTIVATE_PERCENT),
        ("move", changes["moved"], settings.HR_SYNC_MAX_MOVE_PERCENT),
    )
    for kind, people, limit in limits:
        percent = _percent(len(people), active)
        if percent > limit:
            reasons.append({"kind": kind, "count": len(people), "active": active, "percent": percent, "limit": limit})
    removed = changes["removed_departments"]
    if removed:
        open_cycles = Cycle.objects.open().filter(departments__code__in=removed)
        for code, name, cycle in open_cycles.values_list("departments__code", "departments__name", "name").distinct():
            if code in removed:
                reasons.append({"kind": "open_cycle", "code": code, "name": name, "cycle": cycle})
    return reasons


def brake_message(reason: dict) -> str:
    """One reason in words, in the reader's language."""
    if reason["kind"] == "deactivate":
        return (
            _(
                "It would deactivate %(count)s of %(active)s active employees (%(percent)s %%), "
                "more than the limit of %(limit)s %%."
            )
            % reason
        )
    if reason["kind"] == "move":
        return (
            _(
                "It would move %(count)s of %(active)s active employees to another department (%(percent)s %%), "
                "more than the limit of %(limit)s %%."
            )
            % reason
        )
    return (
        _("It would remove the department %(name)s (%(code)s), which is rated in the open cycle %(cycle)s.") % reason
    )


def _import(files: dict[str, CsvFile], *, brake: bool, preview: bool = False) -> Outcome:
    """Import the files inside the caller's transaction. With `brake`, roll everything back when a
    limit is crossed and return the reasons; with `preview`, always roll back (what it would do).
    Raises ImportFailed (nothing written) for bad files."""
    before = _snapshot()
    outcome = Outcome()
    try:
        with transaction.atomic():
            summary: ImportSummary = org_import(
                departments=files.get("departments"),
                employees=files.get("employees"),
                dependencies=files.get("dependencies"),
                parameters=files.get("parameters"),
                deactivate_missing="employees" in files,
            )
            _remove_missing_departments(files)
            outcome.changes = _changes(before, _snapshot())
            outcome.counts = {kind: vars(kind_summary).copy() for kind, kind_summary in summary.items()}
            outcome.counts["departments"]["removed"] = len(outcome.changes["removed_departments"])
            if brake:
                outcome.brake_reasons = brake_reasons(before[0], outcome.changes)
            if outcome.brake_reasons or preview:
                raise DryRun  # rolled back: held at the brake, or only a preview
    except DryRun:
        pass
    for kind in ("moved", "deactivated"):
        outcome.changes[f"{kind}_count"] = len(outcome.changes[kind])
        outcome.changes[kind] = outcome.changes[kind][:LISTED]
    return outcome


def preview(files: dict[str, CsvFile]) -> Outcome:
    """What importing the files would change and why the brake would hold them; writes nothing."""
    with sync_lock():
        return _import(files, brake=True, preview=True)


def _changed(outcome: Outcome) -> bool:
    return any(
        counts.get(key)
        for counts in outcome.counts.values()
        for key in ("created", "updated", "deactivated", "removed")
    )


def encode_files(files: dict[str, CsvFile]) -> dict[str, list[str]]:
    return {kind: file.stored() for kind, file in files.items()}


def _decode(files: dict[str, list[str]]) -> dict[str, CsvFile]:
    return {kind: CsvFile.from_stored(stored) for kind, stored in files.items()}


def sync_run(*, trigger: str = SyncRun.Trigger.SCHEDULE, requested_by_id: int | None = None) -> SyncRun:
    """Fetch the HR system's files and import them, or hold them at the brake, or record the errors;
    then email HR. Every run is recorded, and supersedes a run still held. Safe to run twice at
    once: the second waits for the first's lock and then imports against what the first wrote."""
    started = timezone.now()
    run = SyncRun(started_at=started, trigger=trigger, requested_by_id=requested_by_id, source=source_description())
    try:
        files = fetch_files()
    except FetchFailed as failure:
        files, run.status, run.errors = {}, SyncRun.Status.FAILED, failure.errors
    with sync_lock():
        SyncRun.objects.held().filter(started_at__lte=started).update(status=SyncRun.Status.SUPERSEDED, files={})
        if files:
            try:
                outcome = _import(files, brake=True)
            except ImportFailed as failure:
                run.status, run.errors = SyncRun.Status.FAILED, _kept(failure.errors)
            else:
                run.counts, run.changes, run.brake_reasons = outcome.counts, outcome.changes, outcome.brake_reasons
                if outcome.brake_reasons:
                    run.status, run.files = SyncRun.Status.HELD, encode_files(files)
                else:
                    run.status = SyncRun.Status.APPLIED if _changed(outcome) else SyncRun.Status.UNCHANGED
        run.finished_at = timezone.now()
        run.save()
    _tell_hr(run)
    return run


class NotHeld(Exception):
    """The run no longer waits for a decision (decided, or superseded by a newer run)."""


def _claim_held(run: SyncRun) -> SyncRun:
    run = SyncRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_held:
        raise NotHeld
    return run


def sync_confirm(*, run: SyncRun, user) -> SyncRun:
    """HR confirms a held run: its stored files are validated again against today's data and
    imported without the brake, or the run fails with the errors. Raises NotHeld (nothing written)
    when the run was decided or superseded meanwhile."""
    with sync_lock():
        run = _claim_held(run)
        run.decided_by, run.decided_at = user, timezone.now()
        try:
            outcome = _import(_decode(run.files), brake=False)
        except ImportFailed as failure:
            run.status, run.errors = SyncRun.Status.FAILED, _kept(failure.errors)
        else:
            run.status, run.counts, run.changes = SyncRun.Status.CONFIRMED, outcome.counts, outcome.changes
        run.files = {}
        run.save()
    _tell_hr(run)
    return run


def sync_discard(*, run: SyncRun, user) -> SyncRun:
    """HR rejects a held run: nothing is imported and its files are dropped. Raises NotHeld."""
    with sync_lock():
        run = _claim_held(run)
        run.status, run.decided_by, run.decided_at, run.files = SyncRun.Status.DISCARDED, user, timezone.now(), {}
        run.save()
    return run


def run_url(run: SyncRun) -> str:
    return settings.SITE_URL + reverse("hrsync:run", args=[run.pk])


def _tell_hr(run: SyncRun) -> None:
    """Email HR what the run changed, why it waits, or what is wrong with the files."""
    recipients = hr_admin_emails()
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subjects = {
            SyncRun.Status.APPLIED: _("HR sync: the organisation was updated"),
            SyncRun.Status.UNCHANGED: _("HR sync: no changes"),
            SyncRun.Status.FAILED: _("HR sync failed: nothing was changed"),
            SyncRun.Status.HELD: _("HR sync held: please confirm or discard"),
            SyncRun.Status.CONFIRMED: _("HR sync: the confirmed changes were applied"),
        }
        context = {
            "run": run,
            "url": run_url(run),
            "reasons": [brake_message(reason) for reason in run.brake_reasons],
            "counts": counts_rows(run),
        }
        body = render_to_string("hrsync/email_run.txt", context)
        send_mail(subjects[SyncRun.Status(run.status)], body, None, recipients)


def counts_rows(run: SyncRun) -> list[tuple[str, dict]]:
    """(kind in words, its counts) for the kinds the run's files held, in the files' order (a kind
    with no file counts nothing at all)."""
    words = {
        "departments": _("Departments"),
        "employees": _("Employees"),
        "dependencies": _("Dependencies"),
        "parameters": _("Charters (parameters)"),
    }
    return [(words[kind], run.counts[kind]) for kind in words if any(run.counts.get(kind, {}).values())]
