"""The German catalogue is complete, its placeholders match, and the committed .mo is the .po's."""

from __future__ import annotations

import functools
import importlib.util
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


@functools.cache
def fill_script():
    """bin/i18n_fill.py, loaded as a module: its placeholder rule is the one the tests hold it to."""
    spec = importlib.util.spec_from_file_location("i18n_fill", Path(settings.BASE_DIR) / "bin" / "i18n_fill.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def placeholders(text: str) -> Counter[str]:
    return fill_script().placeholders(text)


def translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(English, German) pairs of an entry: one, or each plural form against its English form."""
    if entry.msgid_plural:
        forms = [entry.msgid, entry.msgid_plural]
        return [(forms[min(n, 1)], text) for n, text in sorted(entry.msgstr_plural.items())]
    return [(entry.msgid, entry.msgstr)]


def test_the_settings_ship_english_and_german():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "en-gb", "de"]
    assert [str(path) for path in settings.LOCALE_PATHS] == [str(Path(settings.BASE_DIR) / "locale")]


def test_every_entry_has_a_german_translation(catalogue):
    missing = [entry.msgid for entry in catalogue if not entry.obsolete and not entry.translated()]
    assert not missing, f"{len(missing)} untranslated or fuzzy in {PO.name} (bin/i18n_fill.py): {missing}"


def test_no_translation_is_blank_or_fuzzy(catalogue):
    wrong = [
        entry.msgid
        for entry in catalogue
        if "fuzzy" in entry.flags or any(not german.strip() for _english, german in translations(entry))
    ]
    assert not wrong, f"blank or fuzzy: {wrong}"


def test_placeholders_match_between_english_and_german(catalogue):
    wrong = [
        (english, german)
        for entry in catalogue
        if entry.translated()
        for english, german in translations(entry)
        if placeholders(english) != placeholders(german)
    ]
    assert not wrong, f"placeholders differ: {wrong}"


def test_the_committed_mo_is_the_compiled_po(catalogue, tmp_path):
    fresh = tmp_path / "django.mo"
    catalogue.save_as_mofile(str(fresh))

    def entries(path) -> dict:
        return {(entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr for entry in polib.mofile(str(path))}

    assert entries(PO.with_suffix(".mo")) == entries(fresh), "run bin/i18n_fill.py to compile django.mo"


def test_django_reads_the_catalogue():
    with translation.override("de"):
        assert translation.gettext("Sign out") == "Abmelden"
    with translation.override("en-gb"):
        assert translation.gettext("Sign out") == "Sign out"


@pytest.mark.parametrize("check", ["ok", "placeholders", "plural"])
def test_the_fill_script_fills_and_refuses_wrong_placeholders(tmp_path, monkeypatch, check):
    import json

    fill = fill_script()
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgid "Hello %(name)s"\nmsgstr "Old"\n\n'
        'msgid "One file"\nmsgid_plural "%(count)s files"\nmsgstr[0] ""\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    words = {
        "ok": {"Hello %(name)s": "Hallo %(name)s", "One file": ["Eine Datei", "%(count)s Dateien"]},
        "placeholders": {"Hello %(name)s": "Hallo %(nom)s"},
        "plural": {"One file": ["Eine Datei", "Dateien"]},
    }[check]
    dictionary = tmp_path / "words.json"
    dictionary.write_text(json.dumps(words), encoding="utf-8")
    monkeypatch.setattr(fill, "PO", po)
    monkeypatch.setattr(fill, "BASE", tmp_path)
    status = fill.main(["--strict", str(dictionary)])
    result = {entry.msgid: entry for entry in polib.pofile(str(po))}
    mo = {entry.msgid: entry.msgstr_plural or entry.msgstr for entry in polib.mofile(str(po.with_suffix(".mo")))}
    if check == "ok":
        assert status == 0
        assert result["Hello %(name)s"].msgstr == "Hallo %(name)s" and not result["Hello %(name)s"].fuzzy
        assert mo["One file"] == {0: "Eine Datei", 1: "%(count)s Dateien"}
    else:
        assert status == 1  # refused, so still untranslated (or fuzzy)
        assert "Hallo" not in po.read_text(encoding="utf-8")
        assert "Dateien" not in po.read_text(encoding="utf-8")
