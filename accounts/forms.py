from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from survey_portal.forms import PlainTextMixin

from . import oidc


class EmailAuthenticationForm(PlainTextMixin, AuthenticationForm):
    """Sign in with a work email: usernames are the lower-cased email address."""

    username = forms.EmailField(
        label=_("Work email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password do not match. Check both, or set a new password below."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        # With PASSWORD_LOGIN=off no password is even checked (accounts.oidc).
        if oidc.password_login() == oidc.PASSWORD_OFF:
            raise forms.ValidationError(
                gettext("Password sign-in is switched off. Sign in with %(provider)s instead.")
                % {"provider": oidc.provider_name()},
                code="password_off",
            )
        return super().clean()

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not oidc.password_allowed_for(user):
            raise forms.ValidationError(
                gettext("Password sign-in is kept for administrators. Sign in with %(provider)s instead.")
                % {"provider": oidc.provider_name()},
                code="password_admins_only",
            )


class SetPasswordLinkForm(PlainTextMixin, PasswordResetForm):
    """Password reset that also reaches imported people, who have no usable password yet.

    Django's default form skips users without a usable password, which would leave everyone
    imported from CSV unable to set their first password.
    """

    email = forms.EmailField(
        label=_("Work email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email.strip(), is_active=True)
        mode = oidc.password_login()
        if mode == oidc.PASSWORD_OFF:
            return users.none()
        if mode == oidc.PASSWORD_ADMINS:  # nobody else may use a password: no link to set one
            return users.filter(Q(is_staff=True) | Q(is_superuser=True))
        return users


class NewPasswordForm(PlainTextMixin, SetPasswordForm):
    """Choose a password through the emailed link (Django's form, with the site's text rule)."""
