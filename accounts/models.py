"""What a person keeps for themselves across devices."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    """A person's own settings: their time zone, as their browser reports it (accounts.timezones)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    time_zone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone or 'site time zone'})"
