"""The demo's HR sync runs (seed_demo): one in every state, the organisation left as it is.

The past runs are records of what happened (their figures name real demo people); the run held at
the brake today is computed by the real code from an export of the demo organisation with one in
eight people missing, rolled back: confirming it in the portal deactivates them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from departments.models import Department, Employee
from departments.org_import import CsvFile

from . import services
from .models import SyncRun

DEMO_SOURCE = "/srv/hr-export (demo)"


def _csv(name: str, header: list[str], rows: list[list[str]]) -> CsvFile:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return CsvFile(name, out.getvalue().encode())


def export_with_leavers(keep: Collection[str], every: int = 8) -> tuple[dict[str, CsvFile], list[str]]:
    """The demo organisation as the HR system would export it, missing every `every`-th person who
    heads nothing and is not in `keep` (the demo's logins): (files, the emails left out)."""
    heads = set(Department.objects.exclude(head=None).values_list("head_id", flat=True))
    people = list(Employee.objects.filter(active=True).select_related("user", "department").order_by("user__username"))
    kept, left = [], []
    for number, person in enumerate(people):
        if number % every == every - 1 and person.pk not in heads and person.user.username not in keep:
            left.append(person.user.username)
        else:
            kept.append(person)
    departments = Department.objects.filter(active=True).order_by("code")
    files = {
        "departments": _csv("departments.csv", ["code", "name"], [[d.code, d.name] for d in departments]),
        "employees": _csv(
            "employees.csv",
            ["email", "first_name", "last_name", "department_code"],
            [[p.user.username, p.user.first_name, p.user.last_name, p.department.code] for p in kept],
        ),
    }
    return files, left


def seed_hrsync(*, hr_email: str, keep: Collection[str] = (), now: datetime | None = None) -> list[str]:
    """A week of runs, one per state; idempotent (runs already there are kept as they are). `keep`:
    emails the held run must not deactivate (the demo's logins)."""
    if SyncRun.objects.exists():
        return ["hr sync: runs already there"]
    now = now or timezone.now()
    hr = get_user_model().objects.get(username=hr_email)
    people = list(Employee.objects.filter(active=True).values_list("user__username", "department__code")[:3])
    night = now.replace(hour=2, minute=0, second=0, microsecond=0)

    def day(days: int) -> datetime:
        return night - timedelta(days=days)

    def counts(created: int = 0, updated: int = 0, deactivated: int = 0, unchanged: int = 0) -> dict:
        employees = {"created": created, "updated": updated, "unchanged": unchanged, "deactivated": deactivated}
        return {
            "departments": {"created": 0, "updated": 0, "unchanged": 14, "deactivated": 0, "removed": 0},
            "employees": employees | {"removed": 0},
        }

    def changes(moved: list | None = None, deactivated: list | None = None, count: int | None = None) -> dict:
        """`count`: how many were moved or deactivated in all (the lists name the first few)."""
        moved, deactivated = moved or [], deactivated or []
        return {
            "moved": moved,
            "moved_count": count if moved and count else len(moved),
            "deactivated": deactivated,
            "deactivated_count": count if deactivated and count else len(deactivated),
            "new_departments": [],
            "removed_departments": [],
        }

    mover, code = people[0]
    leaver = people[1][0]
    S = SyncRun.Status
    past = [
        (
            6,
            S.APPLIED,
            counts(created=2, updated=1, unchanged=200),
            changes(moved=[[mover, code, "facilities"]]),
            [],
            [],
        ),
        (5, S.UNCHANGED, counts(unchanged=203), changes(), [], []),
        (
            4,
            S.FAILED,
            {},
            {},
            [
                "employees.csv:14: department_code 'finanse' is not a department in the files or the portal",
                "employees.csv:87: email 'j.doe@acme' is not a valid email address",
            ],
            [],
        ),
        (
            3,
            S.DISCARDED,
            counts(deactivated=60, unchanged=143),
            changes(deactivated=[leaver], count=60),
            [],
            [{"kind": "deactivate", "count": 60, "active": 203, "percent": 29.6, "limit": 10}],
        ),
        (
            2,
            S.CONFIRMED,
            counts(updated=48, unchanged=155),
            changes(moved=[[mover, "facilities", code]], count=48),
            [],
            [{"kind": "move", "count": 48, "active": 203, "percent": 23.6, "limit": 20}],
        ),
        (
            1,
            S.SUPERSEDED,
            counts(deactivated=25, unchanged=178),
            changes(deactivated=[leaver], count=25),
            [],
            [{"kind": "deactivate", "count": 25, "active": 203, "percent": 12.3, "limit": 10}],
        ),
    ]
    for days, status, run_counts, run_changes, errors, reasons in past:
        decided = status in (S.DISCARDED, S.CONFIRMED)
        SyncRun.objects.create(
            started_at=day(days),
            finished_at=day(days) + timedelta(seconds=40),
            source=DEMO_SOURCE,
            status=status,
            counts=run_counts,
            changes=run_changes,
            errors=errors,
            brake_reasons=reasons,
            decided_by=hr if decided else None,
            decided_at=day(days) + timedelta(hours=6, minutes=12) if decided else None,
        )

    files, left = export_with_leavers({hr_email, *keep})
    outcome = services.preview(files)
    status = S.HELD if outcome.brake_reasons else S.APPLIED
    SyncRun.objects.create(
        started_at=day(0),
        finished_at=day(0) + timedelta(seconds=40),
        source=DEMO_SOURCE,
        status=status,
        counts=outcome.counts,
        changes=outcome.changes,
        brake_reasons=outcome.brake_reasons,
        files=services.encode_files(files) if outcome.brake_reasons else {},
    )
    return [f"hr sync: 7 runs, the last held at the brake ({len(left)} people missing from the export)"]
