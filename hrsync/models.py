"""The nightly HR sync's runs: what each fetched, changed or refused, and who decided a held one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncRunQuerySet(models.QuerySet):
    def latest_first(self) -> SyncRunQuerySet:
        return self.order_by("-started_at", "-pk")

    def held(self) -> SyncRunQuerySet:
        return self.filter(status=SyncRun.Status.HELD)


class SyncRun(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        UNCHANGED = "unchanged", _("No changes")
        FAILED = "failed", _("Failed")
        HELD = "held", _("Held: waiting for HR")
        CONFIRMED = "confirmed", _("Confirmed by HR and applied")
        DISCARDED = "discarded", _("Discarded by HR")
        SUPERSEDED = "superseded", _("Superseded by a newer run")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Nightly schedule")
        MANUAL = "manual", _("Run now")

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=500, blank=True, help_text="The folder or the address read.")
    status = models.CharField(max_length=12, choices=Status.choices)
    # kind -> {"created": n, "updated": n, "unchanged": n, "deactivated": n, "removed": n}
    counts = models.JSONField(default=dict, blank=True)
    # {"moved": [[email, from, to]], "deactivated": [email], "new_departments": [code],
    #  "removed_departments": [code]}: what the import changed (or would change, for a held run).
    changes = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)  # "file:line: reason"
    brake_reasons = models.JSONField(default=list, blank=True)
    # The fetched files, kept only while the run is held: kind -> [file name, base64 content].
    files = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = SyncRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"HR sync {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD


class SyncLock(models.Model):
    """One row, locked (SELECT … FOR UPDATE) by whoever applies a sync, so two never write at once."""

    name = models.CharField(max_length=20, unique=True)

    def __str__(self) -> str:
        return self.name
