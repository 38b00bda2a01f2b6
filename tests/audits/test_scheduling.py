from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit
from audits.services import audit_schedule
from departments.models import Delegate
from departments.roles import can_audit
from tests.factories import EmployeeFactory, make_audit, make_audit_template


@pytest.fixture
def template(org):
    return make_audit_template(org.it)


def schedule_post(template, auditor, days=10):
    return {
        "template": template.pk,
        "auditor": auditor.pk,
        "due_on": (timezone.localdate() + timedelta(days=days)).isoformat(),
    }


def test_an_employee_outside_the_department_may_audit_it(org):
    assert can_audit(org.outsider, org.it)
    assert can_audit(org.outsider_head, org.it)  # heads another department


def test_its_own_people_its_head_and_its_delegates_may_not(org, delegate):
    assert not can_audit(org.colleague, org.it)
    assert not can_audit(org.head, org.it)
    assert not can_audit(delegate, org.it)
    # A delegate who works elsewhere is still one of the department's.
    Delegate.objects.create(department=org.it, employee=org.outsider)
    assert not can_audit(org.outsider, org.it)


def test_an_inactive_employee_may_not_audit(org):
    org.outsider.active = False
    org.outsider.save()
    assert not can_audit(org.outsider, org.it)


def test_hr_schedules_an_audit_and_the_auditor_is_emailed_a_link_to_its_page_only(
    as_, org, template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_(org.hr).post(reverse("audits:schedule"), schedule_post(template, org.outsider))

    audit = Audit.objects.get()
    assert response.status_code == 302
    assert (audit.department, audit.auditor, audit.status) == (org.it, org.outsider, "scheduled")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [org.outsider.email]
    links = [word for word in message.body.split() if "://" in word]
    assert len(links) == 1 and links[0].endswith(reverse("audits:record", args=[audit.pk]))


@pytest.mark.parametrize("who", ["colleague", "head", "delegate"])
def test_scheduling_refuses_the_departments_own_people(as_, org, template, delegate, who):
    auditor = delegate if who == "delegate" else getattr(org, who)
    response = as_(org.hr).post(reverse("audits:schedule"), schedule_post(template, auditor))

    assert response.status_code == 200
    assert "outside IT" in response.content.decode()
    assert not Audit.objects.exists() and not mail.outbox


def test_a_due_date_in_the_past_is_refused(as_, org, template):
    response = as_(org.hr).post(reverse("audits:schedule"), schedule_post(template, org.outsider, days=-1))

    assert "cannot be in the past" in response.content.decode()
    assert not Audit.objects.exists()


def test_the_service_checks_the_rule_too(org, template):
    with pytest.raises(ValidationError) as refused:
        audit_schedule(template=template, auditor=org.head, due_on=timezone.localdate(), scheduled_by=None)
    assert "auditor" in refused.value.message_dict
    assert not Audit.objects.exists()


def test_overdue_audits_are_those_scheduled_and_past_their_due_date(org, template):
    today = timezone.localdate()
    late = make_audit(
        template, org.outsider, due_on=today - timedelta(days=3), scheduled_on=today - timedelta(days=20)
    )
    make_audit(template, org.outsider, due_on=today)  # due today: not yet overdue
    cancelled = make_audit(template, org.outsider, due_on=today - timedelta(days=3))
    cancelled.status = Audit.Status.CANCELLED
    cancelled.save()

    assert list(Audit.objects.overdue(today)) == [late]
    assert late.days_overdue(today) == 3


def test_hr_sees_overdue_audits_first_with_the_days_overdue(as_, org, template):
    today = timezone.localdate()
    make_audit(template, org.outsider, due_on=today + timedelta(days=1))
    make_audit(template, org.outsider_head, due_on=today - timedelta(days=5), scheduled_on=today - timedelta(days=30))

    page = as_(org.hr).get(reverse("audits:hr")).content.decode()

    assert "5 days overdue" in page
    assert page.index(org.outsider_head.full_name) < page.index(org.outsider.full_name)


def test_hr_cancels_a_scheduled_audit(as_, org, template):
    audit = make_audit(template, org.outsider)
    as_(org.hr).post(reverse("audits:detail", args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.status == Audit.Status.CANCELLED


def test_the_hr_list_costs_the_same_queries_whatever_its_length(as_, org, template, django_assert_max_num_queries):
    client = as_(org.hr)
    make_audit(template, org.outsider)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("audits:hr"))
    for _ in range(15):
        make_audit(template, EmployeeFactory(department=org.sales))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("audits:hr"))


def test_the_auditor_sees_their_audits_and_others_have_an_empty_list(as_, org, template):
    make_audit(template, org.outsider)
    assert template.name in as_(org.outsider).get(reverse("audits:mine")).content.decode()
    page = as_(org.outsider_head).get(reverse("audits:mine")).content.decode()
    assert template.name not in page and "No audits for you" in page


def test_the_auditors_list_costs_the_same_queries_whatever_its_length(
    as_, org, template, django_assert_max_num_queries
):
    client = as_(org.outsider)
    make_audit(template, org.outsider)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("audits:mine"))
    for _ in range(15):
        make_audit(template, org.outsider)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("audits:mine")).status_code == 200


def test_hr_gets_one_digest_of_newly_overdue_audits_each_listed_once(
    org, template, django_capture_on_commit_callbacks
):
    from audits.services import overdue_digest_send

    today = timezone.localdate()
    late = make_audit(template, org.outsider, due_on=today - timedelta(days=2), scheduled_on=today - timedelta(days=9))
    make_audit(template, org.outsider_head, due_on=today + timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        assert overdue_digest_send(today=today) == 1
        assert overdue_digest_send(today=today + timedelta(days=1)) == 0

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [org.hr.email]
    assert org.outsider.full_name in mail.outbox[0].body and "2 days overdue" in mail.outbox[0].body
    assert reverse("audits:detail", args=[late.pk]) in mail.outbox[0].body
