"""Demo concerns in every state, for `manage.py seed_demo`: waiting, acknowledged, overdue (both
clocks), answered and rated, reopened, sent back to HR, hidden by HR; named and anonymous. The demo
employee's two anonymous concerns are returned with their receipt codes, for the demo to print."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from departments.models import Department, Employee

from . import receipts, workdays
from .models import ClosureDate, Concern, ConcernMessage, ConcernReminder, Deposit, ResponseTimes, closures_from
from .services import _clocks

SUBJECTS = {
    "it": [
        ("Laptop requests wait a week for a first answer", "responsiveness"),
        ("Password resets lock me out of the CRM for a day", "quality"),
        ("Nobody says when the VPN maintenance happens", "communication"),
        ("Printer on floor 3 reported broken three times", "reliability"),
        ("New starters have no accounts on day one", "responsiveness"),
        ("Service desk closed tickets without asking me", "professionalism"),
    ],
    "finance": [
        ("Expense claims bounce back without a reason", "communication"),
        ("Supplier invoices paid late twice this quarter", "reliability"),
    ],
    "facilities": [("Meeting room booking shows rooms that are closed", "quality")],
    "procurement": [("Purchase orders for spare parts take three weeks", "responsiveness")],
    "hr": [("Holiday balance on the portal is wrong every January", "quality")],
    "logistics": [("Deliveries to the Leeds site arrive without notice", "communication")],
}


def _code(rng: random.Random) -> str:
    raw = "".join(rng.choice(receipts.ALPHABET) for _ in range(receipts.LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, receipts.LENGTH, 4))


def _working_days_before(day: date, count: int, closures) -> date:
    while count > 0:
        day -= timedelta(days=1)
        if workdays.is_working_day(day, closures):
            count -= 1
    return day


def seed_concerns(*, demo_employee: str, rng: random.Random | None = None) -> tuple[list[str], dict[str, str]]:
    """Replace the demo's concerns. Returns lines to print and {what: receipt code} of the demo
    employee's anonymous concerns (the demo says them: a real raiser's code is shown only once)."""
    rng = rng or random.Random(2026)
    today = timezone.localdate()
    Deposit.objects.all().delete()
    ConcernReminder.objects.all().delete()
    Concern.objects.all().delete()
    ResponseTimes.objects.update_or_create(pk=1, defaults={"acknowledge_days": 2, "answer_days": 10})
    year = today.year
    for day, name in [
        (date(year, 12, 25), "Christmas Day"),
        (date(year, 12, 26), "Boxing Day"),
        (date(year + 1, 1, 1), "New Year's Day"),
        (date(year, 5, 1), "Spring bank holiday"),
    ]:
        ClosureDate.objects.get_or_create(date=day, defaults={"name": name})
    closures = closures_from(date(year - 1, 1, 1))

    departments = {d.code: d for d in Department.objects.filter(code__in=SUBJECTS).select_related("head")}
    demo = Employee.objects.select_related("department").get(user__email=demo_employee)
    people = list(Employee.objects.active().exclude(department__code="it").select_related("user", "department")[:80])
    delegates = {d.pk: list(Employee.objects.filter(delegations__department=d)) for d in departments.values()}
    codes: dict[str, str] = {}

    def make(department, subject, parameter_code, *, days_ago, anonymous, raiser=None, code=None) -> Concern:
        raised_on = _working_days_before(today, days_ago, closures)
        parameter = department.parameters.filter(code=parameter_code).first()
        concern = Concern.objects.create(
            department=department,
            parameter=parameter,
            subject=subject,
            description=(
                "I needed this for a customer visit and had to find a workaround. "
                "It has happened before, so it seems to be how things work, not bad luck."
            ),
            anonymous=anonymous,
            raised_by=None if anonymous else raiser,
            raiser_department=None if anonymous else raiser.department,
            receipt_hash=receipts.receipt_hash(code or _code(rng)) if anonymous else None,
            raised_on=raised_on,
            **_clocks(raised_on),
        )
        return concern

    def say(concern, text, *, from_department, days_after, hour=10):
        day = concern.raised_on + timedelta(days=days_after)
        number = concern.messages.count() + 1
        author = department_person(concern.department) if from_department else concern.raised_by
        at = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour, 15))
        ConcernMessage.objects.create(
            concern=concern,
            number=number,
            from_department=from_department,
            author=author,
            written_on=day,
            written_at=at if from_department or not concern.anonymous else None,
            text=text,
        )
        return at

    def department_person(department):
        return department.head or (delegates.get(department.pk) or [None])[0]

    def acknowledge(concern, *, days_after):
        at = say(
            concern, "Thank you for raising this. We are looking into it.", from_department=True, days_after=days_after
        )
        concern.status, concern.acknowledged_at = Concern.Status.ACKNOWLEDGED, at
        concern.acknowledged_in_time = at <= concern.acknowledge_by
        concern.save()

    def answer(concern, *, days_after, text="We found the cause and changed how we handle these. Details below."):
        at = say(concern, text, from_department=True, days_after=days_after, hour=15)
        concern.status, concern.answer, concern.answered_at = Concern.Status.ANSWERED, text, at
        concern.answered_in_time = at <= concern.answer_by
        start = concern.reopened_on or concern.raised_on
        if concern.answer_working_days is None:
            elapsed = workdays.working_days_between(start, at, closures)
            concern.answer_working_days = Decimal(str(round(elapsed, 2)))
        concern.save()

    it = departments["it"]
    subjects = iter(SUBJECTS["it"])

    # The demo employee's anonymous concerns: one waiting (the head answers it), one answered
    # (she reopens it and rates the answer), both opened with the printed codes.
    waiting_code, answered_code = _code(rng), _code(rng)
    subject, parameter = next(subjects)
    make(it, subject, parameter, days_ago=1, anonymous=True, code=waiting_code)
    codes["Anonymous concern to IT, waiting for IT's answer"] = waiting_code
    subject, parameter = next(subjects)
    answered = make(it, subject, parameter, days_ago=8, anonymous=True, code=answered_code)
    acknowledge(answered, days_after=1)
    say(answered, "Which application exactly, and roughly when?", from_department=True, days_after=2)
    say(answered, "The CRM, every Monday morning after the weekly reset.", from_department=False, days_after=3)
    answer(answered, days_after=5, text="The Monday reset also expired CRM sessions. We moved it to Sunday night.")
    codes["Anonymous concern to IT, answered: reopen it and rate the answer"] = answered_code

    # Named, acknowledged, with a conversation (in the demo employee's own list).
    subject, parameter = next(subjects)
    named = make(it, subject, parameter, days_ago=3, anonymous=False, raiser=demo)
    acknowledge(named, days_after=1)
    say(named, "It happened again last night, 22:00 to 23:30.", from_department=False, days_after=2)
    # Overdue: not acknowledged in time; acknowledged but not answered in time.
    subject, parameter = next(subjects)
    make(it, subject, parameter, days_ago=6, anonymous=True)
    subject, parameter = next(subjects)
    late = make(it, subject, parameter, days_ago=13, anonymous=False, raiser=rng.choice(people))
    acknowledge(late, days_after=4)
    # Reopened by its anonymous raiser after the answer.
    subject, parameter = next(subjects)
    reopened = make(it, subject, parameter, days_ago=20, anonymous=True)
    acknowledge(reopened, days_after=1)
    answer(reopened, days_after=6)
    reopened_on = reopened.raised_on + timedelta(days=9)
    reopened.status, reopened.reopened_on = Concern.Status.REOPENED, reopened_on
    reopened.reopen_reason = "Closed without asking me whether it worked: it did not."
    reopened.answer_by = _clocks(reopened_on)["answer_by"]
    reopened.clock_round = 2
    reopened.save()

    # Earlier this quarter and last quarter: answered and rated, in time or late (the figures).
    for _ in range(14):
        department = departments[rng.choice(["it", "it", "finance", "facilities", "procurement", "hr", "logistics"])]
        subject, parameter = rng.choice(SUBJECTS[department.code])
        concern = make(
            department,
            subject,
            parameter,
            days_ago=rng.randint(15, 110),
            anonymous=rng.random() < 0.6,
            raiser=rng.choice(people),
        )
        acknowledge(concern, days_after=rng.choice([0, 1, 1, 2, 4]))
        answer(concern, days_after=rng.choice([3, 6, 9, 12, 16, 21]))
        concern.rating = rng.choice(["resolved", "resolved", "partly", "not_resolved", ""])
        concern.save(update_fields=["rating"])

    # Other departments: waiting and overdue ones, one sent back to HR, one hidden by HR.
    for code in ["finance", "procurement", "logistics"]:
        subject, parameter = SUBJECTS[code][0]
        make(departments[code], subject, parameter, days_ago=rng.choice([1, 5, 12]), anonymous=True)
    subject, parameter = SUBJECTS["facilities"][0]
    sent_back = make(departments["facilities"], subject, parameter, days_ago=2, anonymous=False, raiser=demo)
    sent_back.status = Concern.Status.WITH_HR
    sent_back.not_ours_reason = "Room bookings are run by IT's calendar system, not by Facilities."
    sent_back.save()
    hidden = make(departments["finance"], "About a named colleague", "communication", days_ago=4, anonymous=True)
    hidden.hidden_at = timezone.now() - timedelta(days=1)
    hidden.hidden_reason = "It names and insults a colleague; the raiser was told how to use the grievance process."
    hr_user = Employee.objects.filter(department__code="hr", user__groups__name="HR admins").first()
    hidden.hidden_by = hr_user.user if hr_user else None
    hidden.save()

    counts = {status: Concern.objects.filter(status=status).count() for status in Concern.Status.values}
    overdue = Concern.objects.overdue().count()
    line = ", ".join(f"{count} {Concern.Status(status).label}" for status, count in counts.items() if count)
    return [f"concerns: {Concern.objects.count()} ({line}; {overdue} overdue)"], codes
