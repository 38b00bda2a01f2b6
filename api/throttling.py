"""Per-token throttling with DRF's throttles; the rate is settings.API_THROTTLE_RATE."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE  # read per request, so it can be changed in tests

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None  # refused before any throttling
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
