"""The action plan's pages: action items (new, detail, edit, progress updates), commitments, HR's
library of suggested actions, and HR's nudge. The department's whole plan is listed by the
scorecards app (settings.ACTION_PLAN_URL), which puts it beside the scores."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.decorators import hr_required
from departments.models import Department, Employee, ServiceParameter
from departments.roles import department_for, get_roles
from survey_portal.query import query_choice, query_page

from .forms import ActionItemForm, ActionTemplateForm, CommitmentForm, ProgressUpdateForm
from .history import action_history
from .models import ActionItem, ActionTemplate, Commitment, ProgressUpdate, possible_owners
from .services import NudgeError, action_create, action_edit, nudge_head, progress_add


def _posted(request):
    """The form's data on a POST, even an empty one (all boxes unticked): a form bound to nothing."""
    return request.POST if request.method == "POST" else None


REFUSED_ACT = "Only the department's head and the delegates they named keep its action plan."
REFUSED_FOLLOW = "A department's action plan is for its head, the delegates they named, and HR."


def _acting(request, code: str) -> Department:
    department = department_for(request, code)
    if not get_roles(request).can_act_for(department):
        raise PermissionDenied(REFUSED_ACT)
    return department


def _following(request, code: str) -> Department:
    department = department_for(request, code)
    if not get_roles(request).can_follow(department):
        raise PermissionDenied(REFUSED_FOLLOW)
    return department


def _item(department: Department, pk: int) -> ActionItem:
    """One of the department's items: another department's is not found (404), never shown."""
    owners = Prefetch("owners", queryset=Employee.objects.select_related("user").order_by("user__last_name"))
    queryset = ActionItem.objects.of(department).select_related("department__head__user", "template")
    return get_object_or_404(queryset.prefetch_related("parameters", owners), pk=pk)


def plan_url(department: Department) -> str:
    return reverse(settings.ACTION_PLAN_URL, args=[department.code])


def _suggestions(department: Department, parameter: ServiceParameter | None) -> list[tuple[ServiceParameter, list]]:
    """HR's templates suited to the parameter (by name, whatever the case), or to each of the
    department's active parameters when none is chosen: [(parameter, templates)]."""
    parameters = [parameter] if parameter else list(department.charter_queryset())
    by_name: dict[str, list[ActionTemplate]] = {}
    for template in ActionTemplate.objects.order_by("title"):
        by_name.setdefault(template.parameter_name.casefold(), []).append(template)
    return [(p, by_name[p.name.casefold()]) for p in parameters if p.name.casefold() in by_name]


def action_create_page(request, code: str):
    """A new action item. ?parameter= ticks one of the department's parameters (and offers HR's
    suggestions for it); ?template= starts from one of HR's suggested actions."""
    department = _acting(request, code)
    parameters = {str(p.pk): p for p in department.charter_queryset()}
    parameter = parameters.get(query_choice(request, "parameter", parameters, label=_("parameter")))
    templates = {str(pk) for pk in ActionTemplate.objects.values_list("pk", flat=True)}
    template_id = query_choice(request, "template", templates, label=_("suggested action"))
    template = ActionTemplate.objects.get(pk=template_id) if template_id else None
    initial: dict = {"due_on": timezone.localdate() + timedelta(days=30)}
    if parameter:
        initial["parameters"] = [parameter.pk]
    if template:
        initial |= {"title": template.title, "change": template.change, "template": template.pk}
    roles = get_roles(request)
    if roles.employee is not None and possible_owners(department).filter(pk=roles.employee.pk).exists():
        initial["owners"] = [roles.employee.pk]  # whoever plans it owns it, until they say otherwise
    form = ActionItemForm(_posted(request), department=department, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = action_create(department=department, author=roles.employee, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("“%(title)s” was added to the action plan of %(name)s.")
                % {"title": item.title, "name": department.name},
            )
            return redirect("improvements:action_detail", code=department.code, pk=item.pk)
    context = {
        "department": department,
        "form": form,
        "parameter": parameter,
        "template": template,
        "suggestions": _suggestions(department, parameter),
        "plan_url": plan_url(department),
    }
    return render(request, "improvements/action_form.html", context)


def _detail(request, department: Department, item: ActionItem, update_form: ProgressUpdateForm | None = None):
    roles = get_roles(request)
    can_act = roles.can_act_for(department)
    updates = ProgressUpdate.objects.filter(action=item).select_related("author__user")
    today = timezone.localdate()
    context = {
        "department": department,
        "item": item,
        "updates": updates,
        "history": action_history(item),
        "can_act": can_act,
        "is_hr": roles.is_hr,
        "overdue": item.is_overdue(today),
        "today": today,
        "update_form": update_form or (ProgressUpdateForm() if can_act else None),
        "plan_url": plan_url(department),
    }
    return render(request, "improvements/action_detail.html", context)


def action_detail(request, code: str, pk: int):
    """An action item with its progress updates (public and internal) and its change history: for
    those who follow the department's plan (its head, delegates and HR)."""
    department = _following(request, code)
    return _detail(request, department, _item(department, pk))


def action_edit_page(request, code: str, pk: int):
    department = _acting(request, code)
    item = _item(department, pk)
    was = item.status
    form = ActionItemForm(_posted(request), instance=item, department=department)
    if request.method == "POST" and form.is_valid():
        # Validating wrote the form's values on `item`: the service starts from the saved row.
        item = ActionItem.objects.get(pk=item.pk)
        try:
            item = action_edit(item=item, editor=get_roles(request).employee, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if item.status != was and item.status == ActionItem.Status.DONE:
                message = _(
                    "“%(title)s” is done. Add a public update to tell your internal customers what changed."
                ) % {"title": item.title}
            else:
                message = _("“%(title)s” was saved.") % {"title": item.title}
            messages.success(request, message)
            return redirect("improvements:action_detail", code=department.code, pk=item.pk)
    context = {"department": department, "form": form, "item": item, "plan_url": plan_url(department)}
    return render(request, "improvements/action_form.html", context)


def action_update(request, code: str, pk: int):
    """POST a dated progress update; the item's page shows the form, and its errors."""
    department = _acting(request, code)
    item = _item(department, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])  # the form is on the item's page
    form = ProgressUpdateForm(request.POST)
    if not form.is_valid():
        return _detail(request, department, item, update_form=form)
    update = progress_add(item=item, author=get_roles(request).employee, **form.cleaned_data)
    messages.success(
        request,
        (
            _("Your public update of %(date)s was added.")
            if update.public
            else _("Your internal update of %(date)s was added.")
        )
        % {"date": dateformat.format(update.written_on, "j F")},
    )
    return redirect("improvements:action_detail", code=department.code, pk=item.pk)


# --- commitments ------------------------------------------------------------------------------


def commitments(request, code: str):
    """The department's commitments: current ones, those waiting for an outcome, past ones; its head
    and delegates publish new ones here (HR reads)."""
    department = _following(request, code)
    can_act = get_roles(request).can_act_for(department)
    if request.method == "POST" and not can_act:
        raise PermissionDenied(REFUSED_ACT)
    form = CommitmentForm(_posted(request), department=department) if can_act else None
    if form is not None and request.method == "POST" and form.is_valid():
        commitment = form.save(commit=False)
        commitment.department, commitment.created_by = department, get_roles(request).employee
        commitment.save()
        form.save_m2m()
        messages.success(
            request, _("Your commitment was published on the charter page of %(name)s.") % {"name": department.name}
        )
        return redirect("improvements:commitments", code=department.code)
    today = timezone.localdate()
    mine = Commitment.objects.of(department).prefetch_related("parameters")
    context = {
        "department": department,
        "form": form,
        "can_act": can_act,
        "current": list(mine.current().filter(due_on__gte=today)),
        "awaiting": list(mine.awaiting_outcome(today)),
        "past": query_page(request, mine.past(), 20),
        "today": today,
        "plan_url": plan_url(department),
    }
    return render(request, "improvements/commitments.html", context)


def commitment_edit(request, code: str, pk: int):
    department = _acting(request, code)
    commitment = get_object_or_404(Commitment.objects.of(department).prefetch_related("parameters"), pk=pk)
    today = timezone.localdate()
    awaiting = commitment.outcome == Commitment.Outcome.PENDING and commitment.can_have_outcome(today)
    form = CommitmentForm(_posted(request), instance=commitment, department=department)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The commitment was saved."))
        return redirect("improvements:commitments", code=department.code)
    context = {
        "department": department,
        "form": form,
        "commitment": commitment,
        "awaiting": awaiting,
        "plan_url": plan_url(department),
    }
    return render(request, "improvements/commitment_form.html", context)


# --- HR: suggested actions, nudges ----------------------------------------------------------------


def _parameter_names() -> list[str]:
    names = ServiceParameter.objects.filter(active=True).values_list("name", flat=True).distinct()
    return sorted(set(names), key=str.casefold)


@hr_required
def template_list(request):
    """HR's library of suggested actions, by parameter name, and the form to add one."""
    form = ActionTemplateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        template = form.save()
        messages.success(
            request,
            _("“%(title)s” is now suggested for %(parameter)s.")
            % {"title": template.title, "parameter": template.parameter_name},
        )
        return redirect("improvements:templates")
    page = query_page(request, ActionTemplate.objects.order_by("parameter_name", "title"), 30)
    context = {"form": form, "page": page, "parameter_names": _parameter_names()}
    return render(request, "improvements/templates.html", context)


@hr_required
def template_edit(request, pk: int):
    template = get_object_or_404(ActionTemplate, pk=pk)
    form = ActionTemplateForm(_posted(request), instance=template)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("“%(title)s” was saved.") % {"title": template.title})
        return redirect("improvements:templates")
    context = {"form": form, "template": template, "parameter_names": _parameter_names()}
    return render(request, "improvements/template_form.html", context)


@hr_required
@require_POST
def template_delete(request, pk: int):
    template = get_object_or_404(ActionTemplate, pk=pk)
    template.delete()
    messages.success(
        request, _("“%(title)s” was deleted. Actions started from it keep their text.") % {"title": template.title}
    )
    return redirect("improvements:templates")


@hr_required
@require_POST
def nudge(request, code: str):
    """HR emails the department's head a nudge about its plan, then goes back where it came from."""
    department = get_object_or_404(Department.objects.active().select_related("head__user"), code=code)
    try:
        messages.success(request, nudge_head(department=department, sender=request.user))
    except NudgeError as refusal:
        messages.warning(request, str(refusal))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(plan_url(department))
