"""Benchmark: the value chain map at 200 departments and 2,000 dependencies.

In a throwaway test database (PostgreSQL with DATABASE_URL, else SQLite):
  - generates 200 departments (one in five front line) and 2,000 dependencies (mostly from the back
    office towards the front line, with some cycles), and one published cycle's stored figures: an
    index per department and a heatmap cell per dependency, about one in five suppressed;
  - times, side by side in the same run, each the median of 30:
      * the map's data (scorecards.value_chain.chain_map: one UNION ALL query) against a naive ORM
        version (a query per department for its score, and per dependency for its cell);
      * the JSON view end to end (Django test client, HR signed in) against the floor of any request
        (/healthz: the middleware and a SELECT 1);
      * whom each of the 200 departments ultimately serves (one read of the dependencies, then a
        breadth-first search per department) against a naive search that asks the database for
        each visited department's consumers;
  - prints a table with the ratios.

Run: make bench, or DATABASE_URL=postgres://postgres@127.0.0.1:5432/survey_portal make bench
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections import deque
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from departments.chain import chain_graph, reach_in  # noqa: E402
from departments.models import HR_GROUP_NAME, Department, Dependency, Employee  # noqa: E402
from scorecards.models import CycleResult, DepartmentScore, HeatmapCell  # noqa: E402
from scorecards.value_chain import chain_map  # noqa: E402
from surveys.models import Cycle  # noqa: E402

DEPARTMENTS = 200
DEPENDENCIES = 2_000
RUNS = 30


def median_ms(func, runs: int = RUNS) -> float:
    func()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def generate() -> Cycle:
    rng = random.Random(15)
    departments = Department.objects.bulk_create(
        Department(code=f"d{i:03}", name=f"Department {i:03}", front_line=i >= DEPARTMENTS * 4 // 5)
        for i in range(DEPARTMENTS)
    )
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < DEPENDENCIES:
        a, b = rng.sample(range(DEPARTMENTS), 2)
        # Mostly towards the front line (higher numbers); one in ten the other way, making cycles.
        provider, consumer = (a, b) if (a < b) != (rng.random() < 0.1) else (b, a)
        pairs.add((provider, consumer))
    Dependency.objects.bulk_create(
        Dependency(provider=departments[p], consumer=departments[c]) for p, c in sorted(pairs)
    )
    now = timezone.now()
    cycle = Cycle.objects.create(
        name="Benchmark cycle",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=16),
        status=Cycle.Status.PUBLISHED,
        published_at=now - timedelta(days=10),
    )
    CycleResult.objects.create(cycle=cycle, computed_at=now - timedelta(days=15), responses=10_000)

    def figure(suppressed: bool) -> dict:
        return {"n": rng.randint(1, 4) if suppressed else rng.randint(5, 60), "suppressed": suppressed}

    scores = []
    for department in departments:
        f = figure(rng.random() < 0.2)
        mean = None if f["suppressed"] else round(rng.uniform(2.5, 4.8), 4)
        scores.append(DepartmentScore(cycle=cycle, department=department, mean=mean, target="4.00", **f))
    DepartmentScore.objects.bulk_create(scores)
    cells = []
    for provider, consumer in pairs:
        f = figure(rng.random() < 0.2)
        mean = None if f["suppressed"] else round(rng.uniform(2.0, 5.0), 4)
        cells.append(
            HeatmapCell(
                cycle=cycle,
                department=departments[provider],
                rater_department=departments[consumer],
                mean=mean,
                **f,
            )
        )
    HeatmapCell.objects.bulk_create(cells)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return cycle


def naive_map(cycle: Cycle) -> int:
    """The map as a first draft would read it: the departments, then a query per department for its
    score and per dependency for its cell."""
    shown = 0
    for department in Department.objects.filter(active=True):
        score = DepartmentScore.objects.filter(cycle=cycle, department=department).first()
        shown += score is not None and not score.suppressed
    for dependency in Dependency.objects.filter(provider__active=True, consumer__active=True):
        cell = HeatmapCell.objects.filter(
            cycle=cycle, department_id=dependency.provider_id, rater_department_id=dependency.consumer_id
        ).first()
        shown += cell is not None and not cell.suppressed
    return shown


def naive_reach(department: Department) -> int:
    """Breadth-first, asking the database for each visited department's active consumers."""
    seen = {department.pk}
    queue = deque([department.pk])
    reached = 0
    while queue:
        current = queue.popleft()
        for pk, front_line in Department.objects.filter(consumer_links__provider_id=current, active=True).values_list(
            "pk", "front_line"
        ):
            if pk not in seen:
                seen.add(pk)
                reached += front_line
                queue.append(pk)
    return reached


def main() -> None:
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        print(
            f"Value chain benchmark on {connection.vendor}: {DEPARTMENTS} departments, {DEPENDENCIES:,} dependencies\n"
        )
        start = time.perf_counter()
        cycle = generate()
        print(f"{'generate the organisation and the stored figures':<58} {time.perf_counter() - start:8.2f} s\n")

        user = get_user_model().objects.create_user("hr@bench.example", "hr@bench.example")
        user.groups.add(Group.objects.get(name=HR_GROUP_NAME))
        Employee.objects.create(user=user, department=Department.objects.first())
        client = Client(headers={"X-Forwarded-Proto": "https"})
        client.force_login(user)
        data_url = f"/value-chain/data.json?cycle={cycle.pk}"
        assert len(client.get(data_url).json()["edges"]) == DEPENDENCIES

        departments = list(Department.objects.all())

        def reach_all() -> None:
            graph = chain_graph()
            for department in departments:
                reach_in(graph, department.pk)

        def naive_reach_all() -> None:
            for department in departments:
                naive_reach(department)

        naive_sample = departments[:20]  # the naive search is slow: timed on 20 departments, scaled to 200

        def naive_reach_sample() -> None:
            for department in naive_sample:
                naive_reach(department)

        rows = [
            (
                "map data: chain_map (one query)",
                median_ms(lambda: chain_map(cycle)),
                "naive ORM (a query per department and per dependency)",
                median_ms(lambda: naive_map(cycle), runs=3),
            ),
            (
                "JSON view end to end, HR",
                median_ms(lambda: client.get(data_url)),
                "floor: /healthz end to end (SELECT 1)",
                median_ms(lambda: client.get("/healthz")),
            ),
            (
                "reach of all 200 departments (one query + BFS)",
                median_ms(reach_all),
                "naive BFS, a query per visited department (×10 of 20)",
                10 * median_ms(naive_reach_sample, runs=3),
            ),
        ]
        print(f"{'measured (median ms)':<50} {'ms':>9}   {'baseline':<56} {'ms':>9} {'measured/baseline':>18}")
        for name, ms, base_name, base_ms in rows:
            print(f"{name:<50} {ms:9.1f}   {base_name:<56} {base_ms:9.1f} {ms / base_ms:17.3g}x")
        payload = len(client.get(data_url).content)
        print(f"\n{'JSON payload':<50} {payload / 1024:9.1f} KiB")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
