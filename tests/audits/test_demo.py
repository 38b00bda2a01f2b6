from django.utils import timezone

from audits.demo import COMPLETED, seed_audits
from audits.models import Audit, AuditResult
from audits.reports import department_audits
from departments.models import Department
from departments.roles import can_audit


def test_the_demo_audits_follow_the_rules_and_a_rerun_adds_nothing(demo):
    """seed_demo (the `demo` fixture) seeded them; a rerun adds nothing."""
    today = timezone.localdate()
    count = Audit.objects.count()

    assert seed_audits(today=today, demo_employee=demo["Employee (Sales)"]) == [
        f"Audits: {count} already there (templates for IT, Facilities and HR)."
    ]
    assert Audit.objects.count() == count == len(COMPLETED) + 3
    for audit in Audit.objects.select_related("auditor__user", "department"):
        assert audit.auditor.department_id != audit.department_id and can_audit(audit.auditor, audit.department)
    mine = Audit.objects.get(auditor__user__email=demo["Employee (Sales)"])
    assert mine.status == "scheduled" and mine.due_on > today
    assert Audit.objects.overdue(today).count() == 1
    assert AuditResult.objects.exclude(action_item=None).exists()
    it = department_audits(Department.objects.get(code="it"), until=None, for_hr=False)
    assert len(it.audits) >= 4 and len({view.month for view in it.audits}) == len(it.audits)
