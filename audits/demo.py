"""The demo's mystery-shopping audits (seed_demo): templates for IT, Facilities and HR, a year of
completed audits (IT has a trend; one critical failure raised an action item), one scheduled ahead,
one overdue, and one for the demo employee to carry out."""

from __future__ import annotations

import datetime
from datetime import timedelta
from decimal import Decimal

from departments.models import Department, Employee
from departments.roles import can_audit
from improvements.models import ActionItem
from improvements.services import action_edit

from .models import Audit, AuditItem, AuditTemplate
from .services import ItemScore, audit_submit

PF, SCALE = AuditItem.Kind.PASS_FAIL, AuditItem.Kind.SCALE

# department code -> (name, scenario, [(parameter code, text, kind, weight, critical)])
TEMPLATES = {
    "it": (
        "Service desk walk-in: a laptop that will not start",
        "Walk to the service desk with a laptop that does not boot. Say you have a client presentation "
        "in two hours and ask what can be done. Note how long you wait and what you are told.",
        [
            ("responsiveness", "Greeted and the ticket logged within 10 minutes", PF, 2, True),
            ("communication", "Told in plain words what happens next and by when", SCALE, 1, False),
            ("first-time-fix", "A working laptop (fixed or on loan) before leaving", SCALE, 2, False),
            ("access-provisioning", "Asked to confirm identity before accounts were touched", PF, 1, True),
        ],
    ),
    "facilities": (
        "Repair request: a broken office chair",
        "Report a broken chair through the facilities request form and follow up once by email if "
        "nothing happens within two working days.",
        [
            ("responsiveness", "Request acknowledged within one working day", PF, 1, True),
            ("communication", "Given a date for the repair", SCALE, 1, False),
            ("workplace-quality", "The repair done properly", SCALE, 2, False),
            ("reliability", "Done by the date promised", PF, 1, False),
        ],
    ),
    "hr": (
        "Payroll question: an overtime payment missing",
        "Email HR that last month's overtime is missing from your payslip and ask when it will be paid.",
        [
            ("responsiveness", "Answered within two working days", SCALE, 1, False),
            ("data-accuracy", "The answer was correct", PF, 2, True),
            ("confidentiality", "Identity confirmed before pay details were discussed", PF, 1, True),
            ("communication", "The answer was clear and complete", SCALE, 1, False),
        ],
    ),
}

# Completed audits: (department code, months ago, day of the month, hours to answer, scores in item order, notes).
COMPLETED = [
    (
        "it",
        11,
        8,
        "30",
        [0, 2, 2, 1],
        ["Waited 25 minutes before anyone spoke to me.", "", "Told to come back tomorrow.", ""],
    ),
    ("it", 8, 14, "6", [1, 3, 3, 1], ["", "", "Loan laptop offered, but with no software on it.", ""]),
    ("it", 5, 3, "2", [1, 4, 3, 1], ["", "Clear explanation of the repair.", "", ""]),
    ("it", 3, 20, "1.5", [1, 4, 4, 1], ["", "", "", ""]),
    ("it", 1, 12, "1", [1, 5, 4, 0], ["", "", "", "My password was reset without any check of who I was."]),
    ("facilities", 7, 5, "50", [0, 2, 3, 0], ["No acknowledgement for three days.", "", "", "Repair a week late."]),
    ("facilities", 2, 17, "20", [1, 4, 4, 1], ["", "", "Chair replaced, not repaired: good.", ""]),
    ("hr", 4, 9, "40", [3, 1, 1, 4], ["", "", "", "A friendly, complete answer."]),
]


def _month_day(today: datetime.date, months_ago: int, day: int) -> datetime.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months_ago, 12)
    return min(datetime.date(year, month + 1, min(day, 28)), today)


def _auditors(department: Department, count: int) -> list[Employee]:
    """Employees who may audit the department, one from each of several other departments."""
    chosen: list[Employee] = []
    seen: set[int] = set()
    for employee in Employee.objects.active().exclude(department=department).select_related("user").order_by("pk"):
        if employee.department_id in seen or not can_audit(employee, department):
            continue
        if employee.department.head_id == employee.pk:
            continue
        chosen.append(employee)
        seen.add(employee.department_id)
        if len(chosen) == count:
            break
    return chosen


def seed_audits(*, today: datetime.date, demo_employee: str = "lakshmi.tesfaye@acme.example") -> list[str]:
    """Create the demo's templates and audits. Idempotent: templates are keyed by department and
    name, and the audits are made only when the demo templates have none yet."""
    templates: dict[str, AuditTemplate] = {}
    for code, (name, scenario, items) in TEMPLATES.items():
        department = Department.objects.get(code=code)
        template, created = AuditTemplate.objects.get_or_create(
            department=department, name=name, defaults={"scenario": scenario}
        )
        if created:
            for position, (parameter, text, kind, weight, critical) in enumerate(items):
                AuditItem.objects.create(
                    template=template,
                    parameter=department.parameters.get(code=parameter),
                    text=text,
                    kind=kind,
                    weight=weight,
                    critical=critical,
                    position=position,
                )
        templates[code] = template
    if Audit.objects.filter(template__in=templates.values()).exists():
        return [f"Audits: {Audit.objects.count()} already there (templates for IT, Facilities and HR)."]

    auditors = {code: _auditors(template.department, 8) for code, template in templates.items()}
    raised = 0
    for index, (code, months_ago, day, hours, scores, notes) in enumerate(COMPLETED):
        template = templates[code]
        requested_on = _month_day(today, months_ago, day)
        auditor = auditors[code][index % len(auditors[code])]
        audit = Audit.objects.create(
            template=template,
            department=template.department,
            auditor=auditor,
            due_on=requested_on + timedelta(days=10),
            scheduled_on=requested_on - timedelta(days=7),
        )
        checklist = list(template.items.order_by("position"))
        audit_submit(
            audit=audit,
            auditor=auditor,
            requested_on=requested_on,
            response_hours=Decimal(hours),
            scores={
                item.pk: ItemScore(score, note) for item, score, note in zip(checklist, scores, notes, strict=True)
            },
            today=min(requested_on + timedelta(days=2), today),
        )
        raised += audit.results.exclude(action_item=None).count()
        if months_ago >= 4:  # an older finding was acted on: its action is done, as a head would mark it
            for item in ActionItem.objects.filter(audit_results__audit=audit):
                owners = list(item.owners.all())
                action_edit(
                    item=item,
                    editor=owners[0],
                    title=item.title,
                    change=item.change,
                    parameters=item.parameters.all(),
                    owners=owners,
                    due_on=item.due_on,
                    status=ActionItem.Status.DONE,
                    percent_complete=100,
                    today=min(requested_on + timedelta(days=30), today),
                )
        submitted_on = min(requested_on + timedelta(days=2), today)
        Audit.objects.filter(pk=audit.pk).update(
            submitted_at=datetime.datetime.combine(submitted_on, datetime.time(16), tzinfo=datetime.UTC)
        )
    ahead = Audit.objects.create(
        template=templates["facilities"],
        department=templates["facilities"].department,
        auditor=auditors["facilities"][-1],
        due_on=today + timedelta(days=20),
        scheduled_on=today,
    )
    overdue = Audit.objects.create(
        template=templates["hr"],
        department=templates["hr"].department,
        auditor=auditors["hr"][-1],
        due_on=today - timedelta(days=5),
        scheduled_on=today - timedelta(days=30),
    )
    lines = [
        f"Audits: {len(COMPLETED)} completed (IT's over a year; {raised} action item(s) raised by critical failures), "
        f"one scheduled ({ahead.department.name}, due {ahead.due_on}), one overdue ({overdue.department.name})."
    ]
    employee = Employee.objects.filter(user__email=demo_employee).select_related("department", "user").first()
    if employee is not None and can_audit(employee, templates["it"].department):
        mine = Audit.objects.create(
            template=templates["it"],
            department=templates["it"].department,
            auditor=employee,
            due_on=today + timedelta(days=10),
            scheduled_on=today - timedelta(days=1),
        )
        lines.append(
            f"Audits: {employee.full_name} has an audit of IT to carry out (My audits, /my/audits/{mine.pk}/)."
        )
    return lines
