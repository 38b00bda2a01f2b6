"""Writes of the action plan: action items and their progress updates, and HR's nudge to a head.

Who may call what is checked by the views (departments.roles: can_act_for, is_hr); these check
what is written. Every action item write keeps its history (django-simple-history) in the name of
the person given; when none is given, a new item's history names nobody (it was raised by rule) and
the other writes name the signed-in user.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from departments.models import Department, Employee, ServiceParameter

from .models import ActionItem, ActionTemplate, Nudge, ProgressUpdate, possible_owners

Status = ActionItem.Status


def _check(
    *,
    department: Department,
    parameters: Iterable[ServiceParameter],
    owners: Iterable[Employee],
    status: str,
    dropped_reason: str,
    percent_complete: int,
    keep: ActionItem | None = None,
) -> None:
    """What the database cannot say: the parameters are of the department's charter and the owners
    may own its items (`keep`: an item whose own, older choices stay allowed)."""
    errors: dict[str, str] = {}
    allowed = set(department.parameters.filter(active=True).values_list("pk", flat=True))
    allowed_owners = set(possible_owners(department).values_list("pk", flat=True))
    if keep is not None and keep.pk:
        allowed |= set(keep.parameters.values_list("pk", flat=True))
        allowed_owners |= set(keep.owners.values_list("pk", flat=True))
    if any(parameter.pk not in allowed for parameter in parameters):
        errors["parameters"] = _("Choose parameters of the charter of %(name)s.") % {"name": department.name}
    owners = list(owners)
    if not owners:
        errors["owners"] = _("An action needs at least one owner.")
    elif any(owner.pk not in allowed_owners for owner in owners):
        errors["owners"] = _("Owners are people of %(name)s, its head or its delegates.") % {"name": department.name}
    if status not in Status.values:
        errors["status"] = _("Unknown status.")
    if status == Status.DROPPED and not dropped_reason.strip():
        errors["dropped_reason"] = _("Say why the action was dropped.")
    if not 0 <= percent_complete <= 100:
        errors["percent_complete"] = _("Progress is a percentage from 0 to 100.")
    if errors:
        raise ValidationError(errors)


def _apply_status(item: ActionItem, status: str, dropped_reason: str, today: date) -> None:
    """The workflow: marking an item done dates it (completed_on, today) and makes it 100 %
    complete; leaving done clears the date; a reason is kept only while it is dropped."""
    if status == Status.DONE:
        if item.status != Status.DONE or item.completed_on is None:
            item.completed_on = today
        item.percent_complete = 100
    else:
        item.completed_on = None
    item.dropped_reason = dropped_reason.strip() if status == Status.DROPPED else ""
    item.status = status


def owners_by_rule(department: Department) -> list[Employee]:
    """Who owns an action item a rule raises (a KPI breach, a failed audit check): the department's
    head, else its delegates; nobody when it has neither (the raising app shows HR)."""
    people = possible_owners(department).select_related("user")
    head = [person for person in people if person.pk == department.head_id]
    return head or list(people.filter(delegations__department=department))


@transaction.atomic
def action_create(
    *,
    department: Department,
    author: Employee | None,
    title: str,
    change: str,
    parameters: Iterable[ServiceParameter],
    owners: Iterable[Employee],
    due_on: date,
    status: str = Status.PLANNED,
    percent_complete: int = 0,
    dropped_reason: str = "",
    template: ActionTemplate | None = None,
    today: date | None = None,
    dated_on: date | None = None,
) -> ActionItem:
    """Add an action item to the department's plan and return it.

    For the department's head and delegates (roles.can_act_for), and for other apps acting in their
    name (a concern turned into an action). `parameters` must be active parameters of the
    department's charter; `owners` at least one of its active people, its head or its delegates;
    a dropped item needs `dropped_reason`; a done one is dated `today` (default: the local date).
    Raises ValidationError (with the field it is about) and writes nothing when any is wrong.
    Atomic; its history names `author`, and nobody when `author` is None (an item another app raises
    by rule, such as a mystery-shopping audit: never the signed-in user whose request raised it).
    `dated_on` dates the item and its history at the start of that day instead of now: what a
    rule raises in someone's request must not carry the request's moment.
    """
    parameters, owners = list(parameters), list(owners)
    _check(
        department=department,
        parameters=parameters,
        owners=owners,
        status=status,
        dropped_reason=dropped_reason,
        percent_complete=percent_complete,
    )
    item = ActionItem(
        department=department,
        title=title.strip(),
        change=change.strip(),
        due_on=due_on,
        percent_complete=percent_complete,
        template=template,
        created_by=author,
    )
    _apply_status(item, status, dropped_reason, today or timezone.localdate())
    # Set even when None: otherwise simple-history's middleware would name the request's user, in
    # the item's row and in the rows its parameters and owners add below.
    item._history_user = author.user if author is not None else None  # type: ignore[attr-defined]
    if dated_on is not None:
        # Raised by rule in someone's request (an auditor's submit): dated as the caller says, at
        # the start of that day in the organisation's time zone (not the requester's), in its row
        # and its history, so that neither the moment nor the zone points at whose request it was.
        day_start = timezone.make_aware(datetime.combine(dated_on, time.min), timezone.get_default_timezone())
        item._history_date = day_start  # type: ignore[attr-defined]
    item.save()
    if dated_on is not None:
        ActionItem.objects.filter(pk=item.pk).update(created_at=day_start)
        item.created_at = day_start
    item.parameters.set(parameters)
    item.owners.set(owners)
    return item


@transaction.atomic
def action_edit(
    *,
    item: ActionItem,
    editor: Employee | None,
    title: str,
    change: str,
    parameters: Iterable[ServiceParameter],
    owners: Iterable[Employee],
    due_on: date,
    status: str,
    percent_complete: int,
    dropped_reason: str = "",
    today: date | None = None,
) -> ActionItem:
    """Change an action item: the same rules as action_create, and the same transitions (done dates
    it, leaving done clears the date). Parameters and owners it already had stay allowed, even if
    they left the charter or the department since. For its department's head and delegates. Atomic;
    its history names `editor`."""
    parameters, owners = list(parameters), list(owners)
    _check(
        department=item.department,
        parameters=parameters,
        owners=owners,
        status=status,
        dropped_reason=dropped_reason,
        percent_complete=percent_complete,
        keep=item,
    )
    item.title, item.change, item.due_on = title.strip(), change.strip(), due_on
    item.percent_complete = percent_complete
    _apply_status(item, status, dropped_reason, today or timezone.localdate())
    if editor is not None:
        item._history_user = editor.user  # type: ignore[attr-defined]
    item.save()
    # set() writes (and records in the history) only what changed.
    item.parameters.set(parameters)
    item.owners.set(owners)
    return item


def progress_add(
    *, item: ActionItem, author: Employee | None, written_on: date, text: str, public: bool
) -> ProgressUpdate:
    """A dated progress note on an item. Public ones are shown to every employee with the item once
    it is done ("you said, we did"); internal ones to the department and HR."""
    update = ProgressUpdate(action=item, written_on=written_on, text=text.strip(), public=public, author=author)
    if author is not None:
        update._history_user = author.user  # type: ignore[attr-defined]
    update.save()
    return update


class NudgeError(Exception):
    """Nothing was sent, and why (a message for HR)."""


def nudge_head(*, department: Department, sender, today: date | None = None) -> str:
    """HR asks the department's head, by email, to look at its action plan, listing the items that
    are overdue. At most one nudge a day per department: a second (a double click, or two HR
    admins) raises NudgeError and sends nothing, as does a department without an active head.
    `sender` is the HR user. Returns the confirmation to show."""
    today = today or timezone.localdate()
    head = department.head
    if head is None or not head.active or not head.user.is_active:
        raise NudgeError(_("%(name)s has no head to nudge: assign one first.") % {"name": department.name})
    try:
        with transaction.atomic():
            nudge = Nudge.objects.create(department=department, sent_on=today, sent_by=sender)
    except IntegrityError:
        raise NudgeError(
            _("%(head)s was already nudged about %(name)s today.") % {"head": head.full_name, "name": department.name}
        ) from None
    overdue = list(ActionItem.objects.of(department).overdue(today).prefetch_related("owners__user"))
    sender_name = sender.get_full_name() or sender.email
    context = {
        "department": department,
        "head": head,
        "sender": sender_name,
        "overdue": [(item, settings.SITE_URL + item_url(item)) for item in overdue],
        "plan_link": settings.SITE_URL + reverse(settings.ACTION_PLAN_URL, args=[department.code]),
    }
    try:
        send_mail(
            " ".join((_("HR asks you to review the action plan of %(name)s") % {"name": department.name}).split()),
            render_to_string("improvements/email_nudge.txt", context),
            None,
            [head.email],
        )
    except Exception:
        nudge.delete()  # not sent: HR may try again
        raise
    names = {"head": head.full_name, "name": department.name, "count": len(overdue)}
    if overdue:
        return (
            ngettext(
                "%(head)s was emailed a nudge to review the action plan of %(name)s with its %(count)d overdue action.",
                "%(head)s was emailed a nudge to review the action plan of %(name)s with its %(count)d overdue actions.",
                len(overdue),
            )
            % names
        )
    return _("%(head)s was emailed a nudge to review the action plan of %(name)s (no action is overdue).") % names


def item_url(item: ActionItem) -> str:
    return reverse("improvements:action_detail", args=[item.department.code, item.pk])
