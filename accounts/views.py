from __future__ import annotations

import logging

import jwt
import redis
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View
from mozilla_django_oidc import views as oidc_views

from . import oidc
from .forms import EmailAuthenticationForm, SetPasswordLinkForm
from .security import password_link_allowed

logger = logging.getLogger(__name__)


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
            _(
                "No email was sent: links were asked for this address too often in the last hour. Use the link "
                "you already received (it works for three days), or try again in an hour."
            ),
        )
        return self.render_to_response(self.get_context_data(form=form), status=429)


class SignInView(auth_views.LoginView):
    """The sign-in page: "Sign in with {provider}" first when single sign-on is on, and the password
    form for whoever PASSWORD_LOGIN still lets use one (accounts.oidc.password_login)."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        mode = oidc.password_login()
        return super().get_context_data(
            sso=oidc.enabled(),
            provider_name=oidc.provider_name(),
            password_login=mode,
            password_open=self.request.method == "POST" or not oidc.enabled(),
            **kwargs,
        )


# --- Single sign-on ------------------------------------------------------------------------------
# mozilla-django-oidc's views, reading their settings through accounts.oidc (endpoints discovered
# on first use) and answering 404 while single sign-on is not configured.

REFUSALS = {
    # reason: (status, heading, explanation)
    "unknown": (
        403,
        gettext_noop("We could not find you on the staff list"),
        gettext_noop(
            "Your account at {provider} has no email address that matches an employee of the portal, so you "
            "were not signed in and no account was created."
        ),
    ),
    "inactive": (
        403,
        gettext_noop("Your portal access is switched off"),
        gettext_noop(
            "Your account at {provider} matches an employee who is no longer active in the portal, so you "
            "were not signed in."
        ),
    ),
    "state": (
        400,
        gettext_noop("This sign-in link is no longer valid"),
        gettext_noop(
            "The answer from {provider} did not match a sign-in started in this browser (it was used "
            "already, it expired, or it was changed on the way). Nobody was signed in. Start again below."
        ),
    ),
    "denied": (
        403,
        gettext_noop("{provider} did not sign you in"),
        gettext_noop("The sign-in was cancelled or refused at {provider}. Nobody was signed in. Start again below."),
    ),
    "provider": (
        502,
        gettext_noop("{provider} could not be reached"),
        gettext_noop(
            "The portal could not complete the sign-in with {provider}. Nobody was signed in. Try again in "
            "a few minutes; if it keeps failing, tell IT."
        ),
    ),
}


def _contacts() -> list[str]:
    """Whom a refused person should ask: SSO_HELP_CONTACT, else every HR admin's address."""
    if settings.SSO_HELP_CONTACT:
        return [settings.SSO_HELP_CONTACT]
    return list(import_string(settings.SSO_CONTACTS)())[:5]


def refused(request, reason: str):
    status, heading, explanation = REFUSALS[reason]
    provider = oidc.provider_name()
    return render(
        request,
        "accounts/sso_refused.html",
        {
            "reason": reason,
            "heading": _(heading).format(provider=provider),
            "explanation": _(explanation).format(provider=provider),
            "contacts": _contacts(),
            "provider_name": provider,
        },
        status=status,
    )


@method_decorator(login_not_required, name="dispatch")
class SingleSignOnStartView(oidc_views.OIDCAuthenticationRequestView):
    """Redirects to the provider (authorization code with PKCE); `next` is kept for afterwards."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)

    @staticmethod
    def get_settings(attr, *args):
        return oidc.setting(attr, *args)

    def get(self, request):
        if not oidc.enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except oidc.DiscoveryError:
            return refused(request, "provider")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class SingleSignOnCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """Where the provider sends people back: signs in the matched employee, or says why not."""

    @staticmethod
    def get_settings(attr, *args):
        return oidc.setting(attr, *args)

    def get(self, request):
        if not oidc.enabled():
            raise Http404
        self.refreshing = request.user.is_authenticated
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            # Never the token or the state in the log: the class of failure is enough.
            logger.warning("sso: callback refused (%s)", type(error).__name__)
            return refused(request, "state")
        except (requests.RequestException, oidc.DiscoveryError, jwt.PyJWTError, ValueError, KeyError) as error:
            logger.warning("sso: token exchange failed (%s)", type(error).__name__)
            return refused(request, "provider")

    def login_failure(self):
        request = self.request
        reason = getattr(request, "sso_refusal", None)
        if reason:
            return refused(request, reason)
        if request.GET.get("error"):
            if self.refreshing:
                # The silent check of SessionRefresh: the provider no longer signs this person in.
                logger.info("sso: session ended at the provider")
                messages.info(
                    request,
                    _("Your sign-in at %(provider)s has ended. Sign in again to continue.")
                    % {"provider": oidc.provider_name()},
                )
                return redirect(settings.LOGIN_URL)
            logger.info("sso: provider answered with an error")
            return refused(request, "denied")
        logger.warning("sso: callback without a matching sign-in")
        return refused(request, "state")


class SingleSignOnLogoutView(oidc_views.OIDCLogoutView):
    """Signs out of the portal (a POST); the provider's own session is left to the provider."""

    http_method_names = ["post"]

    def post(self, request):
        logout(request)
        return HttpResponseRedirect(self.redirect_url)
