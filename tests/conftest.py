"""Shared fixtures: a small organisation with the people of every role (healthchecks' alice/bob/charlie)."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from departments.models import Delegate, Department, Employee
from improvements.services import action_create
from surveys.models import Cycle, Invitation
from tests import processes
from tests.factories import (
    DepartmentFactory,
    DependencyFactory,
    EmployeeFactory,
    Generated,
    ServiceParameterFactory,
    generate,
    make_cycle,
    make_demo,
    make_hr,
    make_org,
)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_caches():
    """Pages cache renderings in process memory under ids: a test must never see an earlier test's."""
    from django.core.cache import cache

    from surveys.models import _snapshots

    cache.clear()
    _snapshots.clear()
    yield
    cache.clear()
    _snapshots.clear()


@pytest.fixture(autouse=True)
def _english_to_start_with():
    """A request in German leaves German active in the test's thread; rows then made with name=...
    would get only German texts (modeltranslation writes the active language's column). Each test
    starts in English, as a request without a language preference does."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def client():
    """The test client, behind the TLS-terminating proxy that production runs behind.

    Tests run with the production security settings (HTTPS redirect, secure cookies); the proxy
    header makes every request arrive "over HTTPS", as it would in production.
    """
    from django.test import Client

    return Client(headers={"X-Forwarded-Proto": "https"})


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run in-process, even when REDIS_URL is set, except in tests marked `celery_worker`.

    Those drive a real worker process through Redis; every other test checks a service's behaviour
    and must not leave messages in a broker that nobody consumes.
    """
    from survey_portal.celery import app

    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@dataclass
class Org:
    it: Department
    sales: Department
    hr_dept: Department
    head: Employee  # head of IT
    colleague: Employee  # works in IT, not head
    outsider: Employee  # works in Sales
    outsider_head: Employee  # head of Sales
    hr: Employee  # HR admin (works in HR)


@pytest.fixture
def org(db) -> Org:
    it = DepartmentFactory(code="it", name="IT", description="Laptops, networks and the service desk.")
    sales = DepartmentFactory(code="sales", name="Sales", front_line=True)
    hr_dept = DepartmentFactory(code="hr", name="Human Resources")
    for position, name in enumerate(["Responsiveness", "Quality of work"], start=1):
        ServiceParameterFactory(department=it, code=name.split()[0].lower(), name=name, position=position)
    ServiceParameterFactory(department=sales, code="responsiveness", name="Responsiveness")
    DependencyFactory(consumer=sales, provider=it)
    DependencyFactory(consumer=hr_dept, provider=it)
    head = EmployeeFactory(department=it, user__email="head@example.com", job_title="CIO")
    it.head = head
    it.save()
    outsider_head = EmployeeFactory(department=sales, user__email="sales.head@example.com")
    sales.head = outsider_head
    sales.save()
    return Org(
        it=it,
        sales=sales,
        hr_dept=hr_dept,
        head=head,
        colleague=EmployeeFactory(department=it, user__email="colleague@example.com"),
        outsider=EmployeeFactory(department=sales, user__email="outsider@example.com"),
        outsider_head=outsider_head,
        hr=make_hr(EmployeeFactory(department=hr_dept, user__email="hr@example.com")),
    )


@pytest.fixture
def login(client):
    """login(employee) signs the test client in as that person."""

    def _login(employee: Employee):
        client.force_login(employee.user)  # signing in itself is tested in tests/accounts
        return client

    return _login


@pytest.fixture
def database_rows(db):
    """database_rows() is every row of every table and the emails sent: equal before and after a
    request that wrote nothing. Sessions (signing in, messages) and the login throttle's records
    are left out: a refused request may keep a message there, and that is their purpose."""
    from django.apps import apps
    from django.core import mail

    def _rows() -> dict[str, list]:
        rows: dict[str, list] = {
            model._meta.label: list(model._base_manager.order_by("pk").values())
            for model in apps.get_models()
            if model._meta.app_label not in ("sessions", "axes")
        }
        return rows | {"emails sent": [(message.subject, message.to) for message in mail.outbox]}

    return _rows


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may skip: a skipped test there means a missing piece of the CI machine."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CI") and reporter and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1
        reporter.write_line("CI: tests were skipped; every test must run in CI", red=True)


# --- cycles (tests/surveys, tests/ops) ----------------------------------------------------------


@pytest.fixture
def open_cycle(org) -> Cycle:
    """Open: Sales (outsider, outsider_head) and HR (hr) rate IT; IT rates nobody; nobody rates Sales."""
    return make_cycle(org, status="open")


@pytest.fixture
def invitation(org, open_cycle) -> Invitation:
    """The outsider's (Sales) invitation to rate IT."""
    return Invitation.objects.select_related("cycle", "department").get(cycle=open_cycle, employee=org.outsider)


# --- generated results (tests/scorecards, tests/ops) ---------------------------------------------


@pytest.fixture
def departments(db) -> dict[str, Department]:
    return make_org()


@pytest.fixture
def generated(departments) -> Generated:
    return generate("Q1 2026", seed=1)


@pytest.fixture
def as_(client):
    """The test client signed in as an employee (None: signed out)."""

    def _as(employee):
        client.logout()
        if employee is not None:
            client.force_login(employee.user)
        return client

    return _as


@pytest.fixture
def people(departments):
    """IT's head, an IT colleague, Finance's head and a Sales employee."""
    it, fin = departments["it"], departments["fin"]
    head = EmployeeFactory(department=it, user__email="it.head@example.com")
    it.head = head
    it.save()
    fin_head = EmployeeFactory(department=fin, user__email="fin.head@example.com")
    fin.head = fin_head
    fin.save()
    return {
        "head": head,
        "colleague": EmployeeFactory(department=it, user__email="it.colleague@example.com"),
        "other_head": fin_head,
        "employee": EmployeeFactory(department=departments["sales"], user__email="sales@example.com"),
        "hr": make_hr(EmployeeFactory(department=departments["hr"], user__email="hr@example.com")),
    }


# --- the anonymity attacks (tests/anonymity) ---------------------------------------------------


@pytest.fixture
def postgresql(transactional_db):
    """The attacks read PostgreSQL's own bookkeeping; they fail in CI rather than skip."""
    if connection.vendor != "postgresql":
        message = "the anonymity attacks need PostgreSQL: set DATABASE_URL"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


# --- action plans (tests/improvements, tests/scorecards, tests/portal) ---------------------------


@pytest.fixture
def delegate(org):
    """Works in IT; the head named them a delegate."""
    employee = EmployeeFactory(department=org.it, user__email="delegate@example.com")
    Delegate.objects.create(department=org.it, employee=employee)
    return employee


@pytest.fixture
def make_action(org):
    """make_action(**fields): an action item of IT, planned, owned by the colleague, due in 30 days."""

    def _make(**fields):
        values = {
            "department": org.it,
            "author": org.head,
            "title": "Answer every ticket within a day",
            "change": "Tickets are answered within a working day.",
            "parameters": [org.it.parameters.get(code="responsiveness")],
            "owners": [org.colleague],
            "due_on": timezone.localdate() + timedelta(days=30),
        }
        return action_create(**values | fields)

    return _make


# --- a real Celery worker (tests/integration) --------------------------------------------------
# Tests using it send tasks through the broker to this worker; they need REDIS_URL (skipped, saying
# so, without it; CI sets it) and committed data (transactional tests).


@pytest.fixture
def celery_worker(request, transactional_db):
    if not os.environ.get("REDIS_URL"):
        message = "needs REDIS_URL: a real Celery worker talks to Redis"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must set it")
        pytest.skip(message)
    from survey_portal.celery import app

    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    worker = processes.Worker(queue)
    worker.start()
    yield worker
    worker.stop()
    app.conf.task_default_queue = saved


# --- the browser (tests/e2e): Playwright for Python driving Debian's chromium against pytest-django's live server


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: browser tests must run in CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test itself
    # (creating data) are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, speaking plain HTTP on localhost with no proxy in front.

    Production's HTTPS redirect and secure cookies are switched off before the server builds its
    middleware (Django's SecurityMiddleware reads them once, at start).
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    plain_http = override_settings(SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False)
    plain_http.enable()
    server = LiveServer(request.config.getvalue("liveserver") or "localhost")
    yield server
    server.stop()
    plain_http.disable()


def _page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser, live_server, transactional_db):
    context, page = _page(browser, live_server)
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db, tmp_path) -> dict[str, str]:
    """The demo organisation and its survey history, committed for the live server: logins by role."""
    return make_demo(tmp_path)


@pytest.fixture
def page_without_script(browser, live_server, transactional_db):
    """A phone-sized page with JavaScript switched off: every form is an ordinary post."""
    context, page = _page(browser, live_server, java_script_enabled=False)
    yield page
    context.close()


# --- thank-you notes (tests/recognition) -----------------------------------------------------------


@pytest.fixture
def make_note(org):
    """make_note(**fields): a thank-you note from the outsider (Sales) to IT, written directly."""
    from recognition.models import ThankYouNote

    def _make(*, colleagues=(), **fields):
        note = ThankYouNote.objects.create(
            **{"sender": org.outsider, "department": org.it, "message": "Thanks for the quick fix."} | fields
        )
        note.colleagues.set(colleagues)
        return note

    return _make


# --- nominations (tests/recognition) ---------------------------------------------------------------


@pytest.fixture
def by_nomination(db):
    """An active criterion HR awards by nomination."""
    from recognition.models import AwardCriterion

    return AwardCriterion.objects.create(name="Above and Beyond", badge="heart", by_nomination=True)


@pytest.fixture
def make_nomination(org, by_nomination):
    """make_nomination(**fields): a pending nomination by the outsider (Sales) of IT's colleague."""
    from recognition.models import Nomination

    def _make(**fields):
        defaults = {
            "criterion": by_nomination,
            "department": org.it,
            "employee": org.colleague,
            "nominator": org.outsider,
            "reason": "Stayed late to bring the order system back.",
        }
        return Nomination.objects.create(**defaults | fields)

    return _make


@pytest.fixture
def panel_member(org):
    """Sales' head, named to the nomination panel."""
    from recognition.models import PanelMember

    PanelMember.objects.create(employee=org.outsider_head)
    return org.outsider_head


# --- uploaded files (tests/audits, the matrices) ---------------------------------------------------


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploads (audit attachments) go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"
