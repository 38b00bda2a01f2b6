"""Authentication: Django's ModelBackend, with the user of each request read in plain SQL, and single sign-on."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from survey_portal import rawsql

from . import oidc

User = get_user_model()
logger = logging.getLogger(__name__)


class PortalBackend(ModelBackend):
    """Signs in exactly like ModelBackend. `get_user` runs on every request: through the ORM it cost
    more of a submission's processing than in plain SQL (survey_portal.rawsql; README has the measurements)."""

    def get_user(self, user_id):
        try:
            user_id = User._meta.pk.to_python(user_id)
        except Exception:  # noqa: BLE001 - a malformed id in a session is no user, as in ModelBackend
            return None
        if not rawsql.are_database_ids(user_id):
            return None
        with connection.cursor() as cursor:
            rawsql.execute(
                cursor, f"SELECT {rawsql.columns(User, 'u')} FROM {User._meta.db_table} u WHERE u.id = %s", [user_id]
            )
            row = cursor.fetchone()
        if row is None:
            return None
        (user,) = rawsql.instances(row, User)
        return user if self.user_can_authenticate(user) else None


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """Signs in through the OpenID Connect provider (accounts.oidc): matches, never creates.

    The provider's email is matched case-insensitively to an imported employee's user. Anyone else is
    refused, and so is an inactive employee or user; the reason is left on the request
    (`request.sso_refusal`) for the callback view's page. Settings are read when used, not when
    the backend is built, so it costs nothing (and needs no provider) for password sign-in and for
    reading the user of each request.
    """

    def __init__(self, *args, **kwargs):
        self.UserModel = User

    @staticmethod
    def get_settings(attr, *args):
        return oidc.setting(attr, *args)

    def __getattr__(self, name: str):
        # mozilla-django-oidc reads its settings as attributes set in its __init__ (OIDC_RP_CLIENT_ID...).
        if name.startswith("OIDC_"):
            defaults = {"OIDC_OP_JWKS_ENDPOINT": None, "OIDC_RP_SIGN_ALGO": "RS256", "OIDC_RP_IDP_SIGN_KEY": None}
            return oidc.setting(name, *([defaults[name]] if name in defaults else []))
        raise AttributeError(name)

    get_user = PortalBackend.get_user

    def authenticate(self, request, **kwargs):
        if request is None or not oidc.enabled():
            return None
        return super().authenticate(request, **kwargs)

    def store_tokens(self, access_token, id_token):
        """Tokens are never kept: the portal needs only who signed in."""

    def filter_users_by_claims(self, claims):
        email = claims.get("email")
        if not email or not isinstance(email, str):
            return User.objects.none()
        return User.objects.filter(email__iexact=email.strip()).select_related("employee")

    def get_or_create_user(self, access_token, id_token, payload):
        user_info = self.get_userinfo(access_token, id_token, payload)
        users = list(self.filter_users_by_claims(user_info))
        employee = getattr(users[0], "employee", None) if len(users) == 1 else None
        if employee is None:
            return self._refuse("unknown")
        if not (employee.active and users[0].is_active):
            return self._refuse("inactive")
        return users[0]

    def _refuse(self, reason: str):
        self.request.sso_refusal = reason
        logger.info("sso: sign-in refused (%s)", reason)
        return None
