"""Who is knocking: the username and address that login throttling (django-axes) counts failures by."""

from __future__ import annotations

from django.conf import settings


def login_username(request, credentials) -> str:
    """The email as typed, normalised like the login form does: "A@B.c " and "a@b.c" are one user."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


def client_ip(request) -> str:
    """The client's address: behind PROXY_COUNT proxies, the entry they appended to X-Forwarded-For.

    Only the proxies' own entries are trusted; anything further left was written by the client.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.PROXY_COUNT:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    return hops[-settings.PROXY_COUNT] if len(hops) >= settings.PROXY_COUNT else remote
