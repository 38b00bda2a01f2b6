from __future__ import annotations

from departments.models import Department, Employee
from hrsync.demo import seed_hrsync
from hrsync.models import SyncRun
from hrsync.services import sync_confirm
from tests.factories import EmployeeFactory


def test_the_demo_has_a_run_in_every_state_and_leaves_the_organisation_alone(org):
    for number in range(30):
        EmployeeFactory(department=org.sales, user__email=f"person{number}@example.com")
    before = sorted(Employee.objects.values_list("pk", "department_id", "active")), list(Department.objects.values())

    lines = seed_hrsync(hr_email=org.hr.user.username, keep=["colleague@example.com"])

    assert sorted(Employee.objects.values_list("pk", "department_id", "active")) == before[0]
    assert list(Department.objects.values()) == before[1]
    assert set(SyncRun.objects.values_list("status", flat=True)) == set(SyncRun.Status.values)
    assert "held at the brake" in lines[0]
    assert seed_hrsync(hr_email=org.hr.user.username) == ["hr sync: runs already there"]

    held = SyncRun.objects.get(status=SyncRun.Status.HELD)
    assert held.brake_reasons[0]["kind"] == "deactivate"
    run = sync_confirm(run=held, user=org.hr.user)
    assert run.status == SyncRun.Status.CONFIRMED
    assert Employee.objects.filter(active=False).count() == run.changes["deactivated_count"] > 0
