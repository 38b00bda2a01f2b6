"""Benchmark: aggregate a cycle of 100,000 employees × 5 departments × 5 parameters (2.5 M ratings).

On PostgreSQL (DATABASE_URL), in a throwaway test database:
  - generates 200 departments with 5 parameters and 5 providers each, 100,000 employees (500 per
    department), their 500,000 invitations, 500,000 anonymous responses and 2.5 million answers,
    bulk-loaded with COPY;
  - times, in the same run, the single bare SQL GROUP BY over the answers table (the floor any
    aggregation has to pay) and the real aggregation (services.cycle_aggregate: three GROUP BY
    passes, statistics, suppression, upserts), each the median of three runs, and prints the ratio;
  - times the department head's scorecard page (Django test client, median of 30 requests) and,
    for information, HR's organisation page.

Without DATABASE_URL it runs on SQLite at a tenth of the size (10,000 employees).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/survey_portal make bench
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from departments.models import (  # noqa: E402
    HR_GROUP_NAME,
    Department,
    Dependency,
    Employee,
    ServiceParameter,
)
from scorecards.models import DepartmentScore, HeatmapCell, ParameterScore, Participation  # noqa: E402
from scorecards.services import cycle_aggregate  # noqa: E402
from surveys.models import Answer, Cycle, Invitation, Response  # noqa: E402
from surveys.services import cycle_snapshot  # noqa: E402

DEPARTMENTS = 200
PROVIDERS_EACH = 5
PARAMETERS_EACH = 5
PAGE_REQUESTS = 30


def median_time(func, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def copy_rows(model, columns: list[str], rows) -> None:
    """COPY on PostgreSQL; executemany on SQLite."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(r"\N" if v is None else str(v) for v in row) + "\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    else:
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [[v.hex if isinstance(v, uuid.UUID) else v for v in row] for row in rows],  # SQLite's UUIDs
            )


def generate(employees: int) -> tuple[Cycle, Department]:
    rng = random.Random(42)
    departments = Department.objects.bulk_create(
        Department(code=f"d{i:03d}", name=f"Department {i:03d}") for i in range(DEPARTMENTS)
    )
    ServiceParameter.objects.bulk_create(
        ServiceParameter(
            department=d, code=f"p{j}", name=f"Parameter {j}", description="What to expect.", target="4.00", position=j
        )
        for d in departments
        for j in range(PARAMETERS_EACH)
    )
    providers = {d.pk: rng.sample([p for p in departments if p.pk != d.pk], PROVIDERS_EACH) for d in departments}
    Dependency.objects.bulk_create(
        Dependency(consumer_id=c, provider=p) for c, provided in providers.items() for p in provided
    )
    now = timezone.now()
    cycle = Cycle.objects.create(
        name="Benchmark cycle", opens_at=now - timedelta(days=14), closes_at=now - timedelta(days=1)
    )
    cycle.departments.set(departments)
    cycle_snapshot(cycle=cycle)
    # Its scope and questions are fixed now; it is closed as the lifecycle would (the data is generated).
    for status in (Cycle.Status.OPEN, Cycle.Status.CLOSED):
        Cycle.objects.filter(pk=cycle.pk).update(status=status)
    cycle.refresh_from_db()
    questions = {(pk, code): q for pk, code, q in cycle.parameters.values_list("department_id", "code", "pk")}

    User = get_user_model()
    first_user = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    copy_rows(
        User,
        [
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        (
            (
                first_user + i,
                "!",
                False,
                f"e{i}@bench.example",
                "E",
                str(i),
                f"e{i}@bench.example",
                False,
                True,
                now.isoformat(),
            )
            for i in range(employees)
        ),
    )
    copy_rows(
        Employee,
        ["id", "user_id", "department_id", "job_title", "active"],
        ((i + 1, first_user + i, departments[i % DEPARTMENTS].pk, "Analyst", True) for i in range(employees)),
    )
    copy_rows(
        Invitation,
        ["cycle_id", "employee_id", "department_id", "rater_department_id", "status"],
        (
            (cycle.pk, i + 1, p.pk, departments[i % DEPARTMENTS].pk, "completed")
            for i in range(employees)
            for p in providers[departments[i % DEPARTMENTS].pk]
        ),
    )
    quality = {d.pk: rng.uniform(2.8, 4.4) for d in departments}
    responses, answers = [], []
    for i in range(employees):
        rater = departments[i % DEPARTMENTS].pk
        for provider in providers[rater]:
            response_id = uuid.uuid4()
            given = []
            for j in range(PARAMETERS_EACH):
                score = None if rng.random() < 0.05 else max(1, min(5, round(rng.gauss(quality[provider.pk], 0.9))))
                answers.append((uuid.uuid4(), response_id, cycle.pk, questions[provider.pk, f"p{j}"], score))
                if score is not None:
                    given.append(score)
            responses.append((response_id, cycle.pk, provider.pk, rater, "", "", len(given), sum(given)))
    copy_rows(
        Response,
        [
            "id",
            "cycle_id",
            "department_id",
            "rater_department_id",
            "comment_good",
            "comment_improve",
            "rated_count",
            "score_sum",
        ],
        responses,
    )
    copy_rows(Answer, ["id", "response_id", "cycle_id", "parameter_id", "score"], answers)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY with explicit ids leaves the sequences behind
            for statement in connection.ops.sequence_reset_sql(no_style(), [User, Employee]):
                cursor.execute(statement)
        # What autovacuum does after a bulk load: statistics, and the visibility map that lets the
        # aggregation's covering indexes be read without visiting the table.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return cycle, departments[0]


def bare_group_by() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT parameter_id, COUNT(score), AVG(score) FROM {Answer._meta.db_table} GROUP BY parameter_id"
        )
        cursor.fetchall()


def page_median_ms(client: Client, url: str) -> float:
    client.get(url)  # warm
    times = []
    for _ in range(PAGE_REQUESTS):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return 1000 * statistics.median(times)


def main() -> None:
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        employees = 100_000 if connection.vendor == "postgresql" else 10_000
        print(
            f"Aggregation benchmark on {connection.vendor}: {employees:,} employees × {PROVIDERS_EACH} departments"
            f" × {PARAMETERS_EACH} parameters = {employees * PROVIDERS_EACH * PARAMETERS_EACH:,} ratings\n"
        )
        start = time.perf_counter()
        cycle, department = generate(employees)
        print(f"{'generate and bulk-load the data':<52} {time.perf_counter() - start:8.2f} s")
        print(
            f"{'answers / responses / invitations':<52} {Answer.objects.count():,} / "
            f"{Response.objects.count():,} / {Invitation.objects.count():,}"
        )

        bare_group_by()  # warm the cache for both
        bare = median_time(bare_group_by)

        def from_scratch() -> None:
            for model in (ParameterScore, DepartmentScore, HeatmapCell, Participation):
                model.objects.filter(cycle=cycle).delete()
            start = time.perf_counter()
            cycle_aggregate(cycle_id=cycle.pk)
            return time.perf_counter() - start

        first = statistics.median(from_scratch() for _ in range(3))
        again = median_time(lambda: cycle_aggregate(cycle_id=cycle.pk))
        print(f"{'bare SQL GROUP BY parameter over the answers':<52} {bare:8.3f} s   (median of 3)")
        print(f"{'cycle_aggregate, every figure written (first run)':<52} {first:8.3f} s   (median of 3)")
        print(f"{'cycle_aggregate again, nothing changed (a retry)':<52} {again:8.3f} s   (median of 3)")
        print(f"{'ratio first run / bare GROUP BY':<52} {first / bare:8.2f}x   (goal: within 2x)")
        print(f"{'ratio rerun / bare GROUP BY':<52} {again / bare:8.2f}x")

        User = get_user_model()
        head = Employee.objects.select_related("user").filter(department=department).first()
        department.head = head
        department.save(update_fields=["head"])
        hr = User.objects.create_user("hr@bench.example", "hr@bench.example")
        hr.groups.add(Group.objects.get(name=HR_GROUP_NAME))

        client = Client(headers={"X-Forwarded-Proto": "https"})
        client.force_login(head.user)
        scorecard = page_median_ms(client, f"/scorecards/{department.code}/")
        print(f"{'head scorecard page, median of 30':<52} {scorecard:8.1f} ms  (goal: under 100 ms)")
        client.force_login(hr)
        organisation = page_median_ms(client, "/hr/results/")
        print(f"{'HR results page (200 departments), median of 30':<52} {organisation:8.1f} ms")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
