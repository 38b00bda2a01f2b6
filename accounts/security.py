"""Who is knocking: the username and address that login throttling (django-axes) counts failures by,
and the limit on password links, which anyone may ask for."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

LINK_WINDOW_SECONDS = 3600


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


def within_limit(key: str, limit: int, seconds: int) -> bool:
    """Count one more event under `key`: False once more than `limit` came in the `seconds` since the first."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the window ended between the two calls: this event starts the next one
        cache.add(key, 1, seconds)
        return True


def password_link_allowed(request, email: str) -> bool:
    """Whether a password link may be sent to `email` now: a few an hour to one email, more to one
    address. Counted per typed email, whether or not someone has it, so the answer reveals nothing.

    Counted in the cache, which is each process's memory: with several web processes a burst can
    get a few times the limit, still a handful of emails rather than one per request.
    """
    address, recipient = (
        hashlib.sha256(value.encode()).hexdigest() for value in (client_ip(request), email.strip().lower())
    )
    return within_limit(
        f"password-links:address:{address}", settings.PASSWORD_LINKS_PER_ADDRESS, LINK_WINDOW_SECONDS
    ) and within_limit(f"password-links:email:{recipient}", settings.PASSWORD_LINKS_PER_EMAIL, LINK_WINDOW_SECONDS)
