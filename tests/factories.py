"""Test data: factory_boy factories, and builders of cycles, answers and generated survey results."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from departments.models import HR_GROUP_NAME, Department, Dependency, Employee, ServiceParameter
from scorecards.services import cycle_aggregate
from survey_portal.csvfiles import CsvFile
from surveys import services
from surveys.models import Cycle, Invitation
from surveys.past_import import responses_import

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    username = factory.SelfAttribute("email")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"Department {n}")
    description = "Helps everyone with things."


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    job_title = "Specialist"


class ServiceParameterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceParameter

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"param-{n}")
    name = factory.Sequence(lambda n: f"Parameter {n}")
    description = "You can expect this."
    target = "4.00"
    position = factory.Sequence(lambda n: n)


class DependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependency

    consumer = factory.SubFactory(DepartmentFactory)
    provider = factory.SubFactory(DepartmentFactory)


def make_hr(employee: Employee) -> Employee:
    employee.user.groups.add(Group.objects.get(name=HR_GROUP_NAME))
    return employee


def make_hr_admin(email: str):
    """An HR admin who is no employee (as on a new install, before the organisation is imported)."""
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get(name=HR_GROUP_NAME))
    return user


def charter_post(department: Department, changes: dict | None = None, extra: dict | None = None) -> dict:
    """The charter formset as the page would post it, with optional per-field changes."""
    parameters = list(ServiceParameter.objects.filter(department=department).order_by("-active", "position", "name"))
    data = {
        "form-TOTAL_FORMS": str(len(parameters) + 1),
        "form-INITIAL_FORMS": str(len(parameters)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, p in enumerate(parameters):
        data.update(
            {
                f"form-{i}-id": str(p.pk),
                f"form-{i}-name": p.name,
                f"form-{i}-code": p.code,
                f"form-{i}-description": p.description,
                f"form-{i}-target": str(p.target),
                f"form-{i}-weight": str(p.weight),
                f"form-{i}-position": str(p.position),
            }
        )
        if p.active:
            data[f"form-{i}-active"] = "on"
    blank = len(parameters)
    data.update({f"form-{blank}-target": "4.00", f"form-{blank}-weight": "1.00", f"form-{blank}-position": "0"})
    data[f"form-{blank}-active"] = "on"
    data.update(changes or {})
    data.update({f"form-{blank}-{k}": v for k, v in (extra or {}).items()})
    return data


def upload(name: str, text: str | bytes) -> SimpleUploadedFile:
    """A CSV file as a browser uploads it."""
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


# --- cycles and answers -------------------------------------------------------------------------


def make_cycle(org, *, status: str = "draft", **fields) -> Cycle:
    now = timezone.now()
    cycle = Cycle.objects.create(
        name=fields.pop("name", "Q1 survey"),
        opens_at=fields.pop("opens_at", now - timedelta(hours=1)),
        closes_at=fields.pop("closes_at", now + timedelta(days=14)),
        **fields,
    )
    cycle.departments.set([org.it, org.sales])
    if status == "open":
        services.cycle_open(cycle_id=cycle.pk)
        cycle.refresh_from_db()
    return cycle


def make_closed_cycle(org, name: str = "Closed one") -> Cycle:
    """IT and Sales rated in a cycle now closed and aggregated: three people answered, all good."""
    closed = make_cycle(org, status="open", name=name)
    for employee in (org.outsider, org.outsider_head, org.hr):
        services.response_submit(invitation=Invitation.objects.get(cycle=closed, employee=employee), scores=ALL_GOOD)
    services.cycle_close(cycle_id=closed.pk)
    cycle_aggregate(cycle_id=closed.pk)
    return closed


def cycle_post(org, **overrides) -> dict:
    """The new-cycle form as HR posts it: opens tomorrow for two weeks, rating IT and Sales."""
    now = timezone.localtime()
    data = {
        "name": "Spring survey",
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=15)).strftime("%Y-%m-%dT%H:%M"),
        "departments": [org.it.pk, org.sales.pk],
        "score_threshold": "5",
        "comment_threshold": "10",
        "reminder_days_after_open": "3",
        "reminder_days_before_close": "2",
        "intro": "",
    }
    return data | overrides


ALL_GOOD = {"responsiveness": 4, "quality": 5}
JSON = {"HTTP_ACCEPT": "application/json"}  # as the survey page's script sends its forms


def answers(provider: str = "it", action: str = "submit", comment_good: str = "", **scores) -> dict:
    """The POST of one department's form on the survey page (its fields carry the department's code)."""
    data = {f"{provider}-q_{code}": str(score) for code, score in scores.items()}
    return data | {f"{provider}-comment_good": comment_good, f"{provider}-comment_improve": "", "action": action}


# --- generated survey data for the scorecard tests, loaded through the real past-results import ---
# `Generated.responses` keeps every response as generated, so the tests can compute the expected
# figures independently (NumPy / SciPy) and compare them with what the aggregation stored.

CHARTERS = {
    "it": [("resp", "1", "4.00"), ("qual", "2", "3.75"), ("avail", "1", "4.25")],
    "fin": [("resp", "1", "4.00"), ("acc", "1", "4.50")],
    "fac": [("resp", "1", "4.00"), ("clean", "1", "4.00")],
    "tiny": [("resp", "1", "4.00")],
}
RATERS = ["sales", "hr", "ops", "legal", "audit"]
# (provider, rater) -> responses. IT's row hides legal (3) and audit (2): 5 hidden, enough. Finance's
# row hides legal (2), then ops (6, the smallest shown) so that the hidden cells hold 8 >= 5.
# Facilities: 7 responses (scores shown, comments not); tiny: 3 responses (nothing shown).
PLAN = {
    ("it", "sales"): 30,
    ("it", "hr"): 12,
    ("it", "ops"): 8,
    ("it", "legal"): 3,
    ("it", "audit"): 2,
    ("fin", "sales"): 20,
    ("fin", "hr"): 9,
    ("fin", "ops"): 6,
    ("fin", "legal"): 2,
    ("fac", "sales"): 7,
    ("tiny", "hr"): 3,
}
MEANS = {"resp": 3.2, "qual": 3.9, "avail": 4.0, "acc": 4.1, "clean": 3.5}
GOOD = ["Helpful", "Fast", "Kind <b>people</b>", "=cmd|' /C calc'!A0"]
IMPROVE = ["Answer emails", "Explain decisions", "Fewer forms"]


@dataclass
class Generated:
    cycle: Cycle
    responses: list[dict] = field(default_factory=list)

    def scores(self, provider: str, parameter: str) -> list[int]:
        return [
            r["scores"][parameter]
            for r in self.responses
            if r["department"] == provider and r["scores"].get(parameter)
        ]


def make_org(providers=CHARTERS, raters=RATERS) -> dict[str, Department]:
    departments = {}
    for code in [*providers, *raters]:
        departments[code] = DepartmentFactory(code=code, name=code.upper() if len(code) <= 3 else code.title())
    for provider, parameters in providers.items():
        for position, (code, weight, target) in enumerate(parameters):
            ServiceParameterFactory(
                department=departments[provider],
                code=code,
                name=code.title(),
                weight=weight,
                target=target,
                position=position,
            )
    return departments


def generate(
    name: str,
    *,
    seed: int,
    plan=PLAN,
    opens=date(2026, 1, 5),
    shift: dict[tuple[str, str], float] | None = None,
    same_as: Generated | None = None,
    threshold: int = 5,
    comment_threshold: int = 10,
    aggregate: bool = True,
    charters=CHARTERS,
) -> Generated:
    """Generate responses for `plan`, import them as a closed cycle and (by default) aggregate it.

    `same_as` repeats another cycle's answers exactly (for "no change"), `shift` moves the mean of a
    (provider, parameter). IT's "avail" is rated by four people only, so it is suppressed.
    """
    rng = random.Random(seed)
    shift = shift or {}
    responses = []
    if same_as is not None:
        responses = [dict(r) for r in same_as.responses]
    else:
        avail_left = 4
        for (provider, rater), count in plan.items():
            for _ in range(count):
                scores: dict[str, int | None] = {}
                for code, _weight, _target in charters[provider]:
                    if code == "avail":
                        scores[code] = rng.randint(2, 5) if (provider == "it" and avail_left > 0) else None
                        avail_left -= provider == "it"
                        continue
                    if rng.random() < 0.08:
                        scores[code] = None
                        continue
                    mean = MEANS.get(code, 3.7) + shift.get((provider, code), 0.0)
                    scores[code] = max(1, min(5, round(rng.gauss(mean, 1.0))))
                responses.append(
                    {
                        "rater": rater,
                        "department": provider,
                        "scores": scores,
                        "good": rng.choice(GOOD) if rng.random() < 0.3 else "",
                        "improve": rng.choice(IMPROVE) if rng.random() < 0.3 else "",
                    }
                )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "response_id",
            "rater_department",
            "provider_department",
            "parameter",
            "score",
            "comment_good",
            "comment_improve",
        ]
    )
    for number, r in enumerate(responses):
        for code, score in r["scores"].items():
            writer.writerow([f"r{number}", r["rater"], r["department"], code, score or "", r["good"], r["improve"]])
    result = responses_import(
        file=CsvFile(f"{name}.csv", buffer.getvalue().encode()),
        name=name,
        opens=opens,
        closes=opens + timedelta(days=10),
        threshold=threshold,
        comment_threshold=comment_threshold,
    )
    if aggregate:
        cycle_aggregate(cycle_id=result.cycle.pk)
    return Generated(result.cycle, responses)


# --- the demo, for a tour of every page (tests/e2e/test_accessibility.py) ----------------------


def make_demo(tmp_dir) -> dict[str, str]:
    """The demo of `make demo` (seed_demo: 12 departments, 300 people, two published cycles, a closed
    one waiting to be published, an open one with the demo employee's draft, and a draft cycle).
    Returns the demo logins by role (password DEMO_PASSWORD)."""
    from django.core.management import call_command

    from portal.management.commands.seed_demo import demo_files

    call_command("seed_demo", stdout=io.StringIO())
    return demo_files()[1]


def make_concern(department, *, raised_on=None, raised_by=None, subject="Laptop requests go unanswered", **fields):
    """A concern as the services write it (named when `raised_by` is given, else anonymous), its
    clocks counted from `raised_on` (default today)."""
    from concerns import receipts, services
    from concerns.models import Concern

    raised_on = raised_on or services.today()
    anonymous = raised_by is None
    code = receipts.new_code()
    concern = Concern.objects.create(
        department=department,
        subject=subject,
        description="I asked three times and heard nothing.",
        anonymous=anonymous,
        raised_by=raised_by,
        raiser_department=raised_by.department if raised_by else None,
        receipt_hash=receipts.receipt_hash(code) if anonymous else None,
        raised_on=raised_on,
        **services._clocks(raised_on) | fields,
    )
    concern.code = code if anonymous else None
    return concern


def improvements_world(org) -> dict:
    """IT's action item (owned by the colleague), its commitment and one of HR's suggested actions:
    what the permission and bad-input matrices open the action-plan pages with."""
    from improvements.models import ActionTemplate, Commitment
    from improvements.services import action_create

    today = timezone.localdate()
    action = action_create(
        department=org.it,
        author=org.head,
        title="Answer every ticket within a day",
        change="Tickets are answered within a working day.",
        parameters=[org.it.parameters.order_by("position").first()],
        owners=[org.colleague],
        due_on=today + timedelta(days=30),
    )
    commitment = Commitment.objects.create(
        department=org.it, text="answer within a day", due_on=today + timedelta(days=20)
    )
    suggestion = ActionTemplate.objects.create(
        parameter_name="Responsiveness", title="Publish response times", change="Publish and measure them."
    )
    return {"action": action, "commitment": commitment, "suggestion": suggestion}


# --- measured service levels (tests/kpis, the matrices) ----------------------------------------------


def kpi_post(**changes) -> dict:
    """A KPI as its form posts it: hours, lower is better, agreed 4, warning 3, no parameter."""
    return {
        "name": "First answer to a ticket",
        "code": "first-answer",
        "unit": "hours",
        "direction": "lower",
        "frequency": "monthly",
        "agreed": "4",
        "warning": "3",
        "parameter": "",
    } | changes


def make_kpi(department, *, code: str = "tickets-2-days", values=(), **fields):
    """A KPI of `department`: "Tickets resolved within 2 working days", percent, higher is better,
    agreed 90 %, monthly; `values` are (period_start, period_end, value) written directly."""
    from decimal import Decimal

    from kpis.models import Kpi, KpiValue

    defaults = {
        "name": "Tickets resolved within 2 working days",
        "unit": Kpi.Unit.PERCENT,
        "direction": Kpi.Direction.HIGHER,
        "agreed": Decimal("90"),
    }
    kpi = Kpi.objects.create(department=department, code=code, **defaults | fields)
    for start, end, value in values:
        KpiValue.objects.create(kpi=kpi, period_start=start, period_end=end, value=Decimal(str(value)))
    return kpi


# --- mystery-shopping audits (tests/audits, the matrices) ---------------------------------------

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.4\n%fake but starts right\n"


def make_audit_template(department, items=None, *, name="Walk-in: a broken laptop"):
    """A template of `department` with its items: (parameter code, kind, weight, critical) each;
    by default a critical pass/fail item and a 1–5 item on the first two parameters."""
    from audits.models import AuditItem, AuditTemplate

    parameters = list(department.parameters.order_by("position", "pk"))
    if items is None:
        items = [(parameters[0].code, "pass_fail", 1, True), (parameters[-1].code, "scale", 2, False)]
    template = AuditTemplate.objects.create(
        department=department, name=name, scenario="Walk to the desk with a laptop that will not start."
    )
    for position, (code, kind, weight, critical) in enumerate(items):
        AuditItem.objects.create(
            template=template,
            parameter=department.parameters.get(code=code),
            text=f"Check {position + 1}: {code}",
            kind=kind,
            weight=weight,
            critical=critical,
            position=position,
        )
    return template


def make_audit(template, auditor, *, due_on=None, scheduled_on=None):
    """A scheduled audit of the template's department, as HR's form makes it (no email)."""
    from audits.models import Audit

    today = timezone.localdate()
    return Audit.objects.create(
        template=template,
        department=template.department,
        auditor=auditor,
        due_on=due_on or today + timedelta(days=14),
        scheduled_on=scheduled_on or today - timedelta(days=7),
    )


def submit_audit(audit, scores, *, requested_on=None, response_hours="4.5", notes=None, files=()):
    """Submit `audit` through the service with `scores` in item order."""
    from decimal import Decimal

    from audits.services import ItemScore, audit_submit

    items = list(audit.template.items.order_by("position", "pk"))
    notes = notes or [""] * len(items)
    return audit_submit(
        audit=audit,
        auditor=audit.auditor,
        requested_on=requested_on or timezone.localdate(),
        response_hours=Decimal(response_hours) if response_hours is not None else None,
        scores={item.pk: ItemScore(score, note) for item, score, note in zip(items, scores, notes, strict=True)},
        files=files,
    )


def audits_world(org) -> dict:
    """An audit of IT carried out by the outsider (Sales): scheduled, with its template; a submitted
    one with an attachment. What the permission and bad-input matrices open the audit pages with."""
    template = make_audit_template(org.it)
    done = make_audit(template, org.outsider)
    submit_audit(done, [1, 4], files=[upload("receipt.png", PNG_BYTES)])
    return {
        "audit_template": template,
        "audit": make_audit(template, org.outsider),
        "audit_done": done,
        "audit_attachment": done.attachments.get(),
    }
