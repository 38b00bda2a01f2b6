from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from survey_portal.forms import PlainTextMixin

from .models import ApiToken


class TokenForm(PlainTextMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Which system uses it, e.g. “BI dashboard (Power BI)”.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=ApiToken.Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The token stops working at the start of this day (UTC); at most a year ahead."),
    )

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        today = timezone.now().date()
        if expires_on <= today:
            raise forms.ValidationError(_("Choose a day after today."))
        if expires_on > today + timedelta(days=settings.API_TOKEN_MAX_DAYS):
            raise forms.ValidationError(
                _("A token can be valid for at most %(days)s days.") % {"days": settings.API_TOKEN_MAX_DAYS}
            )
        return expires_on
