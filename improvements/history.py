"""An action item's change history as people read it: who changed which field, from what to what,
and when.

django-simple-history writes a record for each save and for each change of its parameters or
owners, so one edit through the page leaves several records a moment apart; they are shown as one
change. Five queries, however long the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.template.defaultfilters import date as format_date

from departments.models import Employee, ServiceParameter

from .models import ActionItem

# Records by the same person this close together are one change (one save of the form).
SAME_CHANGE = timedelta(seconds=30)
FIELDS = ["title", "change", "parameters", "owners", "due_on", "status", "percent_complete", "dropped_reason"]
LABELS = {
    "title": "Title",
    "change": "What will change",
    "parameters": "Parameters",
    "owners": "Owners",
    "due_on": "Due date",
    "status": "Status",
    "percent_complete": "Progress",
    "dropped_reason": "Why it was dropped",
}
LONG = {"change", "dropped_reason"}  # shown in full, under the line


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str

    @property
    def long(self) -> bool:
        return self.field in LONG


@dataclass
class Entry:
    when: datetime
    who: str
    created: bool
    changes: list[Change] = field(default_factory=list)


def _who(user) -> str:
    if user is None:
        return "The portal"  # a change made without anyone signed in: a command or a task
    return user.get_full_name() or user.email or user.get_username()


def action_history(item: ActionItem) -> list[Entry]:
    """Newest first. The first entry (last in the list) is the item's creation, with every change
    made in the same moment folded in."""
    records = list(item.history.select_related("history_user").order_by("history_date", "history_id"))
    if not records:
        return []
    ids = [record.history_id for record in records]
    sets: dict[str, dict[int, frozenset[int]]] = {}
    names: dict[str, dict[int, str]] = {}
    for name, model, column in (
        ("parameters", ServiceParameter, "serviceparameter_id"),
        ("owners", Employee, "employee_id"),
    ):
        through = apps.get_model("improvements", f"HistoricalActionItem_{name}")
        found: dict[int, set[int]] = {}
        for history_id, pk in through.objects.filter(history_id__in=ids).values_list("history_id", column):
            found.setdefault(history_id, set()).add(pk)
        sets[name] = {history_id: frozenset(pks) for history_id, pks in found.items()}
        every = set().union(*found.values()) if found else set()
        if model is Employee:
            names[name] = {e.pk: e.full_name for e in Employee.objects.filter(pk__in=every).select_related("user")}
        else:
            names[name] = dict(ServiceParameter.objects.filter(pk__in=every).values_list("pk", "name"))
    statuses = dict(ActionItem.Status.choices)

    def value(record, name: str):
        if name in sets:
            return sets[name].get(record.history_id, frozenset())
        return getattr(record, name)

    def shown(name: str, raw) -> str:
        if name in sets:
            return ", ".join(sorted(names[name].get(pk, "(removed)") for pk in raw)) or "none"
        if name == "status":
            return statuses.get(raw, raw)
        if name == "due_on":
            return format_date(raw, "j M Y")
        if name == "percent_complete":
            return f"{raw}%"
        return raw or ("" if name in LONG else "—")

    entries: list[Entry] = []
    start = records[0]  # the state before the entry being built
    group_start = 0
    for index, record in enumerate(records):
        last_of_group = index + 1 == len(records) or not (
            records[index + 1].history_user_id == record.history_user_id
            and records[index + 1].history_date - record.history_date <= SAME_CHANGE
        )
        if not last_of_group:
            continue
        first = records[group_start]
        created = group_start == 0
        changes = []
        if not created:
            for name in FIELDS:
                old, new = value(start, name), value(record, name)
                if old != new:
                    changes.append(Change(name, LABELS[name], shown(name, old), shown(name, new)))
        if created or changes:
            entries.append(Entry(first.history_date, _who(first.history_user), created, changes))
        start, group_start = record, index + 1
    return entries[::-1]
