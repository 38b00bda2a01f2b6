"""The demo's award criteria (seed_demo): three rules and one award by nomination; and its
thank-you notes (seed_notes)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from departments.models import Department, Employee
from surveys.models import Cycle

from .models import Award, AwardCriterion, Nomination, PanelMember, ThankYouNote

CRITERIA = [
    {
        "name": "Service Excellence",
        "badge": "star",
        "description": "An overall index of 4.2 or more, with every parameter meeting its target.",
        "all_parameters_meet_target": True,
        "min_index": Decimal("4.20"),
    },
    {
        "name": "Most Improved",
        "badge": "rocket",
        "description": "The index rose by 0.3 or more since the previous cycle, significantly.",
        "min_improvement": Decimal("0.30"),
    },
    {
        "name": "Front-line Champion",
        "badge": "shield",
        "description": "A back-office department rated 4.0 or more by the front-line departments, two cycles running.",
        "back_office_only": True,
        "min_front_line_mean": Decimal("4.00"),
        "consecutive_cycles": 2,
    },
    {
        "name": "Above and Beyond",
        "badge": "heart",
        "description": "A colleague or a team who went out of their way for you: nominate them.",
        "by_nomination": True,
    },
]


def seed_criteria() -> list[AwardCriterion]:
    """Create (or reset) the demo criteria. Idempotent: keyed by name."""
    return [AwardCriterion.objects.update_or_create(name=fields["name"], defaults=fields)[0] for fields in CRITERIA]


# Thank-you notes: (from department, to department, thanked people, parameter name, message, show name).
# Thanked people are counted from the department's people: 0 is the whole department.
NOTES = [
    (
        "sales",
        "it",
        1,
        "Responsiveness",
        "My laptop died the morning of the quarterly review. You had a spare set up with my files within the hour. Thank you!",
        True,
    ),
    (
        "finance",
        "procurement",
        0,
        None,
        "The new supplier onboarding checklist saved us a week of back-and-forth at month end.",
        True,
    ),
    (
        "customer-service",
        "logistics",
        2,
        None,
        "You found the lost pallet for our biggest customer on a Friday evening and had it delivered on Saturday. They renewed their contract.",
        True,
    ),
    (
        "marketing",
        "legal",
        1,
        None,
        "Clear, fast review of the campaign terms with plain-language notes I could pass on. Much appreciated.",
        False,
    ),
    (
        "logistics",
        "facilities",
        0,
        None,
        "The loading bay lights were fixed the same day we reported them. The night shift noticed.",
        True,
    ),
    (
        "field-service",
        "hr",
        1,
        None,
        "Thank you for walking our new technicians through their benefits on site instead of asking them to come to head office.",
        True,
    ),
    (
        "it",
        "finance",
        1,
        None,
        "The expense claim for the conference was sorted in two days, with a friendly explanation of what was missing.",
        False,
    ),
    (
        "procurement",
        "internal-audit",
        0,
        None,
        "Your pre-audit walkthrough meant there were no surprises. Thank you for being so open about what you would look at.",
        True,
    ),
]
# Notes to the demo employee, from colleagues in other departments.
NOTES_TO_DEMO_EMPLOYEE = [
    (
        "customer-service",
        "You joined our call with the unhappy customer and turned it around. Thank you for staying late.",
        True,
    ),
    ("finance", "Your forecast came in early and clean: the board pack was finished a day ahead.", True),
    ("marketing", "Thanks for the quick quotes for the trade fair. You made us look good.", False),
]
HIDDEN_NOTE = (
    "logistics",
    "sales",
    "Thanks for nothing, as usual. Maybe answer your phone next time?",
    "Not a thank-you: a complaint in disguise. Please raise it as a concern instead.",
)


def seed_notes(*, demo_employee: str, hr_email: str) -> list[str]:
    """Realistic thank-you notes, named and unnamed, to departments and colleagues; some to the demo
    employee; one hidden by HR with its reason. Skipped when notes already exist (run once)."""
    if ThankYouNote.objects.exists():
        return ["thank-you notes: already there"]
    departments = {d.code: d for d in Department.objects.filter(active=True).select_related("head")}
    now = timezone.now()

    def someone_in(code: str, skip: int = 0) -> Employee:
        people = Employee.objects.active().filter(department=departments[code]).order_by("pk")
        return people[skip % max(people.count(), 1)]

    def write(sender, department, colleagues, parameter_name, message, show_name, days_ago) -> ThankYouNote:
        parameter = department.parameters.filter(name=parameter_name).first() if parameter_name else None
        note = ThankYouNote.objects.create(
            sender=sender, department=department, parameter=parameter, message=message, show_name=show_name
        )
        note.colleagues.set(colleagues)
        ThankYouNote.objects.filter(pk=note.pk).update(created_at=now - timedelta(days=days_ago, hours=3))
        return note

    written = 0
    for days_ago, (source, target, people, parameter_name, message, show_name) in enumerate(NOTES, start=1):
        if source not in departments or target not in departments:
            continue
        department = departments[target]
        colleagues = list(
            Employee.objects.active()
            .filter(department=department)
            .exclude(pk=department.head_id)
            .order_by("pk")[:people]
        )
        parameter_name = (
            parameter_name or department.parameters.order_by("position").values_list("name", flat=True).first()
        )
        write(someone_in(source, days_ago), department, colleagues, parameter_name, message, show_name, 2 * days_ago)
        written += 1
    employee = Employee.objects.select_related("department").get(user__username=demo_employee)
    for days_ago, (source, message, show_name) in enumerate(NOTES_TO_DEMO_EMPLOYEE, start=1):
        if source in departments and departments[source] != employee.department:
            write(
                someone_in(source, 3 + days_ago), employee.department, [employee], None, message, show_name, days_ago
            )
            written += 1
    source, target, message, reason = HIDDEN_NOTE
    if source in departments and target in departments:
        hidden = write(someone_in(source, 7), departments[target], [], None, message, False, 4)
        hr = get_user_model().objects.get(username=hr_email)
        ThankYouNote.objects.filter(pk=hidden.pk).update(
            hidden_at=now - timedelta(days=3), hidden_by=hr, hidden_reason=reason
        )
        written += 1
    return [f"thank-you notes: {written} (one hidden by HR)"]


# Nominations: (nominator's department, nominee's department, named colleague (index among its
# people, None: the department), anonymous, reason). The first two are duplicates to merge.
NOMINATIONS = [
    (
        "sales",
        "it",
        0,
        False,
        "Stayed until midnight to bring the order system back before the sales conference. Calm, clear updates every hour.",
    ),
    (
        "finance",
        "it",
        0,
        True,
        "Rebuilt the month-end reporting server over a weekend so we could close on time.",
    ),
    (
        "customer-service",
        "logistics",
        None,
        False,
        "The whole team re-routed forty urgent deliveries during the storm week without a single complaint.",
    ),
]
DECLINED_NOMINATION = (
    "marketing",
    "facilities",
    None,
    "They did their job well, as always.",
    "Thank you: this reads as everyday good service. A thank-you note fits it better than an award.",
)
APPROVED_NOMINATION = (
    "logistics",
    "procurement",
    0,
    "Found a second supplier in two days when our packaging supplier went bankrupt, and kept every shipment going.",
    "For finding a second packaging supplier in two days and keeping every shipment going.",
)


def seed_nominations(*, demo_employee: str, hr_email: str) -> list[str]:
    """Pending nominations (one pair of duplicates), one declined with its reason, one approved into
    an award with its citation, and a panel of two (the demo head among them). Skipped when
    nominations already exist (run once). Writes no email."""
    if Nomination.objects.exists():
        return ["nominations: already there"]
    criterion, _ = AwardCriterion.objects.get_or_create(
        name="Above and Beyond", defaults=next(c for c in CRITERIA if c["name"] == "Above and Beyond")
    )
    departments = {d.code: d for d in Department.objects.filter(active=True).select_related("head")}
    hr = get_user_model().objects.get(username=hr_email)
    demo = Employee.objects.get(user__username=demo_employee)
    now = timezone.now()

    def people(code: str) -> list[Employee]:
        return list(Employee.objects.active().filter(department=departments[code]).order_by("pk"))

    def nominator_in(code: str) -> Employee:
        return demo if code == demo.department.code else people(code)[-1]

    def nominee(code: str, index: int | None) -> Employee | None:
        if index is None:
            return None
        colleagues = [p for p in people(code) if p.pk != departments[code].head_id] or people(code)
        return colleagues[index % len(colleagues)]

    written = 0
    for days_ago, (source, target, index, anonymous, reason) in enumerate(NOMINATIONS, start=1):
        if source in departments and target in departments:
            nomination = Nomination.objects.create(
                criterion=criterion,
                department=departments[target],
                employee=nominee(target, index),
                nominator=nominator_in(source),
                anonymous=anonymous,
                reason=reason,
            )
            Nomination.objects.filter(pk=nomination.pk).update(created_at=now - timedelta(days=days_ago))
            written += 1
    source, target, index, reason, decision = DECLINED_NOMINATION
    if source in departments and target in departments:
        Nomination.objects.create(
            criterion=criterion,
            department=departments[target],
            employee=nominee(target, index),
            nominator=nominator_in(source),
            reason=reason,
            status=Nomination.Status.DECLINED,
            decision_reason=decision,
            reviewed_by=hr,
            reviewed_at=now - timedelta(days=2),
        )
        written += 1
    source, target, index, reason, citation = APPROVED_NOMINATION
    if source in departments and target in departments:
        award = Award.objects.create(
            criterion=criterion,
            department=departments[target],
            employee=nominee(target, index),
            cycle=Cycle.objects.filter(opens_at__lte=now).order_by("-opens_at").first(),
            source=Award.Source.NOMINATION,
            citation=citation,
        )
        Nomination.objects.create(
            criterion=criterion,
            department=departments[target],
            employee=award.employee,
            nominator=nominator_in(source),
            reason=reason,
            status=Nomination.Status.APPROVED,
            award=award,
            reviewed_by=hr,
            reviewed_at=now - timedelta(days=1),
        )
        written += 1
    panel = [d.head for d in (departments.get("it"), departments.get("finance")) if d is not None and d.head]
    for employee in panel:
        PanelMember.objects.get_or_create(employee=employee)
    return [f"nominations: {written} (two duplicates, one declined, one approved), a panel of {len(panel)}"]
