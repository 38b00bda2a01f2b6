"""No untranslated string on the main pages: each is rendered in English and in German, as the role
that reads it, and a visible text (or aria-label, title, placeholder, alt) that is the same in both
is English left over, unless it is data: a value of the database (department, person and parameter
names, cycle names, comments), a number or a date, a word that German writes the same (the
catalogue's msgstr equals its msgid), or inside an element marked translate="no"."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.urls import reverse

from accounts.models import Profile
from concerns.models import ClosureDate
from tests.factories import improvements_world, make_closed_cycle, make_concern, make_cycle
from tests.i18n.test_catalogue import PO

ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LETTERS = re.compile(r"[^\W\d_]{2,}")
EDGES = " \t\n.,:;!?()[]{}\"'«»“”‘’–—-·•/|*+=%#"


class Texts(HTMLParser):
    """The visible texts of a page, with the attributes people read; nothing of <script>, <style>,
    <template> or an element marked translate="no"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def hidden(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skipped = tag in ("script", "style", "template") or attributes.get("translate") == "no"
        if not skipped and not self.hidden():
            self.texts += [attributes[name] or "" for name in ATTRIBUTES if name in attributes]
            if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
                self.texts.append(attributes.get("value") or "")
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for at in range(len(self.stack) - 1, -1, -1):  # forgiving, as browsers are
            if self.stack[at][0] == tag:
                del self.stack[at:]
                return

    def handle_data(self, data):
        if not self.hidden():
            self.texts.append(data)


def texts(html: str) -> set[str]:
    parser = Texts()
    parser.feed(html)
    return {" ".join(text.split()) for text in parser.texts} - {""}


def data_of_the_world() -> set[str]:
    """Every text in the database (names, codes, descriptions, comments...) and people's names."""
    values: set[str] = set()
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.db_table not in tables:  # a model whose migration is still to come
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            values.update(" ".join(str(value).split()) for value in row if value)
    for user in get_user_model().objects.all():
        values.add(user.get_full_name())
    return values


def same_in_german() -> set[str]:
    return {entry.msgid for entry in polib.pofile(str(PO)) if entry.translated() and entry.msgstr == entry.msgid}


def is_data(text: str, allowed: set[str]) -> bool:
    core = text.strip(EDGES)
    if not LETTERS.search(core) or core in allowed or text in allowed:
        return True
    # a text made only of data: "IT · Sales", "Jane Doe (IT)"
    return all(not LETTERS.search(part) or part in allowed for part in re.split(r"\s*[·,/|()–—:]\s*", core) if part)


@pytest.fixture
def world(org):
    open_cycle = make_cycle(org, status="open", name="Open one")
    closed = make_closed_cycle(org)
    make_concern(org.it, raised_by=org.outsider)
    ClosureDate.objects.create(date=closed.closes_at.date(), name="Christmas")
    improvements_world(org)
    return {"open": open_cycle, "closed": closed}


def pages(world):
    """(role, url): the main pages, as the role that reads each."""
    return [
        ("outsider", reverse("portal:my_surveys")),
        ("outsider", reverse("surveys:survey", kwargs={"cycle_id": world["open"].pk})),
        ("outsider", reverse("portal:charter", kwargs={"code": "it"})),
        ("outsider", reverse("concerns:mine")),
        ("outsider", reverse("departments:directory")),
        ("head", reverse("portal:head_home")),
        ("head", reverse("scorecards:scorecard", kwargs={"code": "it"})),
        ("head", reverse("scorecards:action_list", kwargs={"code": "it"})),
        ("head", reverse("concerns:department", kwargs={"code": "it"})),
        ("hr", reverse("portal:hr_home")),
        ("hr", reverse("scorecards:organisation")),
        ("hr", reverse("scorecards:hr_actions")),
        ("hr", reverse("concerns:hr")),
        ("hr", reverse("surveys:cycle_list")),
        ("anonymous", reverse("login")),
    ]


def render(client, org, role: str, url: str, language: str) -> str:
    client.logout()
    if role != "anonymous":
        user = getattr(org, role).user
        Profile.objects.update_or_create(user=user, defaults={"language": language})
        client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, f"{url} as {role}: {response.status_code}"
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    return html


def test_no_untranslated_string_on_the_main_pages(client, org, world):
    allowed = data_of_the_world() | same_in_german() | {"English", "Deutsch"}
    untranslated: dict[str, list[str]] = {}
    for role, url in pages(world):
        english = texts(render(client, org, role, url, "en"))
        german = texts(render(client, org, role, url, "de"))
        left = sorted(text for text in german & english if not is_data(text, allowed))
        if left:
            untranslated[f"{url} ({role})"] = left
    report = "\n".join(f"{page}:\n    " + "\n    ".join(map(repr, left)) for page, left in untranslated.items())
    count = sum(map(len, untranslated.values()))
    assert not untranslated, f"{count} English texts on German pages:\n{report}"


def test_the_check_finds_an_english_text_and_spares_data(org):
    html = (
        '<p>Rate your service</p><p title="Open the menu">IT</p><p translate="no">English</p>'
        "<script>var x = 'Hello';</script><p>3.5 · 12</p><p>Sales, IT</p>"
    )
    allowed = data_of_the_world()
    found = sorted(text for text in texts(html) if not is_data(text, allowed))
    assert found == ["Open the menu", "Rate your service"]
    assert "en" in dict(settings.LANGUAGES) and "de" in dict(settings.LANGUAGES)
