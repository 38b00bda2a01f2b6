"""Writes of the surveys app, by topic:

- invitations.py: who is invited, the charter snapshot (set-based SQL), the action-feedback question;
- lifecycle.py: schedule, open, close, publish, repeat, the periodic step;
- answering.py: drafts, submit, decline (the one way an answer enters the database);
- release.py: waiting responses leave, per pair, at least k at a time (the only writer of responses);

Guarantees, per service, in its docstring.
"""

from .answering import check_cycle_answerable, draft_save, invitation_decline, response_submit, response_submit_as
from .errors import SurveyError
from .invitations import (
    Preview,
    action_feedback_snapshot,
    action_items_done_dates,
    cycle_preview,
    cycle_snapshot,
    eligible_departments,
    invitations_create,
)
from .lifecycle import (
    PERIODS,
    cycle_close,
    cycle_open,
    cycle_publish,
    cycle_repeat,
    cycle_schedule,
    cycles_advance,
    quarter_name,
    shift_months,
)
from .release import release_if_due, responses_release, responses_release_all, responses_store

__all__ = [
    "PERIODS",
    "Preview",
    "SurveyError",
    "action_feedback_snapshot",
    "action_items_done_dates",
    "check_cycle_answerable",
    "cycle_close",
    "cycle_open",
    "cycle_preview",
    "cycle_publish",
    "cycle_repeat",
    "cycle_schedule",
    "cycle_snapshot",
    "cycles_advance",
    "draft_save",
    "eligible_departments",
    "invitation_decline",
    "invitations_create",
    "quarter_name",
    "release_if_due",
    "response_submit",
    "response_submit_as",
    "responses_release",
    "responses_release_all",
    "responses_store",
    "shift_months",
]
