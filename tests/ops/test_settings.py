"""Settings from the environment: the secret key is required to serve, not to run a migration check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BARE = {"PATH": os.environ["PATH"], "HOME": str(ROOT)}  # no DJANGO_* at all


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=BARE, capture_output=True, text=True, timeout=120)  # noqa: S603


def test_the_web_process_refuses_to_start_without_a_secret_key():
    result = run("-c", "import survey_portal.wsgi")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_a_migration_check_needs_no_secret_key():
    result = run("manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout
