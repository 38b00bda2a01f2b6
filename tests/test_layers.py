"""Apps depend one way (import-linter checks the imports); this checks what imports cannot show:
a lower app's code and templates never name a URL of an app above it."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = [
    "accounts",
    "departments",
    "improvements",
    "surveys",
    "concerns",
    "recognition",
    "kpis",
    "audits",
    "hrsync",
    "scorecards",
    "portal",
    "api",
]  # lowest first


@pytest.mark.parametrize("app", LAYERS[:-1])
def test_no_app_names_a_url_of_an_app_above_it(app):
    above = LAYERS[LAYERS.index(app) + 1 :]
    files = [*(ROOT / app).rglob("*.py"), *(ROOT / "templates" / app).rglob("*.html")]
    assert files
    named = [
        f"{path.relative_to(ROOT)}: {higher}:"
        for path in files
        for higher in above
        if f"'{higher}:" in path.read_text() or f'"{higher}:' in path.read_text()
    ]
    assert named == []
