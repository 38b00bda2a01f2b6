"""Load the demo organisation (Acme, 12 departments, 300 people) through the real CSV import."""

from __future__ import annotations

import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.module_loading import import_string

from audits.demo import seed_audits
from concerns.demo import seed_concerns
from departments import demo_data
from departments.demo import seed_charter_german
from departments.models import HR_GROUP_NAME
from departments.org_import import CsvFile, org_import
from hrsync.demo import seed_hrsync
from improvements.demo import seed_improvements
from kpis.demo import seed_kpis
from recognition.demo import seed_criteria, seed_nominations, seed_notes
from scorecards.awards import awards_evaluate
from scorecards.reports import published_cycles
from surveys.demo import seed_surveys

DOMAIN = "acme.example"
DEMO_PASSWORD = "demo-2026"


def _email(first: str, last: str) -> str:
    return f"{first}.{last}@{DOMAIN}".lower().replace(" ", "").replace("'", "")


def demo_files(seed: int = 2026) -> tuple[dict[str, CsvFile], dict[str, str]]:
    """The demo organisation as the four CSV files, and the e-mails of the three demo logins."""
    rng = random.Random(seed)
    used: set[str] = set()
    departments, employees, parameters = [], [], []
    heads: dict[str, str] = {}
    for dept in demo_data.DEPARTMENTS:
        first, last, title = dept["head"]
        head_email = _email(first, last)
        used.add(head_email)
        heads[dept["code"]] = head_email
        employees.append([head_email, first, last, dept["code"], title])
        for _ in range(dept["size"] - 1):
            while True:
                first, last = rng.choice(demo_data.FIRST_NAMES), rng.choice(demo_data.LAST_NAMES)
                email = _email(first, last)
                if email not in used:
                    break
            used.add(email)
            employees.append([email, first, last, dept["code"], rng.choice(dept["job_titles"])])
        departments.append(
            [dept["code"], dept["name"], head_email, "yes" if dept["front_line"] else "no", dept["description"]]
        )
        for code, name, description, target, weight in dept["parameters"]:
            parameters.append([dept["code"], code, name, target, weight, description])

    hr = next(row for row in employees if row[3] == "hr" and row[0] != heads["hr"])
    employee = next(row for row in employees if row[3] == "sales" and row[0] != heads["sales"])
    logins = {"HR admin": hr[0], "Department head (IT)": heads["it"], "Employee (Sales)": employee[0]}
    files = {
        "departments": CsvFile.from_rows(
            "departments.csv", ["code", "name", "head_email", "front_line", "description"], departments
        ),
        "employees": CsvFile.from_rows(
            "employees.csv", ["email", "first_name", "last_name", "department_code", "job_title"], employees
        ),
        "dependencies": CsvFile.from_rows(
            "dependencies.csv", ["consumer_code", "provider_code"], demo_data.DEPENDENCIES
        ),
        "parameters": CsvFile.from_rows(
            "parameters.csv", ["department_code", "code", "name", "target", "weight", "description"], parameters
        ),
    }
    return files, logins


class Command(BaseCommand):
    help = "Load (or refresh) the demo organisation and survey history, and print the demo logins. Safe to rerun."

    def handle(self, *args, **options) -> None:
        files, logins = demo_files()
        summary = org_import(
            departments=files["departments"],
            employees=files["employees"],
            dependencies=files["dependencies"],
            parameters=files["parameters"],
        )
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        # Before the cycles: the open cycle asks, as it opens, about the actions done since the last one.
        for line in seed_improvements(today=timezone.localdate(), rng=random.Random(2026)):
            self.stdout.write(f"  {line}")
        # The demo's emails (hundreds of invitations) are not printed: they go to memory.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for line in seed_surveys(demo_employee=logins["Employee (Sales)"]):
                self.stdout.write(f"  {line}")

        User = get_user_model()
        for email in logins.values():
            user = User.objects.get(username=email)
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        User.objects.get(username=logins["HR admin"]).groups.add(Group.objects.get(name=HR_GROUP_NAME))
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            lines, receipt_codes = seed_concerns(demo_employee=logins["Employee (Sales)"])
        for line in lines:
            self.stdout.write(f"  {line}")
        # The awards wall shows last cycle's awards: every published cycle evaluated, oldest first.
        criteria = seed_criteria()
        self.stdout.write(f"  award criteria: {len(criteria)}")
        for line in seed_notes(demo_employee=logins["Employee (Sales)"], hr_email=logins["HR admin"]):
            self.stdout.write(f"  {line}")
        for line in seed_nominations(demo_employee=logins["Employee (Sales)"], hr_email=logins["HR admin"]):
            self.stdout.write(f"  {line}")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for cycle in reversed(list(published_cycles())):
                evaluated = awards_evaluate(cycle=cycle)
                self.stdout.write(f"  awards of “{cycle.name}”: {evaluated.awarded} new, {evaluated.kept} kept")

        # A year of KPI values and of mystery-shopping audits; the breaches and failed critical
        # items they raise email the heads (kept in memory here).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for line in seed_kpis(today=timezone.localdate()):
                self.stdout.write(f"  {line}")
            for line in seed_audits(today=timezone.localdate(), demo_employee=logins["Employee (Sales)"]):
                self.stdout.write(f"  {line}")
            # Nightly HR sync runs in every state, one held at the brake (computed, rolled back).
            for line in seed_hrsync(hr_email=logins["HR admin"], keep=list(logins.values())):
                self.stdout.write(f"  {line}")
        # Charter content in German (Internal Audit left in English: the fallback).
        for line in seed_charter_german():
            self.stdout.write(f"  {line}")
        # Apps beside portal (the API's service-account tokens) are named in settings, as their URLs are.
        for seeder in settings.DEMO_SEEDERS_BESIDE_PORTAL:
            for line in import_string(seeder)():
                self.stdout.write(f"  {line}")

        width = max(len(role) for role in logins)
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for each: {DEMO_PASSWORD})"))
        for role, email in logins.items():
            self.stdout.write(f"  {role.ljust(width)}  {email}")
        self.stdout.write(
            "Receipt codes of the employee's anonymous concerns (My concerns › Open my concern; a real"
            " code is shown once, to its raiser alone):"
        )
        for what, code in receipt_codes.items():
            self.stdout.write(f"  {code}  {what}")
        self.stdout.write("Open http://127.0.0.1:8000/ and sign in with one of them.\n")
