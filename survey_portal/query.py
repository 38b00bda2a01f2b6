"""A page's GET parameters, each read by one of these: a value of the kind the page expects, or its
default and a message saying that the address held something else.

Addresses are typed, bookmarked, shared and tampered with: a bad value is never a 500 (``'²'.isdigit()``
is true, ``int('²')`` raises) and never silently taken for something it is not.
"""

from __future__ import annotations

from collections.abc import Collection

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from .text import refused_character


def _ignored(request, label: StrOrPromise) -> None:
    messages.warning(request, _("The %(label)s in the address is not valid, so it was ignored.") % {"label": label})


def query_int(request, name: str, *, default: int, low: int, high: int, label: StrOrPromise) -> int:
    """A whole number from `low` to `high` written in ASCII digits, else `default`."""
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    if raw.isascii() and raw.isdigit() and len(raw) <= len(str(high)) and low <= int(raw) <= high:
        return int(raw)
    _ignored(request, label)
    return default


def query_choice(request, name: str, choices: Collection[str], *, label: StrOrPromise, default: str = "") -> str:
    """One of `choices`, else `default`."""
    raw = request.GET.get(name, "")
    if raw == "" or raw in choices:
        return raw or default
    _ignored(request, label)
    return default


def query_text(request, name: str, *, label: StrOrPromise, max_length: int = 100) -> str:
    """A line of text (survey_portal.text) of at most `max_length` characters, stripped, else ""."""
    raw = request.GET.get(name, "").strip()
    if len(raw) > max_length or refused_character(raw):
        _ignored(request, label)
        return ""
    return raw


def query_page(request, items, per_page: int) -> Page:
    """The page of `items` asked for in ?page= (past the last one: the last one)."""
    number = query_int(request, "page", default=1, low=1, high=100_000, label=gettext_lazy("page number"))
    return Paginator(items, per_page).get_page(number)
