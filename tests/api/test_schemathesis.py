"""Schemathesis against the API's own OpenAPI schema, through the WSGI app, with each scope's token.

Every operation is called with generated parameters and bodies, as a token with one scope; the
responses must never be a server error and must match the schema (status codes, content type and
body). Deterministic (derandomized) and small, so it runs in CI on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from survey_portal.wsgi import application
from tests.api.conftest import published_cycle
from tests.factories import improvements_world, make_kpi

PROXY = {"X-Forwarded-Proto": "https"}  # the TLS-terminating proxy production runs behind
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def _keep_the_test_connection():
    """As Django's test client does: the WSGI app must not close the test's database connection at
    the end of each request (on PostgreSQL that would end the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(org, tokens, settings, _keep_the_test_connection):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.API_THROTTLE_RATE = "100000/min"  # throttling has its own test
    published_cycle(org)
    improvements_world(org)
    make_kpi(org.it, values=[("2026-01-01", "2026-01-31", "91")])
    return tokens


def operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=PROXY)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 10  # every endpoint, the upload and the import included
    return found


@pytest.mark.parametrize("scope", ["read_scores", "write_organisation", "write_kpis", "expired", "revoked"])
def test_the_api_conforms_to_its_schema_with_each_token(api_world, scope):
    headers = {**PROXY, "Authorization": f"Bearer {api_world[scope].secret}"}
    for operation in operations():

        @settings(
            max_examples=12,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def conforms(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        conforms()
