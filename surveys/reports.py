"""What the survey pages show that other pages show too: an invitation's badge, the address of a
survey, a cycle's live participation, and what departments did since the last survey."""

from __future__ import annotations

import operator
from datetime import date
from functools import reduce

from django.core.cache import cache
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from departments.models import Department
from improvements.models import ActionItem, ProgressUpdate

from .models import ActionFeedbackQuestion, Cycle, ImportedInvitations, Invitation, Response

STATUS_BADGES = {
    Invitation.Status.COMPLETED: ("text-bg-success", gettext_lazy("Done")),
    Invitation.Status.DECLINED: ("text-bg-secondary", gettext_lazy("No interaction")),
    "draft": ("text-bg-warning", gettext_lazy("Draft")),
    Invitation.Status.PENDING: ("text-bg-light border", gettext_lazy("To do")),
}


def survey_url(cycle_id: int, code: str | None = None) -> str:
    url = reverse("surveys:survey", args=[cycle_id])
    return f"{url}#{code}" if code else url


PARTICIPATION_SECONDS = 10


def participation(cycle: Cycle) -> dict:
    """Invited, completed, declined and rate, overall and per department (slowest first).

    Counting every invitation of a large cycle takes the database tens of milliseconds, and the
    page polls while the cycle is open: each process keeps the figures for PARTICIPATION_SECONDS.
    """
    return (
        cache.get_or_set(
            f"participation:{cycle.pk}:{get_language()}", lambda: _count_participation(cycle), PARTICIPATION_SECONDS
        )
        or {}
    )


def _count_participation(cycle: Cycle) -> dict:
    """One pass over the cycle's invitations, index-only: counts per (rating department, department
    rated) pair, rolled up here into the totals and both tables."""
    invitations = Invitation.objects.filter(cycle=cycle)
    pairs = list(invitations.participation_by_pair()) if not cycle.imported else _imported_pairs(cycle)
    names = Department.objects.only("code", "name").in_bulk(
        {row["rater_department"] for row in pairs} | {row["department"] for row in pairs}
    )
    keys = ("invited", "completed", "declined")

    def rolled_up(rows) -> dict:
        counts = dict.fromkeys(keys, 0)
        for row in rows:
            for key in keys:
                counts[key] += row[key]
        answered = counts["completed"] + counts["declined"]
        return counts | {"rate": round(100 * answered / counts["invited"]) if counts["invited"] else 0}

    def table(by: str) -> list[dict]:
        groups: dict[int, list[dict]] = {}
        for row in pairs:
            groups.setdefault(row[by], []).append(row)
        result = [{"name": names[pk].name, "code": names[pk].code} | rolled_up(rows) for pk, rows in groups.items()]
        return sorted(result, key=lambda r: (r["rate"], r["name"]))

    totals = rolled_up(pairs)
    # Who is invited changes when invitations are added (or removed with a deleted person), and then
    # so does their number: the people are counted again then, and every five minutes in any case.
    totals["employees"] = (
        None  # an import gives counts per pair, not people
        if cycle.imported
        else cache.get_or_set(
            f"participation-people:{cycle.pk}:{totals['invited']}",
            lambda: invitations.values("employee_id").distinct().count(),
            300,
        )
    )
    return {
        "totals": totals,
        "by_rater": table("rater_department"),
        "by_department": table("department"),
        "as_of": timezone.now(),
    }


def _imported_pairs(cycle: Cycle) -> list[dict]:
    """An imported cycle's participation: the invited counts given with it, each response one
    completed invitation (the rule scorecards.services._responses_and_participation stores)."""
    answered = {
        (d, r): n
        for d, r, n in Response.objects.filter(cycle=cycle)
        .values_list("department_id", "rater_department_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    return [
        {"department": d, "rater_department": r, "invited": n, "completed": answered.get((d, r), 0), "declined": 0}
        for d, r, n in ImportedInvitations.objects.filter(cycle=cycle).values_list(
            "department_id", "rater_department_id", "invited"
        )
    ]


def departments_with_too_few_responses(cycle: Cycle) -> tuple[list[str], int]:
    """The names of the departments rated whose responses are fewer than the cycle's score
    threshold, so that none of their figures will be shown, and how many departments are rated.

    While the cycle is open, completed invitations are counted: a forecast, since each becomes one
    response when the cycle closes but one that rated nothing (every answer "not applicable") will
    not count. Once closed, the responses that rated at least one parameter, as the aggregation
    counts them."""
    if cycle.is_open:
        counted = Invitation.objects.filter(cycle=cycle, status=Invitation.Status.COMPLETED)
    else:
        counted = Response.objects.filter(cycle=cycle, rated_count__gt=0)
    n = dict(counted.values_list("department_id").annotate(n=Count("pk")).order_by())
    rated = list(cycle.departments.order_by("name").values_list("pk", "name"))
    return [name for pk, name in rated if n.get(pk, 0) < cycle.score_threshold], len(rated)


def changes_done(cycle: Cycle, department_ids=None) -> dict[int, list[ActionItem]]:
    """ "You said, we did": for each department the cycle asks the action-feedback question about
    (of `department_ids`, or all), the action items it finished in that question's dates (the
    previous cycle's opening day to the day before this one's), in the order they were done, each
    with its public progress updates as `public_updates` (oldest first; internal updates stay with
    the department and HR). Departments with nothing done are left out. Three queries, whatever the
    number of departments."""
    questions = ActionFeedbackQuestion.objects.filter(cycle=cycle)
    if department_ids is not None:
        questions = questions.filter(department_id__in=department_ids)
    by_dates: dict[tuple[date, date], list[int]] = {}
    for department_id, since, before in questions.values_list("department_id", "done_since", "done_before"):
        by_dates.setdefault((since, before), []).append(department_id)  # one pair of dates per cycle
    if not by_dates:
        return {}
    done = reduce(
        operator.or_,
        (ActionItem.objects.done_between(*dates).filter(department_id__in=ids) for dates, ids in by_dates.items()),
    )
    public = ProgressUpdate.objects.filter(public=True)
    items = (
        done.select_related("department")
        .prefetch_related(
            Prefetch("updates", queryset=public.order_by("written_on", "created_at", "pk"), to_attr="public_updates")
        )
        .order_by("completed_on", "title", "pk")
    )
    found: dict[int, list[ActionItem]] = {}
    for item in items:
        found.setdefault(item.department_id, []).append(item)
    return found
