"""Writes of the audits: scheduling (and cancelling) an audit, and the auditor's submission, which
stores the scores, the results and the attachments and raises an action item for each parameter
with a failed critical item.

Who may call what is checked by the views (HR schedules; only the assigned auditor submits);
these check what is written, and re-check the auditor rule (departments.roles.can_audit).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from departments.models import Employee
from departments.roles import can_audit, hr_admin_emails
from improvements.services import action_create, owners_by_rule

from . import attachments, scoring
from .models import Audit, AuditAttachment, AuditItem, AuditResult, AuditScore, AuditTemplate

RESPONSE_HOURS_MAX = Decimal("2000")  # about three months: more is a typing error
AUDITOR_REFUSED = gettext_lazy(
    "The auditor must be an active employee outside {department}, and not its head or a delegate."
)


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def month_label(day: datetime.date) -> str:
    return day.strftime("%B %Y")


@transaction.atomic
def audit_schedule(
    *,
    template: AuditTemplate,
    auditor: Employee,
    due_on: datetime.date,
    scheduled_by,
    today: datetime.date | None = None,
) -> Audit:
    """Schedule an audit of the template's department and email the auditor a link to it.

    For HR. The template must be active and have items, the auditor pass can_audit, and the due
    date not be in the past. Raises ValidationError (naming the field) and writes nothing otherwise."""
    today = today or timezone.localdate()
    department = template.department
    errors: dict[str, str] = {}
    if not template.active:
        errors["template"] = _("This template is inactive: activate it first.")
    elif not template.items.exists():
        errors["template"] = _("This template has no checklist items yet.")
    if not can_audit(auditor, department):
        errors["auditor"] = AUDITOR_REFUSED.format(department=department.name)
    if due_on < today:
        errors["due_on"] = _("The due date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    audit = Audit.objects.create(
        template=template,
        department=department,
        auditor=auditor,
        due_on=due_on,
        scheduled_on=today,
        scheduled_by=scheduled_by,
    )
    transaction.on_commit(lambda: notify_auditor(audit))
    return audit


def notify_auditor(audit: Audit) -> None:
    """The auditor's email: what to audit, by when, and the link to the audit's page (nothing else)."""
    context = {
        "audit": audit,
        "template": audit.template,
        "department": audit.department,
        "auditor": audit.auditor,
        "link": settings.SITE_URL + reverse("audits:record", args=[audit.pk]),
    }
    send_mail(
        _("A mystery-shopping audit for you: %(department)s") % {"department": audit.department.name},
        render_to_string("audits/email_auditor.txt", context),
        None,
        [audit.auditor.email],
    )


@transaction.atomic
def audit_cancel(*, audit: Audit) -> bool:
    """HR cancels a scheduled audit; False (nothing changed) when it was no longer scheduled."""
    return bool(Audit.objects.filter(pk=audit.pk, status=Audit.Status.SCHEDULED).update(status=Audit.Status.CANCELLED))


@dataclass(frozen=True)
class ItemScore:
    score: int
    note: str = ""


def _check_submission(
    *,
    audit: Audit,
    auditor: Employee,
    items: list[AuditItem],
    requested_on: datetime.date,
    response_hours: Decimal | None,
    scores: Mapping[int, ItemScore],
    today: datetime.date,
) -> None:
    errors: dict[str, list[str] | str] = {}
    if audit.status != Audit.Status.SCHEDULED:
        raise ValidationError(_("This audit was already submitted or cancelled: nothing was changed."))
    if auditor.pk != audit.auditor_id or not can_audit(auditor, audit.department):
        raise ValidationError(AUDITOR_REFUSED.format(department=audit.department.name))
    if requested_on > today:
        errors["requested_on"] = _("The date of the request cannot be in the future.")
    elif requested_on < audit.scheduled_on:
        errors["requested_on"] = _("The request was made before the audit was scheduled: check the date.")
    if response_hours is not None and not Decimal(0) <= response_hours <= RESPONSE_HOURS_MAX:
        errors["response_hours"] = _("The response time is from 0 to %(max)s hours.") % {"max": RESPONSE_HOURS_MAX}
    missing = [item for item in items if item.pk not in scores]
    wrong = [
        item
        for item in items
        if item.pk in scores
        and not (
            scores[item.pk].score in (scoring.PASS, scoring.FAIL)
            if item.kind == AuditItem.Kind.PASS_FAIL
            else 1 <= scores[item.pk].score <= 5
        )
    ]
    if missing or wrong or set(scores) - {item.pk for item in items}:
        errors["scores"] = _("Score every item of the checklist, as each item says (pass/fail or 1–5).")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def audit_submit(
    *,
    audit: Audit,
    auditor: Employee,
    requested_on: datetime.date,
    response_hours: Decimal | None,
    scores: Mapping[int, ItemScore],
    files: Sequence = (),
    today: datetime.date | None = None,
) -> Audit:
    """The auditor submits the audit: exactly once, then it is read-only.

    `scores` maps each item id of the template to its score (1 pass / 0 fail, or 1–5) and note. The
    request date is between the scheduling date and today, the response time 0 to 2,000 hours, the
    files images or PDFs within the limits (audits.attachments), and the auditor still passes
    can_audit. Raises ValidationError and writes nothing when any is wrong. Stores the scores, the
    attachments (default_storage, random names), the overall and per-parameter results; for each
    parameter with a failed critical item, one action item for the department (no author, dated by
    the day, owned by its head, due in 30 days), linked from the result; the head's email follows
    with the next daily findings_tell_heads. Atomic."""
    today = today or timezone.localdate()
    items = list(audit.template.items.select_related("parameter"))
    _check_submission(
        audit=audit,
        auditor=auditor,
        items=items,
        requested_on=requested_on,
        response_hours=response_hours,
        scores=scores,
        today=today,
    )
    try:
        kinds = attachments.check_files(files, already=audit.attachments.count())
    except ValidationError as error:
        raise ValidationError({"attachments": error.messages}) from None
    score = scoring.audit_score(
        scoring.Scored(item.parameter_id, item.weight, item.kind, scores[item.pk].score) for item in items
    )
    audit.status = Audit.Status.SUBMITTED
    audit.requested_on, audit.response_hours = requested_on, response_hours
    audit.submitted_at, audit.overall = timezone.now(), _money(score.overall)
    # Claimed with a conditional update: a double submit (two tabs, a double click) writes once.
    claimed = Audit.objects.filter(pk=audit.pk, status=Audit.Status.SCHEDULED).update(
        status=audit.status,
        requested_on=requested_on,
        response_hours=response_hours,
        submitted_at=audit.submitted_at,
        overall=audit.overall,
    )
    if not claimed:
        raise ValidationError(_("This audit was already submitted or cancelled: nothing was changed."))
    AuditScore.objects.bulk_create(
        AuditScore(audit=audit, item=item, score=scores[item.pk].score, note=scores[item.pk].note.strip())
        for item in items
    )
    results = {
        parameter_id: AuditResult(audit=audit, parameter_id=parameter_id, score=_money(value))
        for parameter_id, value in score.by_parameter.items()
    }
    failed = [item for item in items if item.critical and scoring.is_failed(item.kind, scores[item.pk].score)]
    raised = _raise_actions(audit, failed, requested_on, today)
    for parameter_id, action in raised.items():
        results[parameter_id].action_item = action
    AuditResult.objects.bulk_create(results.values())
    _store_files(audit, files, kinds)
    # The head hears of raised actions from the daily findings_tell_heads, not from this request.
    return audit


def _raise_actions(audit: Audit, failed: list[AuditItem], requested_on: datetime.date, today: datetime.date) -> dict:
    """One action item per parameter with failed critical items, owned by the department's head
    (else its delegates; with neither, none: HR sees the failure on the audit's page). Dated by
    months only, as the department sees the audit: created on the first of the request's month,
    due at the end of the month after the submit's."""
    owners = owners_by_rule(audit.department)
    if not owners or not failed:
        return {}
    due_on = (today.replace(day=1) + timedelta(days=62)).replace(day=1) - timedelta(days=1)
    by_parameter: dict[int, list[AuditItem]] = {}
    for item in failed:
        by_parameter.setdefault(item.parameter_id, []).append(item)
    raised = {}
    for items in by_parameter.values():
        parameter = items[0].parameter
        checks = "; ".join(item.text for item in items)
        raised[parameter.pk] = action_create(
            department=audit.department,
            author=None,
            title=f"Mystery-shopping audit: {parameter.name} failed a critical check"[:200],
            change=(
                f"A mystery-shopping audit in {month_label(requested_on)} ({audit.template.name}) failed "
                f"these critical checks: {checks}. Say what will change so that they pass."
            )[:2000],
            parameters=[parameter],
            owners=owners,
            due_on=due_on,
            today=today,
            dated_on=requested_on.replace(day=1),
        )
    return raised


def _store_files(audit: Audit, files: Sequence, kinds: list[str]) -> None:
    """Written last, after every check: a file whose row cannot be written is deleted again."""
    stored: list[str] = []
    try:
        for upload, kind in zip(files, kinds, strict=True):
            original = "".join(c if c.isprintable() else "_" for c in str(upload.name))[-200:] or "attachment"
            attachment = AuditAttachment(audit=audit, original_name=original, kind=kind, size=upload.size)
            attachment.file.save(original, upload, save=False)
            stored.append(str(attachment.file.name))
            attachment.save()
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise


def findings_tell_heads(*, today: datetime.date | None = None) -> int:
    """Email each head whose department's submitted audits raised action items and were not yet
    told of, one email per audit, and return how many. For the daily beat task: the email's time
    is the task's, never the auditor's submit. Each audit is claimed with a conditional update
    before its email is sent, so two runs at once never send one twice; a failed email is rolled
    back with its claim and sent by the next run."""
    today = today or timezone.localdate()
    waiting = (
        Audit.objects.completed()
        .filter(head_told_on=None, results__action_item__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    told = 0
    for audit_id in list(waiting):
        # Claimed, told and kept in one transaction: a failed email leaves it for the next run.
        with transaction.atomic():
            if not Audit.objects.filter(pk=audit_id, head_told_on=None).update(head_told_on=today):
                continue
            audit = Audit.objects.select_related("template", "department__head__user").get(pk=audit_id)
            results = audit.results.filter(action_item__isnull=False).select_related("action_item")
            failed = [
                score.item
                for score in audit.scores.select_related("item__parameter")
                if score.item.critical and scoring.is_failed(score.item.kind, score.score)
            ]
            notify_head(audit, failed, [result.action_item for result in results])
        told += 1
    return told


def notify_head(audit: Audit, failed: list[AuditItem], actions: list) -> None:
    """One email to the department's head: which critical checks failed, in which month, and the
    action items raised; never who audited or on which day."""
    head = audit.department.head
    if head is None:
        return
    context = {
        "department": audit.department,
        "head": head,
        "month": month_label(audit.requested_on or timezone.localdate()),
        "template": audit.template,
        "failed": failed,
        "links": [
            settings.SITE_URL + reverse("improvements:action_detail", args=[audit.department.code, action.pk])
            for action in actions
        ],
    }
    send_mail(
        _("A mystery-shopping audit found a critical failure at %(department)s")
        % {"department": audit.department.name},
        render_to_string("audits/email_head.txt", context),
        None,
        [head.email],
    )


@transaction.atomic
def overdue_digest_send(*, today: datetime.date | None = None) -> int:
    """Email HR one digest of the audits that became overdue since the last one, and return how many.
    Each overdue audit is listed once (claimed with a conditional update, so two runs at once never
    list it twice); nothing is sent when none is new. For the daily beat task."""
    today = today or timezone.localdate()
    new = Audit.objects.overdue(today).filter(overdue_reported_on=None)
    # Claimed one by one: a run lists only the audits it claimed itself, never another run's.
    ids = [
        pk
        for pk in new.values_list("pk", flat=True)
        if Audit.objects.filter(pk=pk, overdue_reported_on=None).update(overdue_reported_on=today)
    ]
    if not ids:
        return 0
    audits = list(
        Audit.objects.filter(pk__in=ids)
        .select_related("template", "department", "auditor__user")
        .order_by("due_on", "pk")
    )
    rows = [
        (audit, audit.days_overdue(today), settings.SITE_URL + reverse("audits:detail", args=[audit.pk]))
        for audit in audits
    ]
    context = {"rows": rows, "list_link": settings.SITE_URL + reverse("audits:hr")}
    to = hr_admin_emails()
    if to:
        body = render_to_string("audits/email_overdue.txt", context)
        transaction.on_commit(
            lambda: send_mail(
                ngettext(
                    "%(count)s mystery-shopping audit overdue", "%(count)s mystery-shopping audits overdue", len(rows)
                )
                % {"count": len(rows)},
                body,
                None,
                to,
            )
        )
    return len(rows)
