from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.forms import BaseModelFormSet, modelformset_factory

from survey_portal.forms import PlainTextMixin, keep_existing_length

from .language_fields import GERMAN_LEGEND, GermanTextsMixin, layout_with_german_fieldset
from .models import DESCRIPTION_MAX_LENGTH, Department, Employee, ServiceParameter


class HeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, employee: Employee) -> str:
        return f"{employee.full_name} — {employee.job_title}" if employee.job_title else employee.full_name


def description_field() -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=Department._meta.get_field("description").help_text,
    )


class DepartmentForm(PlainTextMixin, GermanTextsMixin, forms.ModelForm):
    """Edit a department. The head is chosen among the department's own active employees."""

    head = HeadChoiceField(queryset=Employee.objects.none(), required=False, empty_label="— No head yet —")
    description = description_field()

    class Meta:
        model = Department
        fields = ["name", "description", "head", "front_line", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = (
            Employee.objects.active().filter(department=self.instance).select_related("user")
            if self.instance.pk
            else Employee.objects.none()
        )
        if self.instance.pk and not self.fields["head"].queryset.exists():
            self.fields["head"].help_text = "Nobody works in this department yet: import or add its employees first."
        keep_existing_length(self.fields["description"], self.instance.description)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = layout_with_german_fieldset(self)


class DepartmentCreateForm(PlainTextMixin, GermanTextsMixin, forms.ModelForm):
    description = description_field()

    class Meta:
        model = Department
        fields = ["code", "name", "description", "front_line"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = "Short, lower-case and unique, e.g. 'it' or 'customer-service'. Cannot change."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = layout_with_german_fieldset(self)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].lower()
        if Department.objects.filter(code=code).exists():
            raise forms.ValidationError("A department with this code already exists.")
        return code


class ServiceParameterForm(PlainTextMixin, GermanTextsMixin, forms.ModelForm):
    class Meta:
        model = ServiceParameter
        fields = ["name", "code", "description", "target", "weight", "position", "active"]
        widgets = {
            "description": forms.TextInput(),
            "target": forms.NumberInput(attrs={"step": "0.05", "min": "1", "max": "5"}),
            "weight": forms.NumberInput(attrs={"step": "0.5", "min": "0.01"}),
            "position": forms.NumberInput(attrs={"min": "0"}),
        }
        labels = {"description": "What internal customers can expect", "position": "Order"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("target", "weight", "position", "code", "description"):
            self.fields[name].help_text = ""
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-md-4"),
                Column("code", css_class="col-md-2"),
                Column("target", css_class="col-4 col-md-2"),
                Column("weight", css_class="col-4 col-md-2"),
                Column("position", css_class="col-4 col-md-2"),
            ),
            Field("description"),
            Fieldset(
                GERMAN_LEGEND,
                Row(Column("name_de", css_class="col-md-4"), Column("description_de", css_class="col-md-8")),
            ),
            Field("active"),
        )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].lower()


class BaseCharterFormSet(BaseModelFormSet):
    """A department's charter, one form per parameter and a blank one to add a parameter.

    Validated whole, as it will be once saved: a posted form that leaves a parameter out (a tampered
    form count) leaves that parameter as it is, and its code stays taken.
    """

    def __init__(self, data=None, *, department: Department, **kwargs):
        self.department = department
        queryset = ServiceParameter.objects.filter(department=department).order_by("-active", "position", "name")
        super().__init__(data, queryset=queryset, **kwargs)

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        # The hidden id of each row: wrong only when the page is out of date or the post was altered.
        form.fields["id"].error_messages["invalid_choice"] = (
            "This row does not match a parameter of this charter any more: reload the page and make your changes again."
        )

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        untouched = {
            pk: (code, active)
            for pk, code, active in ServiceParameter.objects.filter(department=self.department).values_list(
                "pk", "code", "active"
            )
        }
        rows = []
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue  # an untouched blank row
            untouched.pop(form.instance.pk, None)
            rows.append(form)
        seen = {code for code, _active in untouched.values()}
        active = sum(active for _code, active in untouched.values())
        for form in rows:
            code = form.cleaned_data.get("code") or ""
            if code in seen:
                form.add_error("code", f"Another parameter of this charter already uses the code “{code}”.")
            seen.add(code)
            active += bool(form.cleaned_data.get("active"))
        if not active:
            raise forms.ValidationError("A charter needs at least one active parameter.")


CharterFormSet = modelformset_factory(
    ServiceParameter, form=ServiceParameterForm, formset=BaseCharterFormSet, extra=1, can_delete=False
)


class DependenciesForm(PlainTextMixin, forms.Form):
    providers = forms.ModelMultipleChoiceField(
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="This department depends on",
    )

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        providers = self.fields["providers"]
        assert isinstance(providers, forms.ModelMultipleChoiceField)
        providers.queryset = Department.objects.active().exclude(pk=department.pk)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, employee: Employee) -> str:
        return f"{employee.full_name} — {employee.job_title}" if employee.job_title else employee.full_name


class DelegatesForm(PlainTextMixin, forms.Form):
    """Who acts for the department besides its head: its active people, the head left out."""

    delegates = PeopleChoiceField(
        queryset=Employee.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        label="Delegates",
    )

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        delegates = self.fields["delegates"]
        assert isinstance(delegates, PeopleChoiceField)
        delegates.queryset = (
            Employee.objects.active()
            .filter(department=department)
            .exclude(pk=department.head_id or 0)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )


class OrgImportForm(PlainTextMixin, forms.Form):
    departments = forms.FileField(
        required=False, help_text="code, name, head_email, front_line, description, name_de, description_de"
    )
    employees = forms.FileField(required=False, help_text="email, first_name, last_name, department_code, job_title")
    dependencies = forms.FileField(required=False, help_text="consumer_code, provider_code")
    parameters = forms.FileField(
        required=False,
        label="Charters (parameters)",
        help_text="department_code, code, name, target, weight, description, name_de, description_de — replaces those departments' charters",
    )
    deactivate_missing = forms.BooleanField(
        required=False,
        label="Deactivate employees who are not in the employees file",
        help_text="They can no longer sign in. Nobody is ever deleted.",
    )

    FILE_FIELDS = ("departments", "employees", "dependencies", "parameters")

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        limit = settings.ORG_IMPORT_MAX_UPLOAD_MB * 1024 * 1024
        for name in self.FILE_FIELDS:
            upload = cleaned.get(name)
            if upload and upload.size > limit:
                self.add_error(name, f"This file is larger than {settings.ORG_IMPORT_MAX_UPLOAD_MB} MB.")
        if not any(cleaned.get(name) for name in self.FILE_FIELDS):
            raise forms.ValidationError("Choose at least one CSV file.")
        if cleaned.get("deactivate_missing") and not cleaned.get("employees"):
            self.add_error("deactivate_missing", "Deactivating missing employees needs an employees file.")
        return cleaned
