"""Each person reads the portal in their own language: the one on their profile, else the browser's.

Django's LocaleMiddleware chooses from the language cookie (set by the switcher for visitors) and
the browser's Accept-Language. A signed-in person's own choice is kept on their profile and, like
their time zone, in their session (copied there when they sign in, accounts.timezones), so that
LanguageMiddleware activates it on every request without a query. Blank on the profile: the
browser's language, as for a visitor.

`en-gb` is English with British date formats, for browsers that ask for it; a person choosing
English keeps their browser's English variant.

Emails go out in the recipient's language: `with in_language_of(user): render and send`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import LANGUAGE_CHOICES, Profile

SESSION_KEY = "language"
CHOSEN = frozenset(code for code, _name in LANGUAGE_CHOICES)


def _variant(chosen: str, browsers: str) -> str:
    """The chosen language, in the browser's variant of it if the site has that one (en -> en-gb)."""
    return browsers if browsers.split("-")[0] == chosen else chosen


class LanguageMiddleware:
    """After LocaleMiddleware and the session: the person's own language, when they chose one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if chosen in CHOSEN:
            language = _variant(chosen, getattr(request, "LANGUAGE_CODE", "") or "")
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


def remember(request, language: str) -> None:
    """Keep a signed-in person's choice in their session ("" follows the browser)."""
    if language in CHOSEN:
        request.session[SESSION_KEY] = language
    else:
        request.session.pop(SESSION_KEY, None)


def _next_page(request) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@login_not_required
@require_POST
def set_language(request):
    """The language switcher (base.html): saved on the profile of whoever is signed in, and in the
    language cookie, which is all a visitor has (it also keeps the sign-in page in their language)."""
    language = request.POST.get("language", "")
    if language and language not in CHOSEN:
        return HttpResponseBadRequest(
            "Unknown language: expected one of " + ", ".join(sorted(CHOSEN)) + ", or nothing for the browser's.",
            content_type="text/plain",
        )
    if request.user.is_authenticated:
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
        remember(request, language)
    response: HttpResponse = HttpResponseRedirect(_next_page(request))
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN
        )
    return response


def _or_site(chosen: str | None) -> str:
    return chosen if chosen in CHOSEN else settings.LANGUAGE_CODE


def language_of(user) -> str:
    """The language to write to `user` in (an email): theirs if they chose one, else the site's."""
    return _or_site(Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first())


def languages_by_email(emails: Iterable[str]) -> dict[str, str]:
    """language_of for many recipients at once, by address (one query)."""
    emails = list(emails)
    chosen = dict(Profile.objects.filter(user__email__in=emails).values_list("user__email", "language"))
    return {email: _or_site(chosen.get(email)) for email in emails}


def emails_by_language(emails: Iterable[str]) -> dict[str, list[str]]:
    """The recipients grouped by the language to write to them in: one rendering per language."""
    groups: dict[str, list[str]] = {}
    for email, language in languages_by_email(emails).items():
        groups.setdefault(language, []).append(email)
    return groups


def languages_by_user_id(user_ids: Iterable[int]) -> dict[int, str]:
    """language_of for many recipients at once, by user id (one query)."""
    user_ids = list(user_ids)
    chosen = dict(Profile.objects.filter(user_id__in=user_ids).values_list("user_id", "language"))
    return {user_id: _or_site(chosen.get(user_id)) for user_id in user_ids}


@contextlib.contextmanager
def in_language_of(user) -> Iterator[str]:
    """`with in_language_of(person):` render the subject and body of an email to them."""
    language = language_of(user)
    with translation.override(language):
        yield language
