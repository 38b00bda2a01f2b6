"""Site-wide middleware: the Content-Security-Policy header and the session's two lifetimes."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

LOGIN_AT, SEEN_AT = "_login_at", "_seen_at"
# The session is saved for activity at most this often, not on every request.
TOUCH_EVERY = 60


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response


class SessionLifetimeMiddleware:
    """Sign out after SESSION_IDLE_MINUTES without a request, or SESSION_MAX_HOURS after signing in.

    The times live in the session. It is written for activity once a minute at most, so a busy
    user does not cost a database write per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_MINUTES * 60
            expired = now - login_at > settings.SESSION_MAX_HOURS * 3600
            if idle or expired:
                logout(request)
                messages.info(
                    request,
                    "You were signed out after "
                    + (f"{settings.SESSION_IDLE_MINUTES} minutes without activity." if idle else "a long session.")
                    + " Sign in again to continue.",
                )
                return redirect_to_login(request.get_full_path())
            if now - seen_at >= TOUCH_EVERY or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)
