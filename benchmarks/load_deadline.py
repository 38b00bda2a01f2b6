"""Load test: the last hour before a company-wide survey deadline, against gunicorn and PostgreSQL.

1. Builds a throwaway database `<name>_load` next to DATABASE_URL's (dropped at the end): the
   organisation of benchmarks/import_org.py (200 departments, 20,000 employees, 5 providers each),
   one past cycle with results (for the dashboards) and one open cycle with 100,000 invitations.
2. Creates sessions for the employees, heads and an HR admin (benchmarks/load_people.json).
3. Starts gunicorn on loopback (as bin/web does) and runs Locust headless for LOAD_SECONDS with
   LOAD_USERS simulated people (benchmarks/locustfile.py): employees open their list, open a
   survey, sometimes save a draft, submit; heads open scorecards; HR opens results and the live
   participation. Then it checks the database: one response per submitted invitation.
4. Prints throughput and p50/p95/p99 per request type, and the error count.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/survey_portal make load
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
USERS = int(os.environ.get("LOAD_USERS", "300"))
WORKERS = int(os.environ.get("LOAD_WEB_WORKERS", "4"))
PORT = int(os.environ.get("LOAD_PORT", "8077"))
SESSIONS = 12_000  # employees with a session: more than the test can get through

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("The load test runs against PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/x).")

main_url = urlparse(os.environ["DATABASE_URL"])
LOAD_DB = main_url.path.lstrip("/") + "_load"
LOAD_URL = urlunparse(main_url._replace(path="/" + LOAD_DB))
ENV = os.environ | {
    "DATABASE_URL": LOAD_URL,
    "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "load-test-only-secret-key",
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "false",  # loopback, no TLS proxy in front
    "ALLOWED_HOSTS": "127.0.0.1",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "REDIS_URL": "",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_portal.settings")


def recreate_database() -> None:
    import psycopg2

    admin = psycopg2.connect(urlunparse(main_url._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{LOAD_DB}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{LOAD_DB}"')
    admin.close()


def drop_database() -> None:
    import psycopg2

    admin = psycopg2.connect(urlunparse(main_url._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{LOAD_DB}" WITH (FORCE)')
    admin.close()


def prepare() -> dict:
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from benchmarks.import_org import generate
    from departments.csvfiles import CsvFile
    from departments.models import Department, Employee
    from departments.org_import import org_import
    from departments.services import HR_GROUP_NAME
    from scorecards.services import cycle_aggregate
    from surveys import services
    from surveys.models import Cycle, CycleParameter, Invitation
    from surveys.past_import import responses_import

    call_command("migrate", verbosity=0)
    org_import(**generate(random.Random(7)))
    rng = random.Random(11)

    # A past cycle with results, for the heads' scorecards and HR's dashboard.
    charters: dict[str, list[str]] = {}
    for code, parameter in Department.objects.values_list("code", "parameters__code"):
        charters.setdefault(code, []).append(parameter)
    providers: dict[str, list[str]] = {}
    for consumer, provider in Department.providers.through.objects.values_list("consumer__code", "provider__code"):
        providers.setdefault(consumer, []).append(provider)
    lines = ["response_id,rater_department,provider_department,parameter,score,comment_good,comment_improve"]
    for number, (department,) in enumerate(Employee.objects.values_list("department__code")[:6000]):
        for provider in providers.get(department, []):
            lines += [
                f"r{number}-{provider},{department},{provider},{p},{rng.randint(2, 5)},," for p in charters[provider]
            ]
    today = timezone.localdate()
    past = responses_import(
        file=CsvFile("past.csv", "\n".join(lines).encode()),
        name="Past cycle",
        opens=today - timedelta(days=100),
        closes=today - timedelta(days=86),
    ).cycle
    cycle_aggregate(cycle_id=past.pk)
    services.cycle_publish(cycle=past)

    now = timezone.now()
    cycle = Cycle.objects.create(
        name="Deadline cycle", opens_at=now - timedelta(days=13), closes_at=now + timedelta(hours=1)
    )
    cycle.providers.set(services.eligible_providers())
    services.cycle_open(cycle_id=cycle.pk)

    questions: dict[int, list[str]] = {}
    for department_id, code in CycleParameter.objects.filter(cycle=cycle).values_list("department_id", "code"):
        questions.setdefault(department_id, []).append(code)
    todo: dict[int, list] = {}
    for employee_id, provider_id, code in Invitation.objects.filter(cycle=cycle).values_list(
        "employee_id", "provider_id", "provider__code"
    ):
        todo.setdefault(employee_id, []).append([cycle.pk, code, questions[provider_id]])

    User = get_user_model()
    expires = now + timedelta(days=1)

    def session_for(user) -> str:
        key = get_random_string(32)
        data = SessionStore().encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        )
        sessions.append(Session(session_key=key, session_data=data, expire_date=expires))
        return key

    sessions: list = []
    employees = list(Employee.objects.filter(pk__in=list(todo)).select_related("user", "department")[:SESSIONS])
    rng.shuffle(employees)
    people = {
        "cycle": cycle.pk,
        "past_cycle": past.pk,
        "employees": [{"session": session_for(e.user), "invitations": todo[e.pk]} for e in employees],
        "heads": [
            {"session": session_for(d.head.user), "department": d.code}
            for d in Department.objects.filter(head__isnull=False).select_related("head__user")[:50]
        ],
    }
    hr = User.objects.create_user("hr@load.example", "hr@load.example")
    hr.groups.add(Group.objects.get(name=HR_GROUP_NAME))
    people["hr"] = {"session": session_for(hr)}
    Session.objects.bulk_create(sessions, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return people


def check(people: dict) -> dict:
    from django.db import connection

    from surveys.models import Invitation, PendingResponse, Response

    connection.close()
    completed = Invitation.objects.filter(cycle=people["cycle"], status="completed").count()
    stored = (
        PendingResponse.objects.filter(cycle=people["cycle"]).count()
        + Response.objects.filter(cycle=people["cycle"]).count()
    )
    return {"completed": completed, "stored": stored}


def main() -> None:
    print(f"Load test: {USERS} simulated people for {SECONDS} s, gunicorn x{WORKERS}, PostgreSQL database {LOAD_DB}\n")
    recreate_database()
    web = None
    try:
        start = time.perf_counter()
        people = prepare()
        print(
            f"{'prepare the organisation, a past cycle and the open cycle':<60} {time.perf_counter() - start:6.1f} s"
        )
        people_file = ROOT / "var" / "load_people.json"
        people_file.parent.mkdir(exist_ok=True)
        people_file.write_text(json.dumps(people))

        web = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [sys.executable, "-m", "gunicorn", "survey_portal.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
             "--workers", str(WORKERS), "--timeout", "60"],
            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        time.sleep(3)
        locust = ROOT / ".venv" / "load" / "bin" / "locust"
        report = ROOT / "var" / "load"
        subprocess.run(  # noqa: S603 - fixed arguments
            [str(locust), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless", "--host", f"http://127.0.0.1:{PORT}",
             "--users", str(USERS), "--spawn-rate", str(max(1, USERS // 10)), "--run-time", f"{SECONDS}s",
             "--stop-timeout", "10", "--csv", str(report), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env=ENV | {"LOAD_PEOPLE": str(people_file)}, check=False, timeout=SECONDS + 120,
        )  # fmt: skip
        outcome = check(people)
        print_report(report, outcome)
    finally:
        if web is not None:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(30)
        from django.db import connections

        connections.close_all()
        drop_database()


def print_report(report: Path, outcome: dict) -> None:
    with open(f"{report}_stats.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    print(f"\n{'request':<32} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all requests"
        print(
            f"{name:<32} {float(row['Requests/s']):8.1f} {row['50%']:>8} {row['95%']:>8} {row['99%']:>8}"
            f" {row['Failure Count']:>7}"
        )
    print(f"\nsubmitted invitations: {outcome['completed']:,}; responses stored: {outcome['stored']:,}")
    if outcome["completed"] != outcome["stored"]:
        print("MISMATCH: a submission without its response, or a response too many")


if __name__ == "__main__":
    main()
