from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, AuditResult, AuditScore
from audits.services import findings_tell_heads
from departments.models import Delegate
from improvements.models import ActionItem
from tests.factories import make_audit, make_audit_template


@pytest.fixture
def audit(org):
    """IT's audit (a critical pass/fail item on Responsiveness, a 1–5 item on Quality), by the outsider,
    whose name appears nowhere else."""
    org.outsider.user.first_name, org.outsider.user.last_name = "Quintessa", "Auditorsdottir"
    org.outsider.user.save()
    return make_audit(make_audit_template(org.it), org.outsider)


def record_post(**changes):
    values = {
        "requested_on": timezone.localdate().isoformat(),
        "response_hours": "3.5",
        "score_0": "1",
        "note_0": "",
        "score_1": "4",
        "note_1": "Friendly, explained the fix.",
    }
    return values | changes


def test_the_auditor_records_and_submits_and_the_scores_are_stored(as_, org, audit):
    response = as_(org.outsider).post(reverse("audits:record", args=[audit.pk]), record_post())

    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SUBMITTED
    # Pass (100, weight 1) and 4 of 5 (75, weight 2).
    assert float(audit.overall) == pytest.approx((100 + 75 * 2) / 3, abs=0.01)
    results = {result.parameter.code: float(result.score) for result in AuditResult.objects.filter(audit=audit)}
    assert results == {"responsiveness": 100, "quality": 75}
    assert AuditScore.objects.filter(audit=audit).count() == 2
    assert not ActionItem.objects.exists()  # no critical failure


def test_a_submitted_audit_is_read_only(as_, org, audit):
    client = as_(org.outsider)
    client.post(reverse("audits:record", args=[audit.pk]), record_post())
    again = client.post(reverse("audits:record", args=[audit.pk]), record_post(score_1="1"))

    assert again.status_code == 200 and "can no longer be changed" in again.content.decode()
    assert AuditScore.objects.get(audit=audit, item__kind="scale").score == 4


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"requested_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "cannot be in the future"),
        ({"requested_on": (timezone.localdate() - timedelta(days=30)).isoformat()}, "was scheduled on"),
        ({"response_hours": "-1"}, "from 0 to 2000 hours"),
        ({"response_hours": "5000"}, "from 0 to 2000 hours"),
        ({"score_0": "3"}, "Select a valid choice"),  # a pass/fail item
        ({"score_1": "0"}, "Select a valid choice"),  # a 1–5 item
        ({"score_1": ""}, "Score this item."),
    ],
)
def test_wrong_values_are_refused_with_a_message_and_nothing_is_written(as_, org, audit, changes, message):
    response = as_(org.outsider).post(reverse("audits:record", args=[audit.pk]), record_post(**changes))

    assert response.status_code == 200 and message in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SCHEDULED and not AuditScore.objects.exists()


@pytest.mark.parametrize("who", ["colleague", "head", "outsider_head", "hr"])
def test_anyone_but_the_assigned_auditor_gets_404_and_writes_nothing(as_, org, audit, who):
    client = as_(getattr(org, who))
    assert client.get(reverse("audits:record", args=[audit.pk])).status_code == 404
    assert client.post(reverse("audits:record", args=[audit.pk]), record_post()).status_code == 404
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SCHEDULED


def test_an_auditor_who_became_a_delegate_of_the_department_can_no_longer_record(as_, org, audit):
    Delegate.objects.create(department=org.it, employee=org.outsider)

    response = as_(org.outsider).post(reverse("audits:record", args=[audit.pk]), record_post())

    assert response.status_code == 200 and "outside IT" in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SCHEDULED


def test_an_auditor_who_moved_into_the_department_can_no_longer_record(as_, org, audit):
    org.outsider.department = org.it
    org.outsider.save()

    response = as_(org.outsider).post(reverse("audits:record", args=[audit.pk]), record_post())

    assert "outside IT" in response.content.decode()
    assert not AuditScore.objects.exists()


# --- a failed critical item ----------------------------------------------------------------------


def test_a_failed_critical_item_raises_exactly_one_action_item_linked_to_the_audit(as_, org, audit):
    as_(org.outsider).post(reverse("audits:record", args=[audit.pk]), record_post(score_0="0"))

    item = ActionItem.objects.get()
    result = AuditResult.objects.get(audit=audit, parameter__code="responsiveness")
    assert result.action_item == item
    assert AuditResult.objects.exclude(action_item=None).count() == 1
    assert item.department == org.it and item.created_by is None
    assert list(item.owners.all()) == [org.head]
    assert list(item.parameters.values_list("code", flat=True)) == ["responsiveness"]
    # Dated by months only, as the department sees the audit: from the request's month to the
    # end of the month after the submit's.
    today = timezone.localdate()
    assert timezone.localtime(item.created_at).date() == today.replace(day=1)
    assert item.due_on.month == (today.month % 12) + 1 and (item.due_on + timedelta(days=1)).day == 1


def test_a_critical_one_to_five_item_fails_at_two_and_not_at_three(as_, org):
    template = make_audit_template(org.it, [("responsiveness", "scale", 1, True)])
    low, fair = make_audit(template, org.outsider), make_audit(template, org.outsider)
    client = as_(org.outsider)
    client.post(reverse("audits:record", args=[fair.pk]), {"requested_on": timezone.localdate(), "score_0": "3"})
    assert not ActionItem.objects.exists()
    client.post(reverse("audits:record", args=[low.pk]), {"requested_on": timezone.localdate(), "score_0": "2"})
    assert ActionItem.objects.count() == 1


def test_the_action_items_history_and_pages_never_name_the_auditor(as_, org, audit):
    as_(org.outsider).post(reverse("audits:record", args=[audit.pk]), record_post(score_0="0"))
    item = ActionItem.objects.get()

    # The item's row, and the rows its parameters and owners added (simple-history's m2m records).
    history = list(item.history.all())
    assert len(history) >= 3
    assert all(row.history_user_id is None for row in history)
    auditor = org.outsider
    for client, url in [
        (as_(org.head), reverse("improvements:action_detail", args=["it", item.pk])),
        (as_(org.hr), reverse("improvements:action_detail", args=["it", item.pk])),
    ]:
        page = client.get(url).content.decode()
        assert auditor.full_name not in page and auditor.email not in page
        assert auditor.user.last_name not in page


def test_the_head_is_emailed_once_by_the_daily_task_without_the_auditor_or_the_date(
    as_, org, audit, django_capture_on_commit_callbacks
):
    requested = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        as_(org.outsider).post(reverse("audits:record", args=[audit.pk]), record_post(score_0="0"))
    # Not from the auditor's request: an email's time would say when they submitted.
    assert not [message for message in mail.outbox if message.to == [org.head.email]]

    with django_capture_on_commit_callbacks(execute=True):
        assert findings_tell_heads() == 1
        assert findings_tell_heads() == 0  # once

    to_head = [message for message in mail.outbox if message.to == [org.head.email]]
    assert len(to_head) == 1
    text = to_head[0].subject + to_head[0].body
    assert "A mystery-shopping audit found" in text
    assert org.outsider.full_name not in text and org.outsider.email not in text
    assert org.outsider.user.last_name not in text
    assert requested.strftime("%B %Y") in text
    for spelled in (requested.isoformat(), f"{requested.day} {requested:%B}", f"{requested:%B} {requested.day},"):
        assert spelled not in text


def test_no_email_when_nothing_critical_failed(as_, org, audit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        as_(org.outsider).post(reverse("audits:record", args=[audit.pk]), record_post())
        assert findings_tell_heads() == 0
    assert mail.outbox == []
    assert not [message for message in mail.outbox if message.to == [org.head.email]]
