"""Structured logs: one JSON object per line, one line per request and one per task.

What is logged is *about* the work — method, route, status, duration, task name, ids of cycles —
never what anyone answered: request bodies, comments and scores are not logged, and neither is who
made a request (the survey pages would otherwise tie a person to a moment of answering).
"""

from __future__ import annotations

import json
import logging
import time
import uuid

request_logger = logging.getLogger("survey_portal.request")
task_logger = logging.getLogger("survey_portal.task")

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, and any `extra={...}` fields, as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {key: value for key, value in vars(record).items() if key not in _STANDARD}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


JsonFormatter.converter = time.gmtime


class RequestLogMiddleware:
    """One line per request: method, route, status, duration. Outermost, so it times everything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        request.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        request_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "path": request.path,
                "route": match.view_name if match else None,
                "status": response.status_code,
                "duration_ms": round(1000 * (time.perf_counter() - start), 1),
            },
        )
        response["X-Request-ID"] = request.request_id
        return response
