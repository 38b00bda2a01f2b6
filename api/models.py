"""Service-account tokens for the REST API: created by HR, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Employee

TOKEN_PREFIX = "ssp_"  # noqa: S105 (a label, not a secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ_SCORES = "read_scores", _("Read scores")
        WRITE_ORGANISATION = "write_organisation", _("Write organisation")
        WRITE_KPIS = "write_kpis", _("Write KPIs")

    name = models.CharField(_("name"), max_length=100)
    # The token's first characters, stored in clear so HR and logs can tell tokens apart.
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, name: str, scopes: list[str], expires_at, created_by=None) -> tuple[ApiToken, str]:
        """A new token and its secret: the secret is returned once and never stored."""
        prefix = TOKEN_PREFIX + secrets.token_hex(4)
        secret = f"{prefix}_{secrets.token_urlsafe(32)}"
        token = cls.objects.create(
            name=name,
            prefix=prefix,
            secret_hash=hash_token(secret),
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
            created_by=created_by,
        )
        return token, secret

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        if self.is_revoked:
            return "revoked"
        return "expired" if self.is_expired else "active"

    def status_label(self) -> str:
        return str({"revoked": _("Revoked"), "expired": _("Expired"), "active": _("Active")}[self.status])

    def scope_labels(self) -> list[str]:
        labels = dict(self.Scope.choices)
        return [str(labels[s]) for s in self.scopes if s in labels]

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
