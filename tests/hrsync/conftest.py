"""The HR system's files, written as the sync finds them: CSV files in a real folder."""

from __future__ import annotations

import csv
import io

import pytest


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def org_files(org, *, move: dict[str, str] | None = None, leave: tuple = (), extra_departments=(), drop=()) -> dict:
    """The test organisation as the HR system exports it: `move` email -> department code,
    `leave` emails missing from employees.csv, `extra_departments` (code, name) added, `drop`
    department codes missing from departments.csv."""
    move = move or {}
    departments = [["it", "IT"], ["sales", "Sales"], ["hr", "Human Resources"], *map(list, extra_departments)]
    people = [org.head, org.colleague, org.outsider, org.outsider_head, org.hr]
    return {
        "departments.csv": csv_text(["code", "name"], [row for row in departments if row[0] not in drop]),
        "employees.csv": csv_text(
            ["email", "first_name", "last_name", "department_code"],
            [
                [p.user.email, p.user.first_name, p.user.last_name, move.get(p.user.email, p.department.code)]
                for p in people
                if p.user.email not in leave
            ],
        ),
    }


@pytest.fixture
def hr_folder(tmp_path, settings):
    """write(files) puts the files in the sync's folder (HR_SYNC_DIR), replacing what was there."""
    folder = tmp_path / "hr-export"
    folder.mkdir()
    settings.HR_SYNC_DIR = str(folder)
    settings.HR_SYNC_URL = ""

    def write(files: dict[str, str]) -> None:
        for old in folder.iterdir():
            old.unlink()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")

    return write
