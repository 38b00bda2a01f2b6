"""What a person keeps for themselves across devices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The languages a person can choose (settings.LANGUAGES also has en-gb, which only a browser asks
# for: English with British dates). Each is named in its own language, as a reader looks for it.
LANGUAGE_CHOICES = [("en", "English"), ("de", "Deutsch")]


class Profile(models.Model):
    """A person's own settings: their time zone, as their browser reports it (accounts.timezones),
    and their language (accounts.languages), blank to follow the browser's."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    time_zone = models.CharField(max_length=64, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=LANGUAGE_CHOICES,
        help_text=_("Blank: the browser's language."),
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone or 'site time zone'}, {self.language or 'browser language'})"
