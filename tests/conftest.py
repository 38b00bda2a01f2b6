"""Shared fixtures: a small organisation with the people of every role (healthchecks' alice/bob/charlie)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from departments.models import Department, Employee
from surveys.models import Cycle, Invitation
from tests.factories import (
    DepartmentFactory,
    DependencyFactory,
    EmployeeFactory,
    Generated,
    ServiceParameterFactory,
    generate,
    make_cycle,
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
