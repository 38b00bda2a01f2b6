"""Dates and numbers in the reader's language; what machines read stays machine-readable."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Profile
from tests.factories import make_hr_admin

DECIMAL_COMMA = re.compile(r"\d,\d")
MACHINE_READ = re.compile(r'\s(style|data-[\w-]+|aria-value\w+|value|content|datetime)="([^"]*)"')


def render(template: str, **context) -> str:
    return Template("{% load dates %}" + template).render(Context(context))


def test_a_date_reads_in_german_and_keeps_its_machine_form():
    moment = datetime(2026, 12, 24, 15, 30, tzinfo=UTC)
    with timezone.override("Europe/Berlin"):
        with translation.override("de"):
            german = render('{{ moment|when:"full" }} {{ moment|when:"date" }}', moment=moment)
        with translation.override("en"):
            english = render('{{ moment|when:"date" }}', moment=moment)
    assert "Donnerstag, 24. Dezember 2026, 16:30" in german
    assert "24. Dezember 2026" in german
    assert 'datetime="2026-12-24T15:30:00+00:00"' in german  # the instant, for static/js/time.js
    assert "24 December 2026" in english


def test_a_decimal_reads_in_german():
    with translation.override("de"):
        assert Template("{{ x }} {{ y|floatformat:2 }}").render(Context({"x": 3.5, "y": 1234.5})) == "3,5 1234,50"
    with translation.override("en"):
        assert Template("{{ x }}").render(Context({"x": 3.5})) == "3.5"


def hr_client(client, generated, language: str):
    user = make_hr_admin("hr.admin@example.com")
    Profile.objects.create(user=user, language=language)
    client.force_login(user)
    return client


def test_numbers_on_the_scorecard_are_german_and_its_markup_machine_readable(client, generated):
    hr_client(client, generated, "de")
    response = client.get(reverse("scorecards:scorecard", kwargs={"code": "it"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de">' in html
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", html, flags=re.S))
    assert DECIMAL_COMMA.search(visible), "no decimal number written the German way"
    localised = sorted(
        {f"{name}={value}" for name, value in MACHINE_READ.findall(html) if DECIMAL_COMMA.search(value)}
    )
    assert not localised, f"numbers for machines written with a decimal comma: {localised}"
    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, flags=re.S):
        data = json.loads(block)
        numbers_as_text = re.findall(r'"-?\d+,\d+"', json.dumps(data))
        assert not numbers_as_text


def test_the_csv_export_keeps_its_numbers_machine_readable(client, generated):
    url = reverse("scorecards:export_scores", kwargs={"cycle_id": generated.cycle.pk})
    hr_client(client, generated, "de")
    german = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    Profile.objects.update(language="en")
    client.force_login(Profile.objects.get().user)
    english = list(csv.reader(io.StringIO(client.get(url).content.decode())))
    assert len(german) == len(english) > 1
    numbers = [
        (german_row[at], cell)
        for german_row, english_row in zip(german[1:], english[1:], strict=True)
        for at, cell in enumerate(english_row)
        if re.fullmatch(r"-?\d+(\.\d+)?", cell)
    ]
    assert any("." in cell for _german, cell in numbers)
    assert all(german_cell == english_cell for german_cell, english_cell in numbers)  # 3.1548, never 3,1548
