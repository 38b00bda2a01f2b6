"""Forms of thank-you notes: sending one, HR hiding one, a head's email preference."""

from __future__ import annotations

from django import forms

from departments.models import Department, Employee, ServiceParameter
from survey_portal.forms import PlainTextMixin
from survey_portal.text import refused_character

from .models import TEXT_MAX_LENGTH, NotePreference

UNNAMED_NOTICE = "An unnamed note still records who sent it, for abuse handling only: HR alone can see it."


class ThankForm(PlainTextMixin, forms.Form):
    """A note to a department, or to named colleagues in it. The colleagues and parameters offered
    are the chosen department's (read from the posted or linked department), so one of another
    department is not a valid choice."""

    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        to_field_name="code",
        empty_label="— Choose a department —",
        label="Department you want to thank",
    )
    colleagues = forms.ModelMultipleChoiceField(
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label="Named colleagues (optional)",
        help_text="Leave all unticked to thank the whole department.",
    )
    parameter = forms.ModelChoiceField(
        queryset=ServiceParameter.objects.none(),
        required=False,
        empty_label="— None in particular —",
        label="Which part of its charter was it? (optional)",
    )
    message = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Your thanks",
        help_text="What did they do for you? At most 1000 characters.",
    )
    show_name = forms.BooleanField(required=False, initial=True, label="Show my name", help_text=UNNAMED_NOTICE)

    def __init__(self, *args, sender: Employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.sender = sender
        field = self.fields["department"]
        field.queryset = Department.objects.active().order_by("name")  # type: ignore[attr-defined]
        # Offered: every department but one's own (chosen anyway, it is refused with a reason).
        field.choices = [  # type: ignore[attr-defined]
            ("", "— Choose a department —"),
            *((d.code, d.name) for d in field.queryset if d.pk != sender.department_id),  # type: ignore[attr-defined]
        ]
        self.chosen = self._chosen_department()
        if self.chosen is not None:
            self.fields["colleagues"].queryset = (  # type: ignore[attr-defined]
                Employee.objects.active()
                .filter(department=self.chosen)
                .exclude(pk=sender.pk)
                .select_related("user")
                .order_by("user__first_name", "user__last_name")
            )
            self.fields["parameter"].queryset = ServiceParameter.objects.filter(  # type: ignore[attr-defined]
                department=self.chosen, active=True
            ).order_by("position", "name")

    def _chosen_department(self) -> Department | None:
        code = self.data.get("department") if self.is_bound else self.initial.get("department")
        if not isinstance(code, str) or not code or len(code) > 50 or refused_character(code):
            return None  # not a code: the field says so (and PostgreSQL refuses a NUL in a query)
        return Department.objects.active().filter(code=code).first()

    def clean(self):
        data = super().clean()
        department = data.get("department")
        if department is not None and department.pk == self.sender.department_id:
            self.add_error("department", "You cannot thank your own department: thank a department that served you.")
        if self.sender in data.get("colleagues", []):
            self.add_error("colleagues", "You cannot thank yourself.")
        return data


class HideForm(PlainTextMixin, forms.Form):
    reason = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why hide it",
        help_text="Kept with the note, for HR.",
    )


class PreferenceForm(PlainTextMixin, forms.ModelForm):
    weekly_digest = forms.TypedChoiceField(
        label="How do you want to hear about thank-you notes to your department?",
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
