from __future__ import annotations

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext, gettext_lazy

from departments.models import Department, Employee, ServiceParameter
from survey_portal.forms import PlainTextMixin, keep_existing_length

from .models import ActionItem, ActionTemplate, Commitment, ProgressUpdate, possible_owners

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKBOXES = "improvements/_checkboxes.html"  # a fieldset with its legend, errors first


class ParameterChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, parameter: ServiceParameter) -> str:
        return parameter.name if parameter.active else f"{parameter.name} (no longer in the charter)"


class OwnerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, employee: Employee) -> str:
        return f"{employee.full_name} — {employee.job_title}" if employee.job_title else employee.full_name


def _parameters(department: Department, keep=None):
    """The department's active parameters, and those an existing item or commitment already has."""
    wanted = Q(department=department, active=True)
    if keep is not None and keep.pk:
        wanted |= Q(pk__in=keep.parameters.values("pk"))
    return ServiceParameter.objects.filter(wanted).order_by("-active", "position", "name")


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class ActionItemForm(PlainTextMixin, forms.ModelForm):
    """An action item, new or changed. The status rules: a dropped item needs its reason; a due
    date in the past is refused unless it is the date the item already had, or the item is closed."""

    parameters = ParameterChoiceField(
        queryset=ServiceParameter.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label=gettext_lazy("Charter parameters it should improve"),
        error_messages={"required": gettext_lazy("Tick at least one parameter this action should improve.")},
    )
    owners = OwnerChoiceField(
        queryset=Employee.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label=gettext_lazy("Owners"),
        help_text=gettext_lazy("Who sees it through. They get a reminder 3 days before the due date."),
        error_messages={"required": gettext_lazy("Tick at least one owner.")},
    )
    template = forms.ModelChoiceField(queryset=ActionTemplate.objects.all(), required=False, widget=forms.HiddenInput)

    class Meta:
        model = ActionItem
        fields = ["title", "change", "parameters", "owners", "due_on", "status", "percent_complete", "dropped_reason"]
        widgets = {
            "change": forms.Textarea(attrs={"rows": 4}),
            "due_on": DATE_INPUT,
            "percent_complete": forms.NumberInput(attrs={"min": "0", "max": "100", "step": "5"}),
            "dropped_reason": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "change": gettext_lazy("What will change"),
            "due_on": gettext_lazy("Due date"),
            "percent_complete": gettext_lazy("Percent complete"),
            "dropped_reason": gettext_lazy("Why it was dropped"),
        }
        help_texts = {
            "title": gettext_lazy(
                "A short name for the action, e.g. “Acknowledge every ticket within 4 working hours”."
            ),
            "change": gettext_lazy("What your internal customers will notice once it is done."),
            "percent_complete": gettext_lazy("0 to 100. Marking it done makes it 100."),
            "dropped_reason": gettext_lazy(
                "Only for a dropped action: your internal customers read this instead of a result."
            ),
        }
        error_messages = {
            "title": {"required": gettext_lazy("Give the action a title.")},
            "change": {"required": gettext_lazy("Say what will change for your internal customers.")},
            "due_on": {"required": gettext_lazy("Give the date by which it will be done.")},
        }

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        creating = self.instance.pk is None
        parameters = self.fields["parameters"]
        owners = self.fields["owners"]
        assert isinstance(parameters, ParameterChoiceField) and isinstance(owners, OwnerChoiceField)
        parameters.queryset = _parameters(department, self.instance)
        people = Q(pk__in=possible_owners(department).values("pk"))
        if not creating:
            people |= Q(pk__in=self.instance.owners.values("pk"))
        owners.queryset = (
            Employee.objects.filter(people).select_related("user").order_by("user__last_name", "user__first_name")
        )
        if not owners.queryset.exists():
            owners.help_text = gettext(
                "Nobody works in %(name)s yet: HR adds people by importing the organisation."
            ) % {"name": department.name}
        if creating:
            self.fields["due_on"].help_text = gettext("Today or later.")
        else:
            del self.fields["template"]
        for name in ("change", "dropped_reason"):
            field = self.fields[name]
            assert isinstance(field, forms.CharField)
            keep_existing_length(field, getattr(self.instance, name))
        self.helper = _helper()
        self.helper.layout = Layout(
            Field("title"),
            Field("change"),
            Field("parameters", template=CHECKBOXES),
            Field("owners", template=CHECKBOXES, wrapper_class="checkbox-columns"),
            Row(
                Column("due_on", css_class="col-sm-6 col-lg-4"),
                Column("status", css_class="col-sm-6 col-lg-4"),
                Column("percent_complete", css_class="col-sm-6 col-lg-4"),
            ),
            Field("dropped_reason"),
        )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        status = cleaned.get("status")
        reason = (cleaned.get("dropped_reason") or "").strip()
        if status == ActionItem.Status.DROPPED and not reason and "dropped_reason" not in self.errors:
            self.add_error(
                "dropped_reason", gettext("Say why the action was dropped: your internal customers read it instead.")
            )
        due_on = cleaned.get("due_on")
        closed = status in (ActionItem.Status.DONE, ActionItem.Status.DROPPED)
        if due_on and not closed and due_on < timezone.localdate() and due_on != self.instance.due_on:
            self.add_error("due_on", gettext("This date has passed: choose today or a later date."))
        return cleaned


class ProgressUpdateForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = ProgressUpdate
        fields = ["written_on", "text", "public"]
        widgets = {"written_on": DATE_INPUT, "text": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "written_on": gettext_lazy("Date"),
            "text": gettext_lazy("What happened"),
            "public": gettext_lazy("Public"),
        }
        help_texts = {
            "public": gettext_lazy(
                "Every employee reads public updates with the action once it is done. "
                "Untick for a note to the department and HR only."
            ),
        }
        error_messages = {"text": {"required": gettext_lazy("Write what happened.")}}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("written_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.helper.layout = Layout(
            Row(Column("written_on", css_class="col-sm-6 col-lg-12 col-xl-8")), Field("text"), Field("public")
        )

    def clean_written_on(self) -> date:
        written_on = self.cleaned_data["written_on"]
        if written_on > timezone.localdate():
            raise forms.ValidationError(
                gettext("An update tells what has happened: its date cannot be in the future.")
            )
        return written_on


class CommitmentForm(PlainTextMixin, forms.ModelForm):
    """A commitment, new or changed. Its outcome (kept or not kept, with a note) can be given from
    its date on, and a commitment not kept needs the note."""

    parameters = ParameterChoiceField(
        queryset=ServiceParameter.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        label=gettext_lazy("Charter parameters it is about"),
    )

    class Meta:
        model = Commitment
        fields = ["text", "parameters", "due_on", "outcome", "outcome_note"]
        widgets = {
            "due_on": DATE_INPUT,
            "outcome": forms.RadioSelect,
            "outcome_note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "text": gettext_lazy("We will …"),
            "due_on": gettext_lazy("By"),
            "outcome": gettext_lazy("Outcome"),
            "outcome_note": gettext_lazy("Note on the outcome"),
        }
        help_texts = {
            "text": gettext_lazy(
                "One sentence your internal customers can check, e.g. “answer every purchase request within 2 working days”."
            ),
            "due_on": gettext_lazy("The date by which you will have kept it."),
            "outcome_note": gettext_lazy("What happened: required when it was not kept."),
        }
        error_messages = {"text": {"required": gettext_lazy("Write what you will do.")}}

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        parameters = self.fields["parameters"]
        assert isinstance(parameters, ParameterChoiceField)
        parameters.queryset = _parameters(department, self.instance)
        self.today = timezone.localdate()
        if self.instance.pk is None:
            # A new commitment has no outcome yet: it is published as pending.
            del self.fields["outcome"], self.fields["outcome_note"]
            self.fields["due_on"].help_text = gettext("Today or later: the date by which you will have kept it.")
        else:
            outcome = self.fields["outcome"]
            assert isinstance(outcome, forms.ChoiceField)
            outcome.choices = [(value, label) for value, label in Commitment.Outcome.choices]
            keep_existing_length(self.fields["outcome_note"], self.instance.outcome_note)  # type: ignore[arg-type]
            if not self.instance.can_have_outcome(self.today):
                outcome.help_text = gettext("Kept or not kept can be said from %(date)s on.") % {
                    "date": dateformat.format(self.instance.due_on, "j F Y")
                }
        self.helper = _helper()
        self.helper.layout = Layout(
            Field("text"),
            Field("parameters", template=CHECKBOXES),
            Row(Column("due_on", css_class="col-sm-8 col-md-6")),
            *([Field("outcome"), Field("outcome_note")] if "outcome" in self.fields else []),
        )

    def clean_text(self) -> str:
        """The label says “We will …”: a text that says it again would read “We will we will …”."""
        text = self.cleaned_data["text"].strip()
        if text.casefold().startswith("we will "):
            text = text[len("we will ") :].strip()
        return text.rstrip(".") or text

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        due_on = cleaned.get("due_on")
        pending = self.instance.pk is None or cleaned.get("outcome") == Commitment.Outcome.PENDING
        if due_on and due_on < self.today and due_on != self.instance.due_on and pending:
            self.add_error("due_on", gettext("This date has passed: choose today or a later date."))
        outcome = cleaned.get("outcome")
        if outcome and outcome != Commitment.Outcome.PENDING:
            if due_on and due_on > self.today:
                self.add_error(
                    "outcome",
                    gettext("Say whether it was kept from its date on (%(date)s): leave it pending until then.")
                    % {"date": dateformat.format(due_on, "j F Y")},
                )
            note = (cleaned.get("outcome_note") or "").strip()
            if outcome == Commitment.Outcome.NOT_KEPT and not note and "outcome_note" not in self.errors:
                self.add_error("outcome_note", gettext("Say what happened: why it was not kept, and what you do now."))
        return cleaned


class ActionTemplateForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = ActionTemplate
        fields = ["parameter_name", "title", "change"]
        widgets = {"change": forms.Textarea(attrs={"rows": 3})}
        labels = {"parameter_name": gettext_lazy("Parameter"), "change": gettext_lazy("What will change")}
        help_texts = {
            "parameter_name": gettext_lazy(
                "The name of the charter parameter it suits, e.g. “Responsiveness”: it is offered for "
                "every department's parameter of that name."
            ),
        }

    def __init__(self, *args, parameter_names: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parameter_name"].widget.attrs["list"] = "parameter-names"
        self.parameter_names = parameter_names or []
        self.helper = _helper()

    def clean_parameter_name(self) -> str:
        return " ".join(self.cleaned_data["parameter_name"].split())
