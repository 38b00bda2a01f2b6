"""Structured logs: one JSON line per request and per task, and never what anyone answered."""

from __future__ import annotations

import json
import logging

from survey_portal.logs import JsonFormatter
from surveys.models import Invitation
from tests.factories import ALL_GOOD, answers

SECRET = "my-honest-opinion-7731"


def test_one_line_per_request_and_per_task_with_no_answer_content(login, org, open_cycle, caplog):
    caplog.set_level(logging.INFO)
    client = login(org.outsider)
    data = answers(comment_good=SECRET, **ALL_GOOD)

    client.post(f"/surveys/{open_cycle.pk}/it/", data)
    from scorecards.tasks import cycle_aggregate_task

    cycle_aggregate_task.delay(open_cycle.pk)

    requests = [r for r in caplog.records if r.name == "survey_portal.request"]
    tasks = [r for r in caplog.records if r.name == "survey_portal.task"]
    assert [(r.method, r.route, r.status) for r in requests] == [("POST", "surveys:answer", 302)]
    assert requests[0].duration_ms >= 0 and requests[0].request_id
    assert [(r.task, r.state, r.task_args) for r in tasks] == [
        ("scorecards.tasks.cycle_aggregate_task", "SUCCESS", [open_cycle.pk])
    ]
    everything = [JsonFormatter().format(r) for r in caplog.records]
    assert not [line for line in everything if SECRET in line or "q_responsiveness" in line or "it-q_" in line]
    assert not [line for line in everything if org.outsider.user.email in line]
    assert Invitation.objects.get(cycle=open_cycle, employee=org.outsider).status == "completed"


def test_the_formatter_writes_one_json_object_per_line():
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "GET %s", "args": ("/",), "status": 200})
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) | {"time": None} == {
        "time": None, "level": "INFO", "logger": "x", "message": "GET /", "status": 200,
    }  # fmt: skip
