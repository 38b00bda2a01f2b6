"""Benchmark: open a survey cycle for 20,000 employees who depend on 5 departments each.

Loads the organisation of benchmarks/import_org.py (200 departments, 20,000 employees, 5 dependencies
and 5 parameters per department) into a throwaway test database (SQLite in memory by default,
PostgreSQL when DATABASE_URL is set), then prints:
  - opening the cycle: the charter snapshot and the 100,000 invitations (one INSERT … SELECT);
  - opening it again (a retried task): nothing created;
  - rendering and sending the 20,000 invitation emails (in-memory mail backend);
  - a baseline measured in the same run: the naive loop (Invitation.objects.get_or_create per
    employee and provider) on a sample, and how many times faster the real path is.

Run: make bench  (or DATABASE_URL=postgres://... .venv/bin/python benchmarks/open_cycle.py)
"""

from __future__ import annotations

import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.import_org import EMPLOYEES, generate, timed  # noqa: E402
from departments.models import Dependency, Employee  # noqa: E402
from departments.org_import import org_import  # noqa: E402
from survey_portal.celery import app  # noqa: E402
from surveys import notifications, services  # noqa: E402
from surveys.models import Cycle, Invitation  # noqa: E402

BASELINE_SAMPLE = 1_000


def new_cycle(name: str) -> Cycle:
    now = timezone.now()
    cycle = Cycle.objects.create(name=name, opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=14))
    cycle.departments.set(services.eligible_departments())
    return cycle


def naive_baseline(cycle: Cycle, count: int) -> str:
    """What a straightforward loop would do: get_or_create one invitation per employee and provider."""
    providers: dict[int, list[int]] = {}
    for consumer, provider in Dependency.objects.values_list("consumer_id", "provider_id"):
        providers.setdefault(consumer, []).append(provider)
    created = 0
    with transaction.atomic():
        for employee in Employee.objects.active().order_by("pk")[:count]:
            for provider in providers.get(employee.department_id, []):
                _, new = Invitation.objects.get_or_create(
                    cycle=cycle,
                    employee=employee,
                    department_id=provider,
                    defaults={"rater_department_id": employee.department_id},
                )
                created += new
    return f"{created:,} invitations"


def main() -> None:
    # Opening enqueues the invitation emails after commit; here they go to an in-memory broker and
    # are timed on their own below.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://localhost/"
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"Cycle opening benchmark on {connection.vendor}: {EMPLOYEES:,} employees, 5 providers each\n")
        org_import(**generate(random.Random(7)))
        cycle = new_cycle("Benchmark cycle")

        opening = timed(
            "open the cycle (snapshot + invitations)",
            lambda: f"{services.cycle_open(cycle_id=cycle.pk):,} invitations",
        )
        invitations = Invitation.objects.filter(cycle=cycle).count()
        timed(
            "open again / rerun the invitations (idempotent)",
            lambda: f"{services.invitations_create(cycle=cycle)} created",
        )
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            timed(
                "render and send the invitation emails (in-memory backend)",
                lambda: f"{notifications.invitations_send(cycle_id=cycle.pk):,} emails",
            )

        baseline_cycle = new_cycle("Baseline cycle")
        Cycle.objects.filter(pk=baseline_cycle.pk).update(status=Cycle.Status.OPEN)
        baseline = timed(
            f"baseline: naive get_or_create loop, {BASELINE_SAMPLE:,} employees",
            lambda: naive_baseline(baseline_cycle, BASELINE_SAMPLE),
        )
        baseline_rows = Invitation.objects.filter(cycle=baseline_cycle).count()
        per_row_naive = baseline / baseline_rows
        per_row_real = opening / invitations
        print()
        print(
            f"opening: {invitations / opening:,.0f} invitations/s; naive baseline: {1 / per_row_naive:,.0f} invitations/s"
        )
        print(f"speed-up over the naive baseline: {per_row_naive / per_row_real:.1f}x")
        print(f"naive baseline extrapolated to {invitations:,} invitations: {per_row_naive * invitations:.1f} s")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
