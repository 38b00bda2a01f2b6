"""Load test: the last hour before a company-wide survey deadline, against gunicorn and PostgreSQL.

1. Builds a throwaway database `<name>_load` next to DATABASE_URL's (dropped at the end): the
   organisation of benchmarks/import_org.py (200 departments, 20,000 employees, 5 providers each),
   one past cycle with results (for the dashboards) and one open cycle with 100,000 invitations,
   and sessions for 12,000 employees, 50 heads and an HR admin.
2. Starts gunicorn on loopback with gunicorn.conf.py, as bin/web does (request logging on).
3. Baseline, in the same run: wrk on /healthz with a signed-in session (the floor of any page: the
   session and user lookups) for LOAD_BASELINE_SECONDS.
4. Warm-up for LOAD_WARMUP_SECONDS (the same load, and each dashboard asked for on new connections
   until every worker has almost surely rendered it), then the measured run for LOAD_SECONDS, with two wrk processes
   at once: LOAD_PEOPLE employees (benchmarks/deadline.lua: My surveys, the survey page, a draft
   saved before one submission in LOAD_DRAFT_SHARE, every department submitted; LOAD_THINK_MS
   between requests) and heads and HR on their dashboards (benchmarks/dashboards.lua).
5. Prints throughput, p50/p95/p99 and errors per request type, checks the goals, and checks the
   database: one stored response per submitted invitation. Exits 1 if a request failed or a
   submission was not stored exactly once (the speed goals are reported, not enforced: they depend
   on the machine).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/survey_portal make load   (needs wrk)
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
WARMUP = int(os.environ.get("LOAD_WARMUP_SECONDS", "45"))
BASELINE = int(os.environ.get("LOAD_BASELINE_SECONDS", "5"))
PEOPLE = int(os.environ.get("LOAD_PEOPLE", "80"))
THINK_MS = int(os.environ.get("LOAD_THINK_MS", "150"))
DRAFT_SHARE = float(os.environ.get("LOAD_DRAFT_SHARE", "0.25"))
HEADS, HR_ADMINS = int(os.environ.get("LOAD_HEADS", "8")), int(os.environ.get("LOAD_HR", "3"))
DASHBOARD_THINK_MS = int(os.environ.get("LOAD_DASHBOARD_THINK_MS", "1500"))
WORKERS = int(os.environ.get("WEB_CONCURRENCY") or min(os.cpu_count() or 2, 8))  # as gunicorn.conf.py
PORT = int(os.environ.get("LOAD_PORT", "8077"))
SESSIONS = 12_000  # employees with a session: more than one run gets through

GOALS = {"submissions per second": 200, "submit p95 ms": 300, "dashboard p95 ms": 200}

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("The load test runs against PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/x).")
WRK = shutil.which("wrk")
if not WRK:
    sys.exit("The load test needs wrk (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk).")

main_url = urlparse(os.environ["DATABASE_URL"])
LOAD_DB = main_url.path.lstrip("/") + "_load"
LOAD_URL = urlunparse(main_url._replace(path="/" + LOAD_DB))
VAR = ROOT / "var"
ENV = os.environ | {
    "DATABASE_URL": LOAD_URL,
    "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "load-test-only-secret-key",
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "false",  # loopback, no TLS proxy in front
    "ALLOWED_HOSTS": "127.0.0.1",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "REDIS_URL": "",
    "LOG_LEVEL": "INFO",  # one JSON line per request, as in production (to var/load-web.log)
}
os.environ.update(ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survey_portal.settings")


def admin_sql(*statements: str) -> None:
    import psycopg2

    admin = psycopg2.connect(urlunparse(main_url._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    admin.close()


def prepare() -> tuple[list[str], list[str]]:
    """Build the database; return the people files' lines (employees, dashboards)."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from benchmarks.import_org import generate
    from departments.models import HR_GROUP_NAME, Department, Employee
    from departments.org_import import org_import
    from scorecards.services import cycle_aggregate
    from survey_portal.csvfiles import CsvFile
    from survey_portal.middleware import LOGIN_AT, SEEN_AT
    from surveys import services
    from surveys.models import Cycle, CycleParameter, Invitation
    from surveys.past_import import responses_import

    call_command("migrate", verbosity=0)
    org_import(**generate(random.Random(7)))
    rng = random.Random(11)

    # A past cycle with results, for the heads' scorecards and HR's results page.
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
    cycle.departments.set(services.eligible_departments())
    services.cycle_open(cycle_id=cycle.pk)

    questions: dict[int, list[str]] = {}
    for department_id, code in CycleParameter.objects.filter(cycle=cycle).values_list("department_id", "code"):
        questions.setdefault(department_id, []).append(code)
    todo: dict[int, list[str]] = {}
    for employee_id, department_id, code in Invitation.objects.filter(cycle=cycle).values_list(
        "employee_id", "department_id", "department__code"
    ):
        todo.setdefault(employee_id, []).append(f"{code}={','.join(questions[department_id])}")

    sessions: list = []

    def session_for(user) -> str:
        """A session as signing in leaves it, some minutes ago."""
        key = get_random_string(32)
        signed_in = int(time.time()) - rng.randint(60, 1800)
        data = SessionStore().encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "accounts.backends.PortalBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
                LOGIN_AT: signed_in,
                SEEN_AT: signed_in,
            }
        )
        sessions.append(Session(session_key=key, session_data=data, expire_date=now + timedelta(days=1)))
        return key

    employees = list(Employee.objects.filter(pk__in=list(todo)).select_related("user")[:SESSIONS])
    rng.shuffle(employees)
    employee_lines = [f"{session_for(e.user)} {cycle.pk} {';'.join(todo[e.pk])}" for e in employees]
    User = get_user_model()
    hr = User.objects.create_user("hr@load.example", "hr@load.example")
    hr.groups.add(Group.objects.get(name=HR_GROUP_NAME))
    dashboard_lines = [f"hr {session_for(hr)} {cycle.pk} {past.pk}"] + [
        f"head {session_for(d.head.user)} {d.code}"
        for d in Department.objects.filter(head__isnull=False).select_related("head__user")[:50]
    ]
    Session.objects.bulk_create(sessions, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return employee_lines, dashboard_lines


def wrk(script: str, seconds: int, connections: int, *args) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [WRK, "-t", str(connections), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(ROOT / "benchmarks" / script), f"http://127.0.0.1:{PORT}", "--", *map(str, args)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def results(process: subprocess.Popen) -> tuple[float, int, dict[str, dict]]:
    """(seconds, socket errors, {request type: figures}) from a wrk run of our scripts."""
    output, _ = process.communicate(timeout=600)
    seconds, socket_errors, rows = 0.0, 0, {}
    for line in output.splitlines():
        fields = line.split("\t")
        if fields[0] == "LOADRUN":
            seconds, socket_errors = int(fields[1]) / 1e6, int(fields[2])
        elif fields[0] == "LOAD":
            count, errors = int(fields[2]), int(fields[3])
            rows[fields[1]] = {"count": count, "errors": errors, "p50": float(fields[4]), "p95": float(fields[5])}
            rows[fields[1]]["p99"] = float(fields[6])
    if not rows:
        sys.exit(f"wrk printed no results:\n{output}")
    return seconds, socket_errors, rows


def baseline(session: str) -> float:
    """Requests per second on /healthz as a signed-in employee: the floor of every page."""
    script = VAR / "load_baseline.lua"
    script.write_text(f'wrk.headers["Cookie"] = "sessionid={session}"\nwrk.path = "/healthz"\n')
    output = subprocess.run(  # noqa: S603 - fixed arguments
        [WRK, "-t", "2", "-c", "8", "-d", f"{BASELINE}s", "-s", str(script), f"http://127.0.0.1:{PORT}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return float(next(line.split()[1] for line in output.splitlines() if line.startswith("Requests/sec")))


def warm_every_worker(dashboard_lines: list[str], failures: list[str]) -> threading.Thread:
    """Each gunicorn worker keeps its own renderings, and wrk keeps its connections open, so one
    worker could serve a dashboard all through the warm-up and another all through the measured
    run. Here every results page and the measured heads' scorecards are asked for 6 × WORKERS
    times, each time on a new connection, which any worker may accept: each worker has then almost
    surely rendered each of them (it misses one with odds below 1 in 500), as after its first
    minutes in production. A failed request is added to `failures`."""
    hr = next(line.split() for line in dashboard_lines if line.startswith("hr "))
    heads = [line.split() for line in dashboard_lines if line.startswith("head ")][:HEADS]
    pages = [(hr[1], f"/hr/results/?cycle={hr[3]}&cols={page}") for page in range(1, 9)]  # as dashboards.lua
    pages += [(session, f"/scorecards/{code}/") for _, session, code in heads]

    def ask() -> None:
        for _ in range(6 * WORKERS):
            for session, path in pages:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{PORT}{path}", headers={"Cookie": f"sessionid={session}"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server
                        response.read()
                except OSError as error:  # HTTPError (any status but 2xx), timeouts, refused connections
                    failures.append(f"{path}: {error}")

    thread = threading.Thread(target=ask)
    thread.start()
    return thread


def stop(web: subprocess.Popen) -> None:
    os.killpg(web.pid, signal.SIGTERM)  # gunicorn finishes the requests in progress, then exits
    web.wait(30)


def check_database(cycle_id: int) -> dict[str, int]:
    from django.db import connection
    from django.db.models import Count, Max, Sum

    from surveys.models import Invitation, Response

    connection.close()
    completed = Invitation.objects.filter(cycle=cycle_id, status="completed").count()
    # Answers wait until their (department rated, rating department) pair can hide each author.
    pairs = (
        Invitation.objects.filter(cycle=cycle_id, answers_sealed__isnull=False)
        .values("department", "rater_department")
        .annotate(n=Count("pk"))
        .order_by()
    )
    waiting = pairs.aggregate(waiting=Sum("n"))["waiting"] or 0
    return {
        "completed": completed,
        "stored": waiting + Response.objects.filter(cycle=cycle_id).count(),
        "waiting": waiting,
        "most waiting in one pair": pairs.aggregate(most=Max("n"))["most"] or 0,
    }


def main() -> None:
    print(
        f"Load test: {PEOPLE} employees (think {THINK_MS} ms, a draft before {DRAFT_SHARE:.0%} of submissions), "
        f"{HEADS} heads and {HR_ADMINS} HR admins, for {SECONDS} s after a {WARMUP} s warm-up; "
        f"gunicorn {WORKERS} workers x {os.environ.get('WEB_THREADS', '4')} threads (gunicorn.conf.py); PostgreSQL database {LOAD_DB}\n"
    )
    admin_sql(f'DROP DATABASE IF EXISTS "{LOAD_DB}" WITH (FORCE)', f'CREATE DATABASE "{LOAD_DB}"')
    web = None
    try:
        start = time.perf_counter()
        employee_lines, dashboard_lines = prepare()
        print(
            f"{'prepare the organisation, a past cycle and the open cycle':<60} {time.perf_counter() - start:6.1f} s"
        )
        VAR.mkdir(exist_ok=True)
        employees_file, dashboards_file = VAR / "load_employees.txt", VAR / "load_dashboards.txt"
        employees_file.write_text("\n".join(employee_lines) + "\n")
        dashboards_file.write_text("\n".join(dashboard_lines) + "\n")
        cycle_id = int(employee_lines[0].split()[1])

        log = open(VAR / "load-web.log", "w")  # noqa: SIM115 - closed with the server
        web = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [sys.executable, "-m", "gunicorn", "survey_portal.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
             "--workers", str(WORKERS), "--timeout", "60"],
            cwd=ROOT, env=ENV, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        time.sleep(3)

        floor = baseline(employee_lines[-1].split()[0])
        print(f"{'baseline: /healthz as a signed-in employee':<60} {floor:6.0f} req/s\n")
        # Warm-up, as after a deploy: each worker renders each survey's questions and each results
        # page once, then keeps them (they change only when results are recomputed).
        warm = wrk("dashboards.lua", WARMUP, HEADS + HR_ADMINS, dashboards_file, DASHBOARD_THINK_MS // 4, HR_ADMINS)
        failures: list[str] = []
        every_worker = warm_every_worker(dashboard_lines, failures)
        for _, warm_errors, warm_rows in (
            results(wrk("deadline.lua", WARMUP, PEOPLE, employees_file, THINK_MS, DRAFT_SHARE, 0, 2, PEOPLE)),
            results(warm),
        ):
            failures += [
                f"warm-up: {kind}: {row['errors']} failed" for kind, row in warm_rows.items() if row["errors"]
            ]
            failures += [f"warm-up: {warm_errors} socket errors"] if warm_errors else []
        every_worker.join(timeout=300)
        if every_worker.is_alive() or failures:
            sys.exit("FAILED during the warm-up:\n  " + "\n  ".join(failures or ["the dashboards did not answer"]))
        employees = wrk("deadline.lua", SECONDS, PEOPLE, employees_file, THINK_MS, DRAFT_SHARE, 1, 2, PEOPLE)
        dashboards = wrk("dashboards.lua", SECONDS, HEADS + HR_ADMINS, dashboards_file, DASHBOARD_THINK_MS, HR_ADMINS)
        seconds, socket_errors, rows = results(employees)
        _, dashboard_errors, dashboard_rows = results(dashboards)
        stop(web)  # the requests still in progress when wrk stopped finish before the database is counted
        web = None
        report(seconds, rows, dashboard_rows, socket_errors + dashboard_errors, floor, check_database(cycle_id))
    finally:
        if web is not None:
            stop(web)
        from django.db import connections

        connections.close_all()
        admin_sql(f'DROP DATABASE IF EXISTS "{LOAD_DB}" WITH (FORCE)')


def report(seconds: float, rows: dict, dashboards: dict, socket_errors: int, floor: float, db: dict) -> None:
    every = rows | dashboards
    print(f"{'request':<34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name in sorted(every, key=lambda n: (not n.startswith("employee"), n)):
        row = every[name]
        print(
            f"{name:<34} {row['count'] / seconds:8.1f} {row['p50']:8.0f} {row['p95']:8.0f} {row['p99']:8.0f}"
            f" {row['errors']:7d}"
        )
    total = sum(row["count"] for row in every.values())
    errors = sum(row["errors"] for row in every.values()) + socket_errors
    print(
        f"{'all requests':<34} {total / seconds:8.1f} {'':>8} {'':>8} {'':>8} {errors:7d}   (socket errors: {socket_errors})"
    )

    submit = rows.get("employee: submit", {"count": 0, "p95": float("inf")})
    rate = submit["count"] / seconds
    dashboard_p95 = max((row["p95"] for row in dashboards.values()), default=float("inf"))
    print(f"\nsubmissions: {rate:.1f}/s, {rate / floor:.2f} of the /healthz baseline ({floor:.0f} req/s)")
    checks = [
        (f"at least {GOALS['submissions per second']} submissions per second", rate >= GOALS["submissions per second"]),
        (f"submit p95 under {GOALS['submit p95 ms']} ms", submit["p95"] < GOALS["submit p95 ms"]),
        (f"dashboards p95 under {GOALS['dashboard p95 ms']} ms", dashboard_p95 < GOALS["dashboard p95 ms"]),
        ("zero errors", errors == 0),
        (f"every submission stored once ({db['completed']:,} submitted, {db['stored']:,} stored)",
         db["completed"] == db["stored"]),
    ]  # fmt: skip
    for text, ok in checks:
        print(f"  {'met' if ok else 'NOT MET':>8}: {text}")
    print(
        f"waiting to be released at the end: {db['waiting']:,} responses, at most "
        f"{db['most waiting in one pair']} in one pair (released once 4k wait, k kept back; all at closing)"
    )
    # Speed depends on the machine; a failed request or a lost or doubled answer never may.
    if errors or db["completed"] != db["stored"]:
        sys.exit("FAILED: requests failed or submissions were not stored exactly once")


if __name__ == "__main__":
    main()
