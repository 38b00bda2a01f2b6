from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from survey_portal.forms import PlainTextMixin


class EmailAuthenticationForm(PlainTextMixin, AuthenticationForm):
    """Sign in with a work email: usernames are the lower-cased email address."""

    username = forms.EmailField(
        label="Work email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match. Check both, or set a new password below.",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class SetPasswordLinkForm(PlainTextMixin, PasswordResetForm):
    """Password reset that also reaches imported people, who have no usable password yet.

    Django's default form skips users without a usable password, which would leave everyone
    imported from CSV unable to set their first password.
    """

    email = forms.EmailField(
        label="Work email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def get_users(self, email):
        return get_user_model()._default_manager.filter(email__iexact=email.strip(), is_active=True)


class NewPasswordForm(PlainTextMixin, SetPasswordForm):
    """Choose a password through the emailed link (Django's form, with the site's text rule)."""
