"""Forms of nominations: nominating, and the reviewer's approve / decline / merge."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy

from departments.models import Department, Employee, ServiceParameter
from survey_portal.forms import PlainTextMixin

from .forms import ChosenDepartmentMixin
from .models import TEXT_MAX_LENGTH, AwardCriterion, Nomination

NOT_ANONYMOUS_NOTICE = gettext_lazy(
    "HR and the review panel always see who nominated: nominations are not survey answers."
)
OWN_DEPARTMENT = gettext_lazy(
    "Nominate another department, or a colleague in one: not your own department or yourself."
)
DUPLICATE = gettext_lazy("You already nominated them for this award, and that nomination is waiting for review.")


def pending_duplicate(*, nominator: Employee, criterion, department, employee) -> bool:
    return Nomination.objects.filter(
        nominator=nominator,
        criterion=criterion,
        department=department,
        employee=employee,
        status=Nomination.Status.PENDING,
    ).exists()


class NominateForm(ChosenDepartmentMixin, PlainTextMixin, forms.Form):
    """A nomination of a department, or of a named colleague in it, for an active criterion HR
    awards by nomination. The colleagues and parameters offered are the chosen department's."""

    criterion = forms.ModelChoiceField(
        queryset=AwardCriterion.objects.none(), empty_label=None, label=gettext_lazy("Award")
    )
    department: forms.ModelChoiceField[Department] = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        to_field_name="code",
        empty_label=gettext_lazy("— Choose a department —"),
        label=gettext_lazy("Department"),
    )
    employee = forms.ModelChoiceField(
        queryset=Employee.objects.none(),
        required=False,
        empty_label=gettext_lazy("— The whole department —"),
        label=gettext_lazy("A named colleague in it (optional)"),
    )
    parameter: forms.ModelChoiceField[ServiceParameter] = forms.ModelChoiceField(
        queryset=ServiceParameter.objects.none(),
        required=False,
        empty_label=gettext_lazy("— None in particular —"),
        label=gettext_lazy("Which part of its charter? (optional)"),
    )
    reason = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=gettext_lazy("Why they deserve it"),
        help_text=gettext_lazy("What did they do? At most 1000 characters."),
    )
    anonymous = forms.BooleanField(
        required=False, label=gettext_lazy("Hide my name from the nominee"), help_text=NOT_ANONYMOUS_NOTICE
    )

    people_field = "employee"

    def __init__(self, *args, nominator: Employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.nominator = nominator
        self.fields["criterion"].queryset = AwardCriterion.objects.filter(by_nomination=True, active=True)
        self.offer_department(nominator)

    def clean_department(self):
        department = self.cleaned_data["department"]
        if department.pk == self.nominator.department_id:
            raise forms.ValidationError(OWN_DEPARTMENT, code="own_department")
        return department

    def clean(self):
        data = super().clean()
        criterion, department = data.get("criterion"), data.get("department")
        if (
            criterion is not None
            and department is not None
            and pending_duplicate(
                nominator=self.nominator, criterion=criterion, department=department, employee=data.get("employee")
            )
        ):
            raise forms.ValidationError(DUPLICATE, code="duplicate")
        return data


class ApproveForm(PlainTextMixin, forms.Form):
    citation = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Citation"),
        help_text=gettext_lazy(
            "What the award says, in words: shown on the wall, the charter page and the scorecard."
        ),
    )


class DeclineForm(PlainTextMixin, forms.Form):
    decision_reason = forms.CharField(
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Reason for declining"),
        help_text=gettext_lazy("The nominator reads it."),
    )


class MergeForm(PlainTextMixin, forms.Form):
    into = forms.ModelChoiceField(
        queryset=Nomination.objects.none(), empty_label=None, label=gettext_lazy("Merge into the nomination")
    )

    def __init__(self, *args, nomination: Nomination, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (  # type: ignore[attr-defined]
            Nomination.objects.filter(
                # The same nominee: the same colleague, or (None: IS NULL) the same whole department.
                Q(employee_id=nomination.employee_id),
                status=Nomination.Status.PENDING,
                criterion_id=nomination.criterion_id,
                department_id=nomination.department_id,
            )
            .exclude(pk=nomination.pk)
            .select_related("nominator__user")
            .order_by("created_at")
        )
        self.fields["into"].label_from_instance = (  # type: ignore[attr-defined]
            lambda n: f"Nomination {n.pk} by {n.nominator.full_name}, {n.created_at:%d %b %Y}"
        )


class PanelAddForm(PlainTextMixin, forms.Form):
    employee = forms.ModelChoiceField(
        queryset=Employee.objects.none(),
        empty_label=gettext_lazy("— Choose a colleague —"),
        label=gettext_lazy("Colleague to name"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = (
            Employee.objects.active()
            .filter(panel_membership=None)
            .select_related("user", "department")
            .order_by("user__first_name", "user__last_name")
        )
        self.fields["employee"].label_from_instance = lambda e: f"{e.full_name} ({e.department.name})"
