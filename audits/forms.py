from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Department, Employee, ServiceParameter
from departments.roles import can_audit
from survey_portal.forms import PlainTextMixin

from . import attachments, scoring
from .models import AuditItem, AuditTemplate
from .services import AUDITOR_REFUSED, RESPONSE_HOURS_MAX, ItemScore

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FAILED_HELP = gettext_lazy("A critical item has failed when it is scored fail, or 1 or 2 on the 1–5 scale.")


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


class TemplateForm(PlainTextMixin, forms.ModelForm):
    """A template's scenario. Its department is chosen when it is created and kept after."""

    class Meta:
        model = AuditTemplate
        fields = ["department", "name", "scenario", "active"]
        widgets = {"scenario": forms.Textarea(attrs={"rows": 4})}
        labels = {"name": gettext_lazy("Template name")}
        help_texts = {"name": gettext_lazy("e.g. “Service desk walk-in: a broken laptop”.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = Department.objects.active()
            self.fields["department"].help_text = _("The department audited: the items are its charter parameters.")
        self.helper = _helper()


class ParameterField(forms.ModelChoiceField):
    def label_from_instance(self, parameter: ServiceParameter) -> str:
        return f"{parameter.department.name} — {parameter.name}"


class ItemForm(PlainTextMixin, forms.ModelForm):
    parameter = ParameterField(queryset=ServiceParameter.objects.none(), label=gettext_lazy("Charter parameter"))

    class Meta:
        model = AuditItem
        fields = ["parameter", "text", "kind", "weight", "critical"]
        labels = {"kind": gettext_lazy("Scored"), "critical": gettext_lazy("Critical")}
        help_texts = {
            "critical": gettext_lazy(
                "A failure raises an action item for the department. "
                "A critical item has failed when it is scored fail, or 1 or 2 on the 1–5 scale."
            )
        }
        widgets = {"weight": forms.NumberInput(attrs={"min": "0.01", "step": "0.5"})}

    def __init__(self, *args, parameters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parameter"].queryset = parameters if parameters is not None else ServiceParameter.objects.none()
        self.fields["weight"].min_value = None
        self.helper = _helper(
            Layout(
                Row(Column("parameter", css_class="col-md-5"), Column("text", css_class="col-md-7")),
                Row(
                    Column("kind", css_class="col-sm-4"),
                    Column("weight", css_class="col-sm-3"),
                    Column("critical", css_class="col-sm-5 pt-sm-4"),
                ),
            )
        )


class BaseItemFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, parameters=None, **kwargs):
        self.parameters = parameters
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # existing items only (can_delete_extra is off)
            form.fields["DELETE"].label = _("Remove this item")
            form.helper.layout.append("DELETE")

    def get_form_kwargs(self, index):
        return super().get_form_kwargs(index) | {"parameters": self.parameters}

    def check_department(self, department: Department) -> bool:
        """Every item's parameter is one of `department`'s: an error on each row where not."""
        right = True
        for form in self.forms:
            parameter = form.cleaned_data.get("parameter") if form.cleaned_data else None
            if (
                parameter is not None
                and not form.cleaned_data.get("DELETE")
                and parameter.department_id != department.pk
            ):
                form.add_error(
                    "parameter", _("Choose a parameter of the charter of %(name)s.") % {"name": department.name}
                )
                right = False
        return right

    def clean(self):
        super().clean()
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise ValidationError(_("A template needs at least one checklist item."))


ItemFormSet = forms.inlineformset_factory(
    AuditTemplate,
    AuditItem,
    form=ItemForm,
    formset=BaseItemFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
    max_num=50,
)


def item_parameters(department: Department | None):
    """The parameters items may be tied to: the department's active ones (every active department's
    when the template is new)."""
    queryset = ServiceParameter.objects.filter(active=True, department__active=True).select_related("department")
    if department is not None:
        queryset = queryset.filter(department=department)
    return queryset.order_by("department__name", "position", "name")


class AuditorField(forms.ModelChoiceField):
    def label_from_instance(self, employee: Employee) -> str:
        return f"{employee.full_name} — {employee.department.name}"


class ScheduleForm(PlainTextMixin, forms.Form):
    template = forms.ModelChoiceField(
        queryset=AuditTemplate.objects.filter(active=True, department__active=True).select_related("department"),
        help_text=gettext_lazy("The department audited is the template's."),
    )
    auditor = AuditorField(
        queryset=Employee.objects.active().select_related("user", "department").order_by("user__last_name"),
        help_text=gettext_lazy("An employee outside the department audited: never its head or one of its delegates."),
    )
    due_on = forms.DateField(label=gettext_lazy("Due date"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise ValidationError(_("The due date cannot be in the past."))
        return due_on

    def clean(self):
        data = super().clean()
        template, auditor = data.get("template"), data.get("auditor")
        if template is not None and auditor is not None and not can_audit(auditor, template.department):
            self.add_error("auditor", AUDITOR_REFUSED.format(department=template.department.name))
        return data


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".png,.jpg,.jpeg,.webp,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(one, initial) for one in data]
        return [single(data, initial)] if data else []


PASS_FAIL_CHOICES = [(str(scoring.PASS), gettext_lazy("Pass")), (str(scoring.FAIL), gettext_lazy("Fail"))]
SCALE_CHOICES = [
    ("1", gettext_lazy("1 — very poor")),
    ("2", gettext_lazy("2 — poor")),
    ("3", gettext_lazy("3 — acceptable")),
    ("4", gettext_lazy("4 — good")),
    ("5", gettext_lazy("5 — excellent")),
]


class ItemFields(forms.Form):
    """A score and a note per checklist item, numbered by the item's place (score_0, note_0 …);
    added before PlainTextMixin looks at the fields, so that the notes follow its rule too."""

    def __init__(self, *args, audit, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.audit, self.items = audit, items
        for index, item in enumerate(items):
            choices = PASS_FAIL_CHOICES if item.kind == AuditItem.Kind.PASS_FAIL else SCALE_CHOICES
            self.fields[f"score_{index}"] = forms.ChoiceField(
                label=item.text,
                choices=choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": _("Score this item.")},
            )
            self.fields[f"note_{index}"] = forms.CharField(
                label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
            )


class RecordForm(PlainTextMixin, ItemFields):
    """What the auditor records: the request, the response time, each item's score and note, and
    attachments."""

    requested_on = forms.DateField(label=gettext_lazy("Date of your request"), widget=DATE_INPUT)
    response_hours = forms.DecimalField(
        label=gettext_lazy("Response time (hours)"),
        required=False,
        max_digits=6,
        decimal_places=1,
        help_text=gettext_lazy("From your request to the department's first answer. Leave empty if no answer came."),
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.5"}),
    )
    attachments = MultipleFileField(
        required=False,
        help_text=gettext_lazy(
            "Optional: photos or a PDF (PNG, JPEG, WebP or PDF). HR sees them; the department never does."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = str(self.fields["attachments"].help_text) + (
            " "
            + _("At most %(count)s files of %(size)s each.")
            % {"count": settings.AUDIT_ATTACHMENTS_MAX, "size": filesizeformat(settings.AUDIT_ATTACHMENT_MAX_BYTES)}
        )
        self.helper = _helper(
            Layout(Row(Column("requested_on", css_class="col-sm-6"), Column("response_hours", css_class="col-sm-6")))
        )

    def item_rows(self):
        return [(item, self[f"score_{index}"], self[f"note_{index}"]) for index, item in enumerate(self.items)]

    def clean_requested_on(self):
        requested_on = self.cleaned_data["requested_on"]
        if requested_on > timezone.localdate():
            raise ValidationError(_("The date of the request cannot be in the future."))
        if requested_on < self.audit.scheduled_on:
            raise ValidationError(
                _("The audit was scheduled on %(date)s: the request was made on that day or later.")
                % {"date": f"{self.audit.scheduled_on:%d %B %Y}"}
            )
        return requested_on

    def clean_response_hours(self):
        hours = self.cleaned_data["response_hours"]
        if hours is not None and not 0 <= hours <= RESPONSE_HOURS_MAX:
            raise ValidationError(_("The response time is from 0 to %(max)s hours.") % {"max": RESPONSE_HOURS_MAX})
        return hours

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        attachments.check_files(files)
        return files

    def scores(self) -> dict[int, ItemScore]:
        return {
            item.pk: ItemScore(int(self.cleaned_data[f"score_{index}"]), self.cleaned_data[f"note_{index}"])
            for index, item in enumerate(self.items)
        }
