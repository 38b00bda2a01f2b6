from __future__ import annotations

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse

from .forms import SetPasswordLinkForm
from .security import password_link_allowed


@login_not_required
def healthz(request):
    """For the load balancer: is the database reachable, and the broker?

    503 only when the database is down: without the broker the site still takes every answer
    (the database is the source of truth) and the periodic sweeps catch up once it is back.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        database = "unavailable"
    return JsonResponse({"database": database, "broker": _broker_status()}, status=200 if database == "ok" else 503)


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "not used (tasks run in-process)"
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError:
        return "unavailable"
    return "ok"


class PasswordLinkView(auth_views.PasswordResetView):
    """“First time here?”: email a link to set a password, a few times an hour at most (security.py)."""

    form_class = SetPasswordLinkForm
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form):
        if password_link_allowed(self.request, form.cleaned_data["email"]):
            return super().form_valid(form)
        messages.error(
            self.request,
            "No email was sent: links were asked for this address too often in the last hour. Use the link "
            "you already received (it works for three days), or try again in an hour.",
        )
        return self.render_to_response(self.get_context_data(form=form), status=429)
