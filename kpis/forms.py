from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from departments.models import Department, ServiceParameter
from survey_portal.forms import PlainTextMixin

from .models import Kpi


class ParameterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, parameter: ServiceParameter) -> str:
        return parameter.name


class KpiForm(PlainTextMixin, forms.ModelForm):
    """A KPI of one department; the parameter it evidences is one of that department's charter."""

    parameter = ParameterChoiceField(
        queryset=ServiceParameter.objects.none(),
        required=False,
        empty_label=gettext_lazy("— None —"),
        label=gettext_lazy("Evidences parameter"),
        help_text=gettext_lazy("The perceived parameter of the charter this figure backs up, if any."),
    )

    class Meta:
        model = Kpi
        fields = ["name", "code", "unit", "direction", "frequency", "agreed", "warning", "parameter", "active"]
        widgets = {
            "agreed": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "warning": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        parameters = ServiceParameter.objects.filter(department=department).order_by("-active", "position", "name")
        if self.instance.parameter_id:
            parameters = parameters.filter(active=True) | parameters.filter(pk=self.instance.parameter_id)
        else:
            parameters = parameters.filter(active=True)
        self.fields["parameter"].queryset = parameters  # type: ignore[attr-defined]
        if self.instance.pk is None:
            del self.fields["active"]
        else:
            self.fields["active"].help_text = gettext("Untick to retire it: its values stay, it leaves the charter.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("name"),
            Row(
                Column("code", css_class="col-md-4"),
                Column("unit", css_class="col-md-4"),
                Column("frequency", css_class="col-md-4"),
            ),
            Row(
                Column("direction", css_class="col-md-4"),
                Column("agreed", css_class="col-6 col-md-4"),
                Column("warning", css_class="col-6 col-md-4"),
            ),
            Field("parameter"),
            *(["active"] if "active" in self.fields else []),
        )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].lower()
        taken = Kpi.objects.filter(department=self.department, code=code).exclude(pk=self.instance.pk or 0)
        if taken.exists():
            raise forms.ValidationError(gettext("Another KPI of this department already uses this code."))
        return code

    def clean(self) -> dict:
        data = super().clean() or {}
        unit, direction = data.get("unit"), data.get("direction")
        agreed, warning = data.get("agreed"), data.get("warning")
        if unit is None:
            return data
        high = Kpi(unit=unit).value_max
        for name, level in (("agreed", agreed), ("warning", warning)):
            if level is not None and not 0 <= level <= high:
                self.add_error(
                    name,
                    gettext("A level in %(unit)s is between 0 and %(high)s.")
                    % {"unit": str(Kpi.Unit(unit).label).lower(), "high": f"{high:f}"},
                )
        if agreed is not None and warning is not None and direction and 0 <= warning <= high:
            higher = direction == Kpi.Direction.HIGHER
            if (higher and warning <= agreed) or (not higher and warning >= agreed):
                if higher:
                    message = gettext(
                        "The warning level is an early warning: above the agreed level, or leave it empty."
                    )
                else:
                    message = gettext(
                        "The warning level is an early warning: below the agreed level, or leave it empty."
                    )
                self.add_error("warning", message)
        return data


class KpiUploadForm(forms.Form):
    kpi_values = forms.FileField(
        label=gettext_lazy("KPI values (CSV)"),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=gettext_lazy(
            "Columns department_code, kpi_code, period_start, period_end, value; UTF-8 with a header row."
        ),
    )

    def clean_kpi_values(self):
        upload = self.cleaned_data["kpi_values"]
        if upload.size > settings.ORG_IMPORT_MAX_UPLOAD_MB * 1024 * 1024:  # the limit of every CSV upload
            raise forms.ValidationError(
                gettext("This file is larger than %(size)s MB.") % {"size": settings.ORG_IMPORT_MAX_UPLOAD_MB}
            )
        return upload

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
