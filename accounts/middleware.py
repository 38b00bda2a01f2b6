"""Session refresh for people signed in through single sign-on (mozilla-django-oidc's SessionRefresh).

Every OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS a signed-in person's next page visit goes to the provider
and back without a prompt (prompt=none); someone the provider no longer signs in (disabled there,
or signed out) comes back with an error and is signed out of the portal (the callback view).
People who signed in with a password are left alone. Settings are read per request through
accounts.oidc, so the middleware does nothing until single sign-on is configured.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from mozilla_django_oidc.middleware import SessionRefresh

from . import oidc

logger = logging.getLogger(__name__)


class SingleSignOnRefresh(SessionRefresh):
    def __init__(self, get_response):
        super(SessionRefresh, self).__init__(get_response)  # MiddlewareMixin's: no setting read yet

    @staticmethod
    def get_settings(attr, *args):
        return oidc.setting(attr, *args)

    def process_request(self, request):
        if not oidc.enabled() or not self.is_refreshable_url(request):
            return None
        if request.session.get("oidc_id_token_expiration", 0) > time.time():
            return None  # checked recently
        self.OIDC_EXEMPT_URLS = self.get_settings("OIDC_EXEMPT_URLS", [])
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        self.OIDC_STATE_SIZE = self.get_settings("OIDC_STATE_SIZE", 32)
        self.OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
        self.OIDC_RP_SCOPES = self.get_settings("OIDC_RP_SCOPES", "openid email")
        self.OIDC_USE_NONCE = self.get_settings("OIDC_USE_NONCE", True)
        self.OIDC_NONCE_SIZE = self.get_settings("OIDC_NONCE_SIZE", 32)
        try:
            self.OIDC_OP_AUTHORIZATION_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except oidc.DiscoveryError:
            # The sign-in is due for a check the provider cannot answer: sign out rather than trust it.
            logout(request)
            messages.info(request, _("Your sign-in could not be checked. Sign in again to continue."))
            return redirect(settings.LOGIN_URL)
        return super().process_request(request)

    def is_refreshable_url(self, request):
        # OIDC_EXEMPT_URLS is read by the parent's cached properties; the default is none.
        if not hasattr(self, "OIDC_EXEMPT_URLS"):
            self.OIDC_EXEMPT_URLS = self.get_settings("OIDC_EXEMPT_URLS", [])
        return super().is_refreshable_url(request)
