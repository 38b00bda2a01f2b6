"""Access decorators for views: each asks one rule of departments.roles.Roles and answers 403 with its reason."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied

from .roles import Roles, get_roles


def _requires(rule: Callable[[Roles], bool], refusal: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not rule(get_roles(request)):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Only HR admins (the 'HR admins' group's permission, or superusers).
hr_required = _requires(lambda roles: roles.is_hr, "Only HR admins can use this page.")
# Any role in the organisation: an active employee, a head or HR.
member_required = _requires(lambda roles: roles.has_any, "Your account is not linked to an active employee record.")
# Heads of an active department.
head_required = _requires(lambda roles: roles.is_head, "This page is for department heads.")
# HR and the nomination panel HR names.
reviewer_required = _requires(
    lambda roles: roles.can_review_nominations, "Only HR and the nomination panel review nominations."
)
