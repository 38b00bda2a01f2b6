"""Reviewing nominations: approving one into an award, declining it with a reason, merging a
duplicate into another. Each is atomic and conditional on the nomination still waiting for review,
so when two reviewers act at once one wins and the other is told (NominationError)."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.languages import emails_by_language
from departments.models import Employee
from surveys.models import Cycle

from .models import Award, Nomination

ALREADY_REVIEWED = gettext_lazy(
    "Someone else reviewed this nomination a moment ago: it is no longer waiting for review."
)


class NominationError(Exception):
    """Why a review could not be written, in words for the reviewer."""


def _claim(nomination: Nomination, *, by, **fields) -> None:
    """Move a pending nomination to its decision, or refuse if it was decided meanwhile."""
    claimed = Nomination.objects.filter(pk=nomination.pk, status=Nomination.Status.PENDING).update(
        reviewed_by=by, reviewed_at=timezone.now(), **fields
    )
    if claimed != 1:
        raise NominationError(str(ALREADY_REVIEWED))
    nomination.refresh_from_db()


def award_recipients(award: Award) -> list[str]:
    """The department's active members and the named colleague, each address once."""
    emails = list(
        Employee.objects.active()
        .filter(department=award.department)
        .order_by("pk")
        .values_list("user__email", flat=True)
    )
    if award.employee is not None:
        emails.append(award.employee.email)
    return list(dict.fromkeys(email for email in emails if email))


def award_notify(award: Award) -> None:
    """One email to each recipient of an award by nomination, in their language (their profile's,
    else the site's)."""
    context = {"award": award, "url": reverse("recognition:wall") + f"?department={award.department.code}"}
    who = award.employee.full_name if award.employee else award.department.name
    for language, emails in emails_by_language(award_recipients(award)).items():  # each alone, rendered once
        with translation.override(language):
            body = render_to_string("recognition/email/nomination_award.txt", context)
            subject = _("%(award)s: %(who)s") % {"award": award.criterion.name, "who": who}
        for email in emails:
            send_mail(subject, body, None, [email])


@transaction.atomic
def nomination_approve(*, nomination: Nomination, citation: str, by) -> Award:
    """Approve a pending nomination: writes one Award (source nomination) with HR's citation, in the
    cycle under way (or the latest one), and emails the department's members and the named colleague
    once, after commit. Nominations merged into it are awarded through it. For HR and the panel."""
    citation = citation.strip()
    if not citation:
        raise NominationError(_("Write the citation: what the award says in words."))
    _claim(nomination, by=by, status=Nomination.Status.APPROVED)
    cycle = Cycle.objects.filter(opens_at__lte=timezone.now()).order_by("-opens_at").first()
    award = Award.objects.create(
        criterion=nomination.criterion,
        department=nomination.department,
        employee=nomination.employee,
        cycle=cycle,
        source=Award.Source.NOMINATION,
        citation=citation,
    )
    Nomination.objects.filter(pk=nomination.pk).update(award=award)
    nomination.award = award
    transaction.on_commit(lambda: award_notify(award))
    return award


@transaction.atomic
def nomination_decline(*, nomination: Nomination, reason: str, by) -> None:
    """Decline a pending nomination with the reason its nominator reads. For HR and the panel."""
    reason = reason.strip()
    if not reason:
        raise NominationError(_("Give the reason for declining: the nominator reads it."))
    _claim(nomination, by=by, status=Nomination.Status.DECLINED, decision_reason=reason)


@transaction.atomic
def nomination_merge(*, nomination: Nomination, into: Nomination, by) -> None:
    """Merge a pending duplicate into another pending nomination of the same criterion and nominee:
    it records `merged_into` (as do those merged into it before); approving the target awards once."""
    if into.pk == nomination.pk:
        raise NominationError(_("A nomination cannot be merged into itself."))
    same = (into.criterion_id, into.department_id, into.employee_id) == (
        nomination.criterion_id,
        nomination.department_id,
        nomination.employee_id,
    )
    if not same:
        raise NominationError(_("Merge only nominations of the same criterion and nominee."))
    # Lock the target so it cannot be decided while the duplicate joins it.
    if not Nomination.objects.select_for_update().filter(pk=into.pk, status=Nomination.Status.PENDING).exists():
        raise NominationError(_("The nomination to merge into is no longer waiting for review."))
    _claim(nomination, by=by, status=Nomination.Status.MERGED, merged_into=into)
    Nomination.objects.filter(merged_into=nomination).update(merged_into=into)
