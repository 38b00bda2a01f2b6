from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from .roles import get_roles


def hr_required(view):
    """Only HR admins (the 'HR admins' group's permission, or superusers); others get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not get_roles(request).is_hr:
            raise PermissionDenied("Only HR admins can use this page.")
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view):
    """Any role in the organisation (an active employee, a head or HR); others get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not get_roles(request).has_any:
            raise PermissionDenied("Your account is not linked to an active employee record.")
        return view(request, *args, **kwargs)

    return wrapper


def head_required(view):
    """Heads of an active department; others get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not get_roles(request).is_head:
            raise PermissionDenied("This page is for department heads.")
        return view(request, *args, **kwargs)

    return wrapper
