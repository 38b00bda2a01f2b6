"""HR's form for an award criterion: a rule of measures (combined with AND), or "by nomination"."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.templatetags.static import static
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.translation import gettext, gettext_lazy, ngettext

from survey_portal.forms import PlainTextMixin, keep_existing_length

from .models import BADGES, TEXT_MAX_LENGTH, AwardCriterion

# The rule's measures: a number left empty (a box left unticked) is not part of the rule.
MEASURES = [
    "min_index",
    "all_parameters_meet_target",
    "min_improvement",
    "min_front_line_mean",
    "back_office_only",
    "min_concerns_in_time_pct",
    "min_action_feedback_pct",
    "min_participation_pct",
]
# Also part of a rule, but with a default that asks nothing more (one cycle, any number of responses).
QUALIFIERS = ["consecutive_cycles", "min_responses"]
# The form's labels, in the reader's language (the model's verbose names, capitalised, are in English).
LABELS = {
    "name": gettext_lazy("Name"),
    "description": gettext_lazy("Description"),
    "badge": gettext_lazy("Badge"),
    "by_nomination": gettext_lazy("By nomination"),
    "active": gettext_lazy("Active"),
    "min_index": gettext_lazy("Overall index at least"),
    "all_parameters_meet_target": gettext_lazy("Every shown parameter meets its target"),
    "min_improvement": gettext_lazy("Index improved, significantly, by at least"),
    "min_front_line_mean": gettext_lazy("Mean given by front-line departments at least"),
    "back_office_only": gettext_lazy("Back office only"),
    "min_concerns_in_time_pct": gettext_lazy("Concerns acknowledged and answered in time, % at least"),
    "min_action_feedback_pct": gettext_lazy("Action feedback “made a difference”, % at least"),
    "min_participation_pct": gettext_lazy("Participation as a rating department, % at least"),
    "consecutive_cycles": gettext_lazy("For consecutive cycles"),
    "min_responses": gettext_lazy("With at least this many responses"),
}


def measures_in_words(criterion: AwardCriterion) -> list[str]:
    """The rule, one measure a line, as HR wrote it (numbers as the reader's language writes them)."""
    words = []
    for name in MEASURES:
        value = getattr(criterion, name)
        label = str(LABELS[name])
        if value is True:
            words.append(label if name != "back_office_only" else gettext("Back-office departments only"))
        elif value is not None and value is not False:
            words.append(f"{label} {localize(value)}")
    if words and criterion.consecutive_cycles > 1:
        words.append(gettext("For %(count)s consecutive cycles") % {"count": criterion.consecutive_cycles})
    if words and criterion.min_responses:
        count = criterion.min_responses
        words.append(
            ngettext("With at least %(count)s response", "With at least %(count)s responses", count) % {"count": count}
        )
    return words


class BadgeSelect(forms.RadioSelect):
    """Radio buttons, each labelled with its badge (the picture is decorative: the name is the label)."""


def _badge_label(code: str, name: str):
    return format_html(
        '<img src="{}" alt="" width="28" height="28" class="me-1 align-middle"> {}',
        static(f"badges/{code}.svg"),
        name,
    )


class CriterionForm(PlainTextMixin, forms.ModelForm):
    description = forms.CharField(required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = AwardCriterion
        fields = ["name", "description", "badge", "by_nomination", "active", *MEASURES, *QUALIFIERS]
        widgets = {"badge": BadgeSelect}
        labels = LABELS
        help_texts = {
            "by_nomination": gettext_lazy("Awarded by approving nominations, not by rule."),
            "back_office_only": gettext_lazy("Only departments that are not front line."),
            "min_index": gettext_lazy("1 to 5. Empty: not part of the rule."),
            "min_improvement": gettext_lazy("Points on the 1–5 scale, e.g. 0.3. Empty: not part of the rule."),
            "min_front_line_mean": gettext_lazy("1 to 5, from the shown cells of front-line rating departments only."),
            "min_concerns_in_time_pct": gettext_lazy(
                "Both acknowledged and answered in time, in the cycle's quarter."
            ),
            "min_action_feedback_pct": gettext_lazy("The share answering “yes”."),
            "consecutive_cycles": gettext_lazy("1: this cycle only."),
            "min_responses": gettext_lazy("0: any number from the anonymity threshold on."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_existing_length(self.fields["description"], self.instance.description)
        self.fields["badge"].choices = [
            ("", gettext("No badge")),
            *((code, _badge_label(code, name)) for code, name in BADGES),
        ]
        self.fields["badge"].required = False
        for name in ("min_index", "min_improvement", "min_front_line_mean"):
            self.fields[name].widget.attrs.update({"step": "0.05", "inputmode": "decimal"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(gettext("The award"), "name", "description", "badge", "by_nomination", "active"),
            Fieldset(
                gettext("The rule: every filled-in measure must hold"),
                HTML(
                    '<p class="form-text">'
                    + escape(
                        gettext(
                            "Leave a number empty, or a box unticked, and it is not part of the rule. "
                            "A figure hidden for anonymity (too few responses) never earns an award."
                        )
                    )
                    + "</p>"
                ),
                *MEASURES,
                *QUALIFIERS,
            ),
        )

    def clean(self):
        cleaned = super().clean()
        measures = [name for name in MEASURES if cleaned.get(name) not in (None, False)]
        if cleaned.get("by_nomination"):
            if measures:
                raise forms.ValidationError(
                    gettext(
                        "A criterion awarded by nomination has no rule: empty the measures, or untick “by nomination”."
                    )
                )
        elif not measures:
            raise forms.ValidationError(
                gettext("A criterion earned by rule needs at least one measure, or tick “by nomination”.")
            )
        return cleaned
