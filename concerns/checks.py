"""`manage.py check --deploy`: anonymous concerns must wait for the daily release in production."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def anonymous_release_is_daily(app_configs, **kwargs) -> list[Error]:
    if settings.CONCERNS_RELEASE_AT_ONCE and not settings.DEBUG:
        return [
            Error(
                "CONCERNS_RELEASE_AT_ONCE is on: each anonymous concern reaches its department the moment it is "
                "written, which ties it to the writer's other activity.",
                hint="Unset it (production releases them daily, with Celery beat).",
                id="concerns.E001",
            )
        ]
    return []
