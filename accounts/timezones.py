"""Each person sees times in their own time zone.

Their browser reports it (static/js/time.js posts it to `time_zone` when it differs from the one the
page was written in); it is kept in the session, where this middleware activates it on every
request at no cost, and on their profile, from which signing in on another device restores it.
"""

from __future__ import annotations

import functools
import zoneinfo

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import languages
from .models import Profile

SESSION_KEY = "time_zone"


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class TimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if name in known_zones():
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)


@require_POST
def time_zone(request):
    """Keep the browser's time zone (an IANA name such as Europe/Paris) for this person."""
    name = request.POST.get("time_zone", "")
    if name not in known_zones():
        return HttpResponseBadRequest(
            "Unknown time zone: expected a name such as Europe/Paris.", content_type="text/plain"
        )
    request.session[SESSION_KEY] = name
    Profile.objects.update_or_create(user=request.user, defaults={"time_zone": name})
    return HttpResponse(status=204)


@receiver(user_logged_in)
def restore_time_zone(sender, request, user, **kwargs) -> None:
    """Signing in restores the person's time zone and language (accounts.languages) from their
    profile into their session, in one query."""
    name, language = Profile.objects.filter(user=user).values_list("time_zone", "language").first() or ("", "")
    if request is None:
        return
    if name in known_zones():
        request.session[SESSION_KEY] = name
    languages.remember(request, language)
