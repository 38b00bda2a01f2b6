"""Scopes: a token may call an endpoint only if it carries the endpoint's scope."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .models import ApiToken


class HasToken(BasePermission):
    """A valid token (the authentication class refuses expired and revoked ones), with the view's
    `required_scope` if it names one."""

    message = _("This token does not have the scope this endpoint needs.")

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        scope = getattr(view, "required_scope", None)
        return scope is None or token.has_scope(scope)
