"""Benchmark: import 200 departments and 20,000 employees from CSV.

Generates the four files, imports them into a throwaway test database (SQLite in memory by default,
PostgreSQL when DATABASE_URL is set), and prints:
  - the first import (everything created), a re-import of the same files (nothing changes),
    and a re-import with 10% of the people moved and 1% gone (--deactivate-missing);
  - a baseline measured in the same run: the naive row-by-row ORM import (User.objects.create +
    Employee.objects.create per person) on a sample, and how many times faster the real import is.

Run: make bench  (or DATABASE_URL=postgres://... .venv/bin/python benchmarks/import_org.py)
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from departments.models import Department, Employee  # noqa: E402
from departments.org_import import CsvFile, org_import  # noqa: E402

DEPARTMENTS = 200
EMPLOYEES = 20_000
BASELINE_SAMPLE = 1_000


def generate(rng: random.Random, moved_share: float = 0.0, gone_share: float = 0.0) -> dict[str, CsvFile]:
    codes = [f"dept-{i:03d}" for i in range(DEPARTMENTS)]
    people = []
    for i in range(EMPLOYEES):
        if rng.random() < gone_share:
            continue
        department = codes[i % DEPARTMENTS]
        if rng.random() < moved_share:
            department = rng.choice(codes)
        people.append([f"person{i}@bench.example", f"First{i}", f"Last{i}", department, "Analyst"])
    heads = {row[3]: row[0] for row in people}
    departments = [[c, f"Department {c}", heads.get(c, ""), "no", f"Serves everyone ({c})."] for c in codes]
    dependencies = [[c, p] for i, c in enumerate(codes) for p in rng.sample(codes[:i] + codes[i + 1 :], 5)]
    parameters = [
        [c, f"p{j}", f"Parameter {j}", "4.00", "1", f"What you can expect, number {j}."]
        for c in codes
        for j in range(5)
    ]
    return {
        "departments": CsvFile.from_rows(
            "departments.csv", ["code", "name", "head_email", "front_line", "description"], departments
        ),
        "employees": CsvFile.from_rows(
            "employees.csv", ["email", "first_name", "last_name", "department_code", "job_title"], people
        ),
        "dependencies": CsvFile.from_rows("dependencies.csv", ["consumer_code", "provider_code"], dependencies),
        "parameters": CsvFile.from_rows(
            "parameters.csv", ["department_code", "code", "name", "target", "weight", "description"], parameters
        ),
    }


def timed(label: str, func) -> float:
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    print(f"{label:<58} {elapsed:8.2f} s   {result}")
    return elapsed


def naive_baseline(department: Department, count: int) -> str:
    """What a straightforward loop would do: create_user (no password) and an Employee, per person."""
    User = get_user_model()
    with transaction.atomic():
        for i in range(count):
            user = User.objects.create_user(f"naive{i}@bench.example", f"naive{i}@bench.example")
            Employee.objects.create(user=user, department=department, job_title="Analyst")
    return f"{count} employees"


def main() -> None:
    rng = random.Random(7)
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        vendor = connection.vendor
        print(f"Organisation import benchmark on {vendor}: {DEPARTMENTS} departments, {EMPLOYEES:,} employees\n")
        files = generate(rng)
        first = timed("first import (all created)", lambda: "; ".join(org_import(**files).lines()[:2]))
        timed("re-import, same files (all unchanged)", lambda: "; ".join(org_import(**files).lines()[:2]))
        changed = generate(random.Random(8), moved_share=0.10, gone_share=0.01)
        timed(
            "re-import, 10% moved, 1% gone (--deactivate-missing)",
            lambda: org_import(**changed, deactivate_missing=True).lines()[1],
        )
        baseline = timed(
            f"baseline: naive per-row ORM inserts, {BASELINE_SAMPLE:,} employees",
            lambda: naive_baseline(Department.objects.first(), BASELINE_SAMPLE),
        )
        per_row_naive = baseline / BASELINE_SAMPLE
        per_row_import = first / EMPLOYEES
        print()
        print(f"import: {EMPLOYEES / first:,.0f} employees/s; naive baseline: {1 / per_row_naive:,.0f} employees/s")
        print(f"speed-up over the naive baseline: {per_row_naive / per_row_import:.1f}x")
        print(f"naive baseline extrapolated to {EMPLOYEES:,} employees: {per_row_naive * EMPLOYEES:.1f} s")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
