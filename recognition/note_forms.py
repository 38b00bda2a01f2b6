"""Forms of thank-you notes: sending one, HR hiding one, a head's email preference."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from departments.models import Department, Employee, ServiceParameter
from survey_portal.forms import PlainTextMixin

from .forms import ChosenDepartmentMixin
from .models import TEXT_MAX_LENGTH, NotePreference

UNNAMED_NOTICE = gettext_lazy(
    "An unnamed note still records who sent it, for abuse handling only: HR alone can see it."
)


class ThankForm(ChosenDepartmentMixin, PlainTextMixin, forms.Form):
    """A note to a department, or to named colleagues in it. The colleagues and parameters offered
    are the chosen department's (read from the posted or linked department), so one of another
    department is not a valid choice."""

    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        to_field_name="code",
        empty_label=gettext_lazy("— Choose a department —"),
        label=gettext_lazy("Department you want to thank"),
    )
    colleagues = forms.ModelMultipleChoiceField(
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label=gettext_lazy("Named colleagues (optional)"),
        help_text=gettext_lazy("Leave all unticked to thank the whole department."),
    )
    parameter: forms.ModelChoiceField[ServiceParameter] = forms.ModelChoiceField(
        queryset=ServiceParameter.objects.none(),
        required=False,
        empty_label=gettext_lazy("— None in particular —"),
        label=gettext_lazy("Which part of its charter was it? (optional)"),
    )
    message = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=gettext_lazy("Your thanks"),
        help_text=gettext_lazy("What did they do for you? At most 1000 characters."),
    )
    show_name = forms.BooleanField(
        required=False, initial=True, label=gettext_lazy("Show my name"), help_text=UNNAMED_NOTICE
    )

    people_field = "colleagues"

    def __init__(self, *args, sender: Employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.sender = sender
        self.offer_department(sender)

    def clean(self):
        data = super().clean()
        department = data.get("department")
        if department is not None and department.pk == self.sender.department_id:
            self.add_error(
                "department", gettext("You cannot thank your own department: thank a department that served you.")
            )
        if self.sender in data.get("colleagues", []):
            self.add_error("colleagues", gettext("You cannot thank yourself."))
        return data


class HideForm(PlainTextMixin, forms.Form):
    reason = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Why hide it"),
        help_text=gettext_lazy("Kept with the note, for HR."),
    )


class PreferenceForm(PlainTextMixin, forms.ModelForm):
    weekly_digest = forms.TypedChoiceField(
        label=gettext_lazy("How do you want to hear about thank-you notes to your department?"),
        choices=[("no", "An email for each note"), ("yes", "One weekly digest")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = NotePreference
        fields = ["weekly_digest"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["weekly_digest"] = "yes" if self.instance.weekly_digest else "no"
