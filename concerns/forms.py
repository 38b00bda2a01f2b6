from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from departments.models import Department, ServiceParameter
from survey_portal.forms import PlainTextMixin

from . import receipts
from .models import SUBJECT_MAX_LENGTH, TEXT_MAX_LENGTH, ClosureDate, Concern, ResponseTimes


def text_field(label: StrOrPromise, *, rows: int = 4, help_text: StrOrPromise = "") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )


class RaiseForm(PlainTextMixin, forms.Form):
    department: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        empty_label=gettext_lazy("— Choose a department —"),
        label=gettext_lazy("Department"),
    )
    parameter: forms.TypedChoiceField = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label=gettext_lazy("Which part of its charter does it touch? (optional)"),
    )
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=SUBJECT_MAX_LENGTH,
        help_text=gettext_lazy("One line: what went wrong, or what is missing."),
    )
    description = text_field(
        gettext_lazy("What happened"),
        rows=6,
        help_text=gettext_lazy("What you needed, what happened, and what would have helped."),
    )
    anonymous = forms.TypedChoiceField(
        label=gettext_lazy("Who can see it is from you"),
        choices=[
            ("yes", gettext_lazy("Anonymous: the department never learns who raised it")),
            ("no", gettext_lazy("Named: the department sees my name")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    share_department = forms.BooleanField(required=False)

    def __init__(self, *args, employee, share_allowed: bool, threshold: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.employee = employee
        departments = Department.objects.active().exclude(pk=employee.department_id).order_by("name")
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        parameters = (
            ServiceParameter.objects.filter(active=True, department__in=departments)
            .select_related("department")
            .order_by("department__name", "position", "name")
        )
        groups: dict[str, list[tuple[int, str]]] = {}
        self.parameter_departments: dict[int, int] = {}
        for parameter in parameters:
            groups.setdefault(parameter.department.name, []).append((parameter.pk, parameter.name))
            self.parameter_departments[parameter.pk] = parameter.department_id
        self.fields["parameter"].choices = [("", _("— None in particular —")), *groups.items()]  # type: ignore[attr-defined]
        own = employee.department.name
        self.fields["share_department"].label = _("Tell the department that I work in %(name)s") % {"name": own}
        if share_allowed:
            self.fields["share_department"].help_text = _(
                "Only the department's name is shared, never yours. %(name)s has at least %(count)s people."
            ) % {
                "name": own,
                "count": threshold,
            }
        else:
            self.fields["share_department"].disabled = True
            self.fields["share_department"].help_text = _(
                "Not offered: %(name)s has fewer than %(count)s people, so its name could point to you."
            ) % {
                "name": own,
                "count": threshold,
            }

    def clean(self):
        data = super().clean()
        department, parameter_id = data.get("department"), data.get("parameter")
        if department and parameter_id is not None and self.parameter_departments.get(parameter_id) != department.pk:
            self.add_error(
                "parameter", _("That part of the charter is not one of %(name)s's.") % {"name": department.name}
            )
        if parameter_id is not None and department:
            data["parameter"] = ServiceParameter.objects.get(pk=parameter_id)
        if not data.get("anonymous"):
            data["share_department"] = False
        return data


class MessageForm(PlainTextMixin, forms.Form):
    prefix = "message"
    text = text_field(gettext_lazy("Your message"), rows=3)


class AnswerForm(PlainTextMixin, forms.Form):
    prefix = "answer"
    text = text_field(
        gettext_lazy("Your answer"),
        rows=5,
        help_text=gettext_lazy("What you found and what you did or will do. It closes the concern."),
    )


class ReasonForm(PlainTextMixin, forms.Form):
    reason = text_field(gettext_lazy("Why"), rows=3)


class ReopenForm(ReasonForm):
    prefix = "reopen"


class NotOursForm(ReasonForm):
    prefix = "not_ours"


class HideForm(ReasonForm):
    prefix = "hide"


class RatingForm(PlainTextMixin, forms.Form):
    prefix = "rate"
    rating = forms.ChoiceField(
        label=gettext_lazy("Did the answer resolve your concern?"),
        choices=Concern.Rating.choices,
        widget=forms.RadioSelect,
    )


class ReceiptForm(PlainTextMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Receipt code"),
        max_length=40,
        help_text=gettext_lazy("The code you were given when you raised the concern, e.g. K7QM-2RXD-9FTW-H3BN-C8VP."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if receipts.normalise(code) is None:
            raise forms.ValidationError(
                _("That is not a receipt code: it has 20 letters and digits, in groups of four.")
            )
        return code


class ReassignForm(PlainTextMixin, forms.Form):
    prefix = "reassign"
    department = forms.ModelChoiceField(queryset=Department.objects.active(), label=gettext_lazy("Give it to"))


class ResponseTimesForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = ResponseTimes
        fields = ["acknowledge_days", "answer_days"]

    def clean(self):
        data = super().clean()
        ack, answer = data.get("acknowledge_days"), data.get("answer_days")
        if ack is not None and answer is not None and answer < ack:
            self.add_error("answer_days", _("The time to answer cannot be shorter than the time to acknowledge."))
        return data


class ClosureDateForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = ClosureDate
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        labels = {"date": gettext_lazy("Date"), "name": gettext_lazy("What it is")}
