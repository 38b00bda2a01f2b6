"""Charter content in the reader's language (departments/translation.py registers the fields).

Model instances read `name`/`description` in the active language with English as the fallback
(django-modeltranslation). Two kinds of reads need help:
- SQL that names the column (values_list with F(), UNION ALL reads): `localised()` is the
  expression for the active language's text, English where it is blank;
- texts a survey cycle copied from the charter when it opened (its questions, and the scorecard's
  parameters, are kept in English): `in_language()` gives them the charter's German wording
  while the charter's English text is still the copied one (so a translation never stands for a
  text the cycle did not ask).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import CharField, F, TextField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language

from departments.models import ServiceParameter

ENGLISH, GERMAN = "en", "de"
LANGUAGES = (ENGLISH, GERMAN)  # settings.MODELTRANSLATION_LANGUAGES

T = TypeVar("T")


def content_language() -> str:
    """The language charter content is shown in now: the active one if the charter has it
    ("de-at" reads German), else English."""
    language = (get_language() or ENGLISH).lower().split("-")[0]
    return language if language in LANGUAGES else ENGLISH


def localised(field: str, prefix: str = "") -> Combinable:
    """The SQL expression for translated `field` (e.g. "name", or "department__name" with prefix
    "department__") in the active language: its German column where not blank, else English (and
    the original column for a row written before the English column existed)."""
    path = f"{prefix}{field}"
    language = content_language()
    text = TextField() if field == "description" else CharField()
    english = Coalesce(F(f"{path}_{ENGLISH}"), F(path), output_field=text)
    if language == ENGLISH:
        return english
    return Coalesce(NullIf(F(f"{path}_{language}"), Value("")), english, output_field=text)


def in_language(copied: Iterable[T], fields: tuple[str, ...] = ("name", "description")) -> list[T]:
    """Copies of `copied` (texts a cycle took from the charter: objects with department_id, code
    and `fields`) in the active language. In English they are returned as they are, with no query;
    otherwise one query reads the charter's texts. A copied text is replaced by the charter's
    translation only while the charter's English text is still the copied one, and only where the
    translation is not blank. The objects given are never changed (processes keep them)."""
    copied = list(copied)
    language = content_language()
    if language == ENGLISH or not copied:
        return copied
    charter: dict[tuple[int, str], dict[str, Any]] = {}
    columns = [f"{field}_{suffix}" for field in fields for suffix in (ENGLISH, language)]
    rows = (
        ServiceParameter.objects.filter(
            department_id__in={c.department_id for c in copied},  # type: ignore[attr-defined]
            code__in={c.code for c in copied},  # type: ignore[attr-defined]
        )
        .order_by()
        .values_list("department_id", "code", *columns)
    )
    for department_id, code, *texts in rows:
        charter[(department_id, code)] = dict(zip(columns, texts, strict=True))
    result = []
    for item in copied:
        texts = charter.get((item.department_id, item.code))  # type: ignore[attr-defined]
        changes = {}
        for field in fields:
            if texts and texts[f"{field}_{language}"] and texts[f"{field}_{ENGLISH}"] == getattr(item, field):
                changes[field] = texts[f"{field}_{language}"]
        if changes:
            item = copy.copy(item)
            for field, text in changes.items():
                setattr(item, field, text)
        result.append(item)
    return result
