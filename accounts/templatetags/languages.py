"""`{% chosen_language as chosen %}`: the language the reader chose with the switcher (base.html),
"" when they follow their browser's."""

from __future__ import annotations

from django import template
from django.conf import settings

from accounts.languages import CHOSEN, SESSION_KEY

register = template.Library()


@register.simple_tag(takes_context=True)
def chosen_language(context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and session is not None and session.get(SESSION_KEY) in CHOSEN:
        return session[SESSION_KEY]
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in CHOSEN else ""
