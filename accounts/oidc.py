"""Single sign-on (OpenID Connect) configuration: is it on, the provider's name, its endpoints.

Everything comes from settings (read from the environment, survey_portal/settings.py). Endpoints
left blank are read from the provider's discovery document, fetched on first use and kept for
OIDC_DISCOVERY_CACHE_SECONDS, so the portal starts (and password sign-in works) while the provider
is unreachable. mozilla-django-oidc's classes read their settings through `setting` below.
"""

from __future__ import annotations

import logging
import threading
import time

import requests
from django.conf import settings
from django.utils.translation import gettext
from mozilla_django_oidc.utils import import_from_settings

logger = logging.getLogger(__name__)

# mozilla-django-oidc's setting -> the discovery document's key.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}

# Password sign-in (PASSWORD_LOGIN): everyone, staff and superusers only, or nobody.
PASSWORD_ON, PASSWORD_ADMINS, PASSWORD_OFF = "on", "admins", "off"

_cache: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


class DiscoveryError(Exception):
    """The provider's discovery document could not be read."""


def enabled() -> bool:
    """SSO is on when a client id is configured and the provider's endpoints are known or discoverable."""
    if not getattr(settings, "OIDC_RP_CLIENT_ID", ""):
        return False
    if discovery_url():
        return True
    return all(getattr(settings, name, "") for name in DISCOVERED)


def provider_name() -> str:
    return getattr(settings, "OIDC_PROVIDER_NAME", "") or gettext("single sign-on")


def password_login() -> str:
    """Who may sign in with a password: PASSWORD_LOGIN, else everyone without SSO and admins with it."""
    mode = getattr(settings, "PASSWORD_LOGIN", "")
    if mode:
        return mode
    return PASSWORD_ADMINS if enabled() else PASSWORD_ON


def password_allowed_for(user) -> bool:
    mode = password_login()
    if mode == PASSWORD_ON:
        return True
    if mode == PASSWORD_ADMINS:
        return bool(user.is_staff or user.is_superuser)
    return False


def discovery_url() -> str:
    url = getattr(settings, "OIDC_DISCOVERY_URL", "")
    if url:
        return url
    issuer = getattr(settings, "OIDC_ISSUER", "")
    return f"{issuer.rstrip('/')}/.well-known/openid-configuration" if issuer else ""


def discovery() -> dict:
    """The provider's discovery document, cached per URL."""
    url = discovery_url()
    if not url:
        return {}
    now = time.monotonic()
    with _lock:
        cached = _cache.get(url)
        if cached and cached[0] > now:
            return cached[1]
    try:
        response = requests.get(url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("sso: discovery document unavailable (%s)", type(error).__name__)
        raise DiscoveryError(url) from error
    if not isinstance(document, dict):
        raise DiscoveryError(url)
    with _lock:
        _cache[url] = (now + getattr(settings, "OIDC_DISCOVERY_CACHE_SECONDS", 3600), document)
    return document


def forget_discovery() -> None:
    with _lock:
        _cache.clear()


def setting(name: str, *default):
    """A mozilla-django-oidc setting: an explicit value wins; a blank endpoint comes from discovery."""
    if name in DISCOVERED and not getattr(settings, name, ""):
        value = discovery().get(DISCOVERED[name])
        if value:
            return value
        if default:
            return default[0]
    return import_from_settings(name, *default)


def not_a_password_attempt(request, credentials) -> bool:
    """django-axes' AXES_WHITELIST_CALLABLE: a sign-in through the provider is no password guess.

    Without it, every refused person (an unknown email...) would count as a failure for the pair
    (no username, their address): an office behind one address would soon be locked out of single
    sign-on, and axes would store the callback's query string (the provider's code) with the attempt.
    The provider throttles its own password attempts."""
    return credentials is not None and "code_verifier" in credentials
