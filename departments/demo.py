"""Demo charter content in German, for `manage.py seed_demo` (after the organisation exists)."""

from __future__ import annotations

from .demo_data import GERMAN
from .models import Department, ServiceParameter


def seed_charter_german() -> list[str]:
    """Give the demo departments and their charters their German texts (departments.demo_data.GERMAN);
    a department without them (Internal Audit) shows its English texts on German pages. Idempotent."""
    departments = 0
    for code, (name, description, _parameters) in GERMAN.items():
        departments += Department.objects.filter(code=code).update(name_de=name, description_de=description)
    parameters = 0
    for code, (_name, _description, charter) in GERMAN.items():
        for parameter_code, (name, description) in charter.items():
            parameters += ServiceParameter.objects.filter(department__code=code, code=parameter_code).update(
                name_de=name, description_de=description
            )
    untranslated = sorted(Department.objects.filter(name_de__isnull=True).values_list("code", flat=True))
    return [
        f"Charter content in German: {departments} departments, {parameters} parameters"
        + (f" (English only, shown as the fallback: {', '.join(untranslated)})" if untranslated else "")
    ]
