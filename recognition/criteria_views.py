"""HR's pages for the award criteria: the list, a new criterion, editing one."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from departments.decorators import hr_required

from .criteria_forms import CriterionForm, measures_in_words
from .models import AwardCriterion


@hr_required
def criteria(request):
    rows = [(criterion, measures_in_words(criterion)) for criterion in AwardCriterion.objects.all()]
    return render(request, "recognition/criteria.html", {"rows": rows})


@hr_required
def criterion_create(request):
    return _edit(request, AwardCriterion())


@hr_required
def criterion_edit(request, pk: int):
    return _edit(request, get_object_or_404(AwardCriterion, pk=pk))


def _edit(request, criterion: AwardCriterion):
    form = CriterionForm(request.POST or None, instance=criterion)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(
            request, _("“%(name)s” is saved. Rules apply from the next evaluation of awards.") % {"name": saved.name}
        )
        return redirect("recognition:criteria")
    return render(request, "recognition/criterion_form.html", {"form": form, "criterion": criterion})
