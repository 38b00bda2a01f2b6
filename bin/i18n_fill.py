#!/usr/bin/env python
"""Fill the German catalogue from translation dictionaries, report what is missing, and compile it.

    .venv/bin/python bin/i18n_fill.py [--extract] [--strict] [DICTIONARY.json ...]

--extract  first runs `manage.py makemessages -l de` (needs GNU gettext's xgettext; nothing else
           does: the compiled .mo is written here with polib and committed).
DICTIONARY.json  {"msgid": "German"}, or {"singular msgid": ["German singular", "German plural"]}
           for a plural; a msgid with a context (pgettext, {% translate "…" context "…" %}) as
           "context\x04msgid". A dictionary's translation replaces the catalogue's, and clears "fuzzy".
--strict   exit 1 while any entry is untranslated or fuzzy (as tests/i18n checks).

Translations whose placeholders (%(name)s, %s, {x}) differ from their msgid are refused and listed.
Then locale/de/LC_MESSAGES/django.po is saved and compiled to django.mo next to it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib

BASE = Path(__file__).resolve().parent.parent
PO = BASE / "locale" / "de" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]|%[sdifr]|%%|\{\w*\}")
IGNORED = [".venv", "var", "tests", "node_modules", "static/vendor"]


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def extract() -> None:
    ignore = [f"--ignore={path}" for path in IGNORED]
    command = [
        sys.executable,
        "manage.py",
        "makemessages",
        "-l",
        "de",
        "--no-obsolete",
        "--add-location=file",
        *ignore,
    ]
    subprocess.run(command, cwd=BASE, check=True)  # noqa: S603 - our own manage.py, no outside input


def load(paths: list[str]) -> tuple[dict[str, str | list[str]], list[str]]:
    """The dictionaries merged; the msgids two of them translate differently (the first one wins)."""
    merged: dict[str, str | list[str]] = {}
    origin: dict[str, str] = {}
    conflicts = []
    for path in paths:
        for msgid, german in json.loads(Path(path).read_text(encoding="utf-8")).items():
            if msgid in merged and merged[msgid] != german:
                conflicts.append(f"{path}: {msgid!r}: {german!r} (kept {merged[msgid]!r} from {origin[msgid]})")
                continue
            merged[msgid], origin[msgid] = german, path
    return merged, conflicts


def key(entry: polib.POEntry) -> str:
    """An entry's key in a dictionary: its msgid, or "context\\x04msgid" for a msgid with a context."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def fill(catalogue: polib.POFile, dictionary: dict[str, str | list[str]]) -> list[str]:
    """Translate the catalogue's entries from the dictionary; the translations refused, and why."""
    refused = []
    for entry in catalogue:
        found = next((name for name in (key(entry), entry.msgid) if name in dictionary), None)
        if entry.obsolete or found is None:  # a msgid with a context may be given without it
            continue
        german = dictionary[found]
        if entry.msgid_plural:
            forms = german if isinstance(german, list) else [german, german]
            if len(forms) != 2 or placeholders(forms[1]) != placeholders(entry.msgid_plural):
                refused.append(f"{entry.msgid!r}: the plural's placeholders differ: {forms!r}")
                continue
            entry.msgstr_plural = {0: forms[0], 1: forms[1]}
        else:
            if not isinstance(german, str):
                refused.append(f"{entry.msgid!r}: a plural given for a msgid without one")
                continue
            if placeholders(german) != placeholders(entry.msgid):
                refused.append(f"{entry.msgid!r}: placeholders differ: {german!r}")
                continue
            entry.msgstr = german
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    return refused


def missing(catalogue: polib.POFile) -> tuple[list[str], list[str]]:
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    return untranslated, fuzzy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dictionaries", nargs="*", help="JSON files {msgid: German}")
    parser.add_argument("--extract", action="store_true", help="run makemessages -l de first (needs gettext)")
    parser.add_argument("--strict", action="store_true", help="exit 1 while anything is untranslated or fuzzy")
    arguments = parser.parse_args(argv)
    if arguments.extract:
        extract()
    if not PO.exists():
        print(f"{PO.relative_to(BASE)} does not exist: run with --extract (makemessages -l de) first.")
        return 1
    catalogue = polib.pofile(str(PO), wrapwidth=120)
    dictionary, conflicts = load(arguments.dictionaries)
    refused = fill(catalogue, dictionary)
    catalogue.metadata_is_fuzzy = False
    catalogue.header = "German translations of the Service Survey Portal (bin/i18n_fill.py fills them)."
    catalogue.metadata["Project-Id-Version"] = "survey-portal"
    catalogue.metadata["Language"] = "de"
    catalogue.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalogue.save(str(PO))
    catalogue.save_as_mofile(str(PO.with_suffix(".mo")))
    untranslated, fuzzy = missing(catalogue)
    unused = sorted(set(dictionary) - {key(entry) for entry in catalogue} - {entry.msgid for entry in catalogue})
    for title, lines in (
        ("Conflicting translations", conflicts),
        ("Refused translations", refused),
        ("Untranslated", untranslated),
        ("Fuzzy", fuzzy),
        ("In a dictionary but not in the catalogue (not extracted: check the msgid)", unused),
    ):
        if lines:
            print(f"{title} ({len(lines)}):")
            for line in lines:
                print(f"  {line!r}" if title in ("Untranslated", "Fuzzy") or title.startswith("In a") else f"  {line}")
    done = len([entry for entry in catalogue if entry.translated()])
    print(f"{PO.relative_to(BASE)}: {done} of {len(catalogue)} translated; compiled to django.mo.")
    return 1 if arguments.strict and (untranslated or fuzzy) else 0


if __name__ == "__main__":
    sys.exit(main())
