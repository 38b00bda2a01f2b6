from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from departments.models import Department
from survey_portal.forms import PlainTextMixin, keep_existing_length

from .models import MIN_SCORE_THRESHOLD, SCORE_CHOICES, ActionFeedback, Cycle, CycleParameter
from .sealing import COMMENT_MAX_LENGTH, comment_length
from .services import PERIODS, eligible_departments, quarter_name, shift_months

# How often a cycle repeats (RepeatForm), by services.PERIODS key.
PERIOD_LABELS = {
    "monthly": pgettext_lazy("repeat", "Monthly"),
    "quarterly": pgettext_lazy("repeat", "Quarterly"),
    "half-yearly": pgettext_lazy("repeat", "Half yearly"),
    "yearly": pgettext_lazy("repeat", "Yearly"),
}
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
NOT_APPLICABLE = "na"
# Frozen once a cycle opens: changing them would change who was asked or what may be shown.
FROZEN_WHEN_OPEN = ("name", "opens_at", "departments", "score_threshold", "comment_threshold")
# The message at the top of every survey page: a paragraph or two (the column has no limit).
INTRO_MAX_LENGTH = 2000


class DepartmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, department: Department) -> str:
        return department.name


class CycleForm(PlainTextMixin, forms.ModelForm):
    intro = forms.CharField(
        required=False,
        max_length=INTRO_MAX_LENGTH,
        label=capfirst(Cycle._meta.get_field("intro").verbose_name),
        help_text=Cycle._meta.get_field("intro").help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    departments = DepartmentChoiceField(
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Departments rated"),
        help_text=gettext_lazy("Every active department with a charter is ticked by default."),
    )

    # Shown (as a checkbox) only when the dates overlap another cycle: see clean().
    overlap_confirmed = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label=gettext_lazy("Keep these dates although they overlap")
    )

    class Meta:
        model = Cycle
        fields = [
            "name",
            "opens_at",
            "closes_at",
            "departments",
            "score_threshold",
            "comment_threshold",
            "reminder_days_after_open",
            "reminder_days_before_close",
            "intro",
        ]
        widgets = {
            "opens_at": DATETIME_WIDGET,
            "closes_at": DATETIME_WIDGET,
        }
        labels = {
            "name": gettext_lazy("Name"),
            "opens_at": gettext_lazy("Opens at"),
            "closes_at": gettext_lazy("Closes at"),
            "score_threshold": gettext_lazy("Responses needed to show scores"),
            "comment_threshold": gettext_lazy("Responses needed to show comments"),
            "reminder_days_after_open": gettext_lazy("First reminder, days after opening"),
            "reminder_days_before_close": gettext_lazy("Last reminder, days before closing"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_existing_length(self.fields["intro"], self.instance.intro)
        self.fields["departments"].queryset = Department.objects.filter(
            pk__in=[d.pk for d in eligible_departments()]
        ).order_by("name")
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        if self.instance.pk and not self.instance.is_editable:
            for name in FROZEN_WHEN_OPEN:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once the cycle has opened.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("name"),
            Row(Column("opens_at", css_class="col-md-6"), Column("closes_at", css_class="col-md-6")),
            Row(Column("score_threshold", css_class="col-md-6"), Column("comment_threshold", css_class="col-md-6")),
            Row(
                Column("reminder_days_after_open", css_class="col-md-6"),
                Column("reminder_days_before_close", css_class="col-md-6"),
            ),
            Field("intro"),
            Field("departments", wrapper_class="department-columns"),
            Field("overlap_confirmed"),
        )

    @classmethod
    def initial_for_new(cls) -> dict:
        """Sensible defaults: opens on the Monday after both today and the last cycle's close, at
        09:00, for two weeks, with a name no cycle has, and every eligible department."""
        after = timezone.localdate()
        last = Cycle.objects.order_by("-closes_at").first()
        if last is not None:
            after = max(after, timezone.localdate(last.closes_at))
        monday = after + timedelta(days=(7 - after.weekday()) % 7 or 7)
        opens = timezone.make_aware(datetime.combine(monday, datetime.min.time()).replace(hour=9))
        return {
            "name": free_name(quarter_name(timezone.localdate(opens))),
            "opens_at": opens,
            "closes_at": opens + timedelta(days=11, hours=8),
            "departments": eligible_departments(),
        }

    def overlapping(self, cleaned: dict) -> list[Cycle]:
        """Other cycles (not imported) open at some time between these dates that rate one of
        the same departments: the same people would have two surveys at once."""
        opens, closes, departments = cleaned.get("opens_at"), cleaned.get("closes_at"), cleaned.get("departments")
        if not (opens and closes and departments):
            return []
        others = Cycle.objects.filter(imported=False, opens_at__lt=closes, closes_at__gt=opens)
        others = others.filter(departments__in=departments).exclude(pk=self.instance.pk).distinct()
        return list(others.order_by("opens_at"))

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The cycle must close after it opens."))
        score, comment = cleaned.get("score_threshold"), cleaned.get("comment_threshold")
        if score is not None and score < MIN_SCORE_THRESHOLD:
            self.add_error(
                "score_threshold",
                _("At least %(count)s: smaller groups would expose people.") % {"count": MIN_SCORE_THRESHOLD},
            )
        if score is not None and comment is not None and comment < score:
            self.add_error("comment_threshold", _("Comments need at least as many responses as scores."))
        if closes and self.instance.pk and self.instance.is_open and closes <= timezone.now():
            self.add_error("closes_at", _("To close the cycle now, use “Close now” on the cycle page."))
        overlaps = [] if self.instance.pk and not self.instance.is_editable else self.overlapping(cleaned)
        if overlaps and not cleaned.get("overlap_confirmed"):
            self.fields["overlap_confirmed"].widget = forms.CheckboxInput()
            names = "; ".join(
                f"“{c.name}” ({date_format(timezone.localtime(c.opens_at), 'd M')} – "
                f"{date_format(timezone.localtime(c.closes_at), 'd M')})"
                for c in overlaps
            )
            self.add_error(
                "overlap_confirmed",
                _(
                    "These dates overlap %(names)s, which rates some of the same departments: the same people "
                    "would have two surveys open at once. Change the dates, or tick this box to keep them."
                )
                % {"names": names},
            )
        return cleaned


def free_name(name: str) -> str:
    """`name`, or `name (2)`, `(3)`… : the first that no cycle has."""
    taken = set(Cycle.objects.filter(name__startswith=name).values_list("name", flat=True))
    number, free = 2, name
    while free in taken:
        free, number = f"{name} ({number})", number + 1
    return free


class RepeatForm(PlainTextMixin, forms.Form):
    period = forms.ChoiceField(
        choices=[(key, PERIOD_LABELS[key]) for key in PERIODS], initial="quarterly", label=gettext_lazy("Repeat")
    )
    name = forms.CharField(max_length=100, label=gettext_lazy("Name of the new cycle"))

    @classmethod
    def initial_for(cls, cycle: Cycle) -> dict:
        """A free name for the repeat a quarter later: the quarter's name when the cycle is named
        by its quarter, else its name with the new month."""
        opens = shift_months(cycle.opens_at, PERIODS["quarterly"])
        if re.match(r"^Q[1-4] \d{4} ", cycle.name):
            name = quarter_name(timezone.localdate(opens))
        else:
            name = f"{cycle.name} ({timezone.localtime(opens):%B %Y})"
        return {"period": "quarterly", "name": free_name(name)}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Cycle.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A cycle with this name exists already."))
        return name


SCORE_CHOICES_WITH_NA = [(str(value), format_lazy("{} {}", value, label)) for value, label in SCORE_CHOICES] + [
    (NOT_APPLICABLE, gettext_lazy("Not applicable"))
]


class ScoreField(forms.ChoiceField):
    """One question: a score from 1 to 5, or "not applicable", as radio buttons."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(choices=SCORE_CHOICES_WITH_NA, **kwargs)


@functools.lru_cache(maxsize=4096)
def _score_fields(questions: tuple[tuple[str, str], ...], complete: bool, language: str) -> dict[str, ScoreField]:
    """The fields of one survey's questions ((code, name) pairs), built once per process and language
    (their error messages are in it).

    Every answer sent builds a form, and building its fields took a quarter of a submission's time.
    Fields hold no per-request state (the bound data lives in the form and its BoundFields) and
    nothing changes them after this, so forms share them.
    """
    return {
        AnswerForm.field_name_for(code): ScoreField(
            label=name,
            required=complete,
            error_messages=dict.fromkeys(
                ("required", "invalid_choice"), _("Choose a score for %(name)s, or “Not applicable”.") % {"name": name}
            ),
        )
        for code, name in questions
    }


def comment_fits(text: str) -> None:
    """At most COMMENT_MAX_LENGTH characters as the browser counts them (an emoji counts two): what
    the page's maxlength allows, and what a sealed answer has room for (surveys/sealing.py)."""
    if comment_length(text) > COMMENT_MAX_LENGTH:
        raise forms.ValidationError(
            _("At most %(count)s characters (an emoji counts as two): please shorten it.")
            % {"count": COMMENT_MAX_LENGTH},
            code="max_length",
        )


# Optional: built once and shared, as the score fields are (it holds no per-request state).
_ACTION_FEEDBACK_FIELD = forms.ChoiceField(
    choices=ActionFeedback.choices,
    required=False,
    widget=forms.RadioSelect,
    label=gettext_lazy("Did the changes make a difference for you?"),
    error_messages={"invalid_choice": gettext_lazy("Choose one of the answers offered, or leave the question blank.")},
)


class AnswerForm(PlainTextMixin, forms.Form):
    """One radio group per question (1–5 or not applicable), the two optional comments and, where
    the cycle asks it about the department, the optional action-feedback question."""

    comment_good = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        label=gettext_lazy("What do they do well?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[comment_fits],
    )
    comment_improve = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        label=gettext_lazy("What should they improve?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[comment_fits],
    )

    def __init__(
        self,
        *args,
        questions: Sequence[CycleParameter],
        complete: bool = True,
        action_feedback: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields.update(_score_fields(tuple((q.code, q.name) for q in questions), complete, get_language()))
        if action_feedback:
            self.fields["action_feedback"] = _ACTION_FEEDBACK_FIELD

    @staticmethod
    def field_name_for(code: str) -> str:
        return f"q_{code}"

    @classmethod
    def field_name(cls, question: CycleParameter) -> str:
        return cls.field_name_for(question.code)

    def question_rows(self) -> list[dict]:
        """Per question: the question, its field's name, id, errors and chosen value, for the page.

        The page draws the radio buttons from these itself: letting each field
        render its own six radio widgets took longer than everything else on the page together.
        """
        rows = []
        for question in self.questions:
            field = self[self.field_name(question)]
            value = field.value()
            chosen = "" if value is None else str(value)
            rows.append(
                {
                    "question": question,
                    "name": field.html_name,
                    "id": field.auto_id,
                    "errors": field.errors,
                    "choices": [
                        (choice, label, f"{field.auto_id}_{n}", choice == chosen)
                        for n, (choice, label) in enumerate(SCORE_CHOICES_WITH_NA)
                    ],
                }
            )
        return rows

    def action_feedback_row(self) -> dict | None:
        """The action-feedback question for the page, drawn like the scores (see question_rows), or None."""
        if "action_feedback" not in self.fields:
            return None
        field = self["action_feedback"]
        chosen = field.value() or ""
        return {
            "name": field.html_name,
            "id": field.auto_id,
            "errors": field.errors,
            "choices": [
                (choice, label, f"{field.auto_id}_{n}", choice == chosen)
                for n, (choice, label) in enumerate(ActionFeedback.choices)
            ],
        }

    def action_feedback(self) -> str | None:
        """The answer to the action-feedback question, or None (not asked, or not answered)."""
        return self.cleaned_data.get("action_feedback") or None

    def scores(self) -> dict[str, int | None]:
        """code -> score (None: not applicable); unanswered questions are left out."""
        scores = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.field_name(question))
            if value:
                scores[question.code] = None if value == NOT_APPLICABLE else int(value)
        return scores

    @classmethod
    def initial_from(cls, draft) -> dict:
        if draft is None:
            return {}
        initial = {
            f"q_{code}": NOT_APPLICABLE if score is None else str(score) for code, score in draft.scores.items()
        }
        return initial | {
            "comment_good": draft.comment_good,
            "comment_improve": draft.comment_improve,
            "action_feedback": draft.action_feedback or "",
        }
