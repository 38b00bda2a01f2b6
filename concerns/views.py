"""Concern pages: raising one, the conversation (the department's side and the named raiser's), the
anonymous raiser's side through the receipt code, the department's inbox, and HR's pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from accounts.security import client_ip, within_limit
from departments.decorators import hr_required, member_required
from departments.models import Department
from departments.roles import department_for, employee_of, get_roles
from survey_portal.query import query_choice, query_page

from . import receipts, reports, services
from .forms import (
    AnswerForm,
    ClosureDateForm,
    HideForm,
    MessageForm,
    NotOursForm,
    RaiseForm,
    RatingForm,
    ReassignForm,
    ReceiptForm,
    ReopenForm,
    ResponseTimesForm,
)
from .models import ClosureDate, Concern, ResponseTimes, overdue_q
from .services import ConcernError

RECEIPT_WINDOW = 3600


def leaves_no_trace(view):
    """For what an anonymous raiser does: the request writes nothing but its sealed deposit. The
    session's activity time (survey_portal.middleware) would be stamped in the same moment, by a
    write that names the person, so the session is not saved (accounts.sessions.SessionMiddleware),
    whatever happens; messages ride in a cookie (settings.MESSAGE_STORAGE)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.leaves_no_trace = True
        return view(request, *args, **kwargs)

    return wrapper


TOO_MANY_WRITES = gettext_lazy(
    "You have written a lot anonymously today. Try again tomorrow, or raise it with your name."
)


def _anonymous_write_allowed(request) -> bool:
    """A day's anonymous writes per person, counted in memory (the cache): by design nobody can
    trace them afterwards, so a flood is stopped before it is written."""
    return within_limit(f"anonymous-writes:{request.user.pk}", settings.ANONYMOUS_WRITES_PER_DAY, 24 * 3600)


def next_release() -> datetime | None:
    """When deposits are next written (None: at once, with debug on), in the organisation's time."""
    if settings.CONCERNS_RELEASE_AT_ONCE:
        return None
    now = services.now_here()
    moment = now.replace(hour=settings.CONCERNS_RELEASE_HOUR, minute=0, second=0, microsecond=0)
    return moment if moment > now else moment + timedelta(days=1)


# ---------------------------------------------------------------- raising, and the raiser's side


@member_required
@leaves_no_trace
def concern_raise(request):
    employee = employee_of(request)
    threshold = services.sharing_threshold()
    share_allowed = services.department_can_be_shared(employee.department)
    kwargs = {"employee": employee, "share_allowed": share_allowed, "threshold": threshold}
    if request.method == "POST":
        form = RaiseForm(request.POST, **kwargs)
        if form.is_valid() and form.cleaned_data["anonymous"] and not _anonymous_write_allowed(request):
            form.add_error(None, TOO_MANY_WRITES)
        elif form.is_valid():
            data = form.cleaned_data
            raised = services.concern_raise(
                employee=employee,
                department=data["department"],
                parameter=data["parameter"],
                subject=data["subject"],
                description=data["description"],
                anonymous=data["anonymous"],
                share_department=data["share_department"],
            )
            if raised.concern is not None:
                messages.success(
                    request,
                    _("Your concern was sent to %(name)s, with your name.") % {"name": raised.concern.department.name},
                )
                return redirect(raised.concern)
            return render(
                request,
                "concerns/raised.html",
                {
                    "code": raised.code,
                    "department": data["department"],
                    "release": next_release(),
                    "share_asked": data["share_department"],
                    "shared": raised.department_shared,
                },
            )
    else:
        form = RaiseForm(**kwargs)
        codes = dict(form.fields["department"].queryset.values_list("code", "pk"))
        chosen = query_choice(request, "department", codes, label=_("department"))
        form = RaiseForm(initial={"department": codes.get(chosen)}, **kwargs)
    return render(request, "concerns/raise.html", {"form": form, "threshold": threshold, "release": next_release()})


@member_required
def my_concerns(request):
    employee = employee_of(request)
    concerns = Concern.objects.raised_by_employee(employee).select_related("department").order_by("-raised_on")
    return render(
        request,
        "concerns/mine.html",
        {"page": query_page(request, concerns, 20), "receipt_form": ReceiptForm(), "now": timezone.now()},
    )


def _wrong_code_keys(request) -> list[tuple[str, int]]:
    return [
        (f"receipts:wrong:person:{request.user.pk}", settings.RECEIPT_WRONG_CODES_PER_PERSON),
        (f"receipts:wrong:address:{client_ip(request)}", settings.RECEIPT_WRONG_CODES_PER_ADDRESS),
    ]


def _receipt_refused(request) -> bool:
    """True once this person, or this address, typed too many wrong codes this hour: then even the
    right code waits, so that guessing gains nothing (a code has 100 bits; this keeps it hopeless).
    Counted in memory (the cache), never in the database."""
    return any((cache.get(key) or 0) >= limit for key, limit in _wrong_code_keys(request))


def _wrong_code(request) -> None:
    for key, limit in _wrong_code_keys(request):
        within_limit(key, limit, RECEIPT_WINDOW)


RAISER_ACTIONS = {"open", "message", "reopen", "rate"}


@member_required
@leaves_no_trace
def receipt(request):
    """The anonymous raiser's side of the conversation. The code comes in the body of a POST, never
    in the address (addresses are logged), and every action posts it again."""
    if request.method != "POST":
        return render(request, "concerns/receipt.html", {"form": ReceiptForm()})
    form = ReceiptForm(request.POST)
    action = request.POST.get("action", "open")
    if action not in RAISER_ACTIONS:
        return HttpResponseBadRequest("Unknown action.", content_type="text/plain")
    if _receipt_refused(request):
        return render(
            request,
            "concerns/receipt.html",
            {"form": form, "refused": _("Too many wrong receipt codes were tried. Wait an hour and try again.")},
            status=429,
        )
    if not form.is_valid():
        return render(request, "concerns/receipt.html", {"form": form}, status=400)
    code = form.cleaned_data["code"]
    wanted = receipts.receipt_hash(code)
    concern = (
        Concern.objects.filter(receipt_hash=wanted).select_related("department", "parameter").first()
        if wanted
        else None
    )
    waiting = services.waiting_for(code) if wanted else []
    if concern is None and not any(item["kind"] == "raise" for item in waiting):
        _wrong_code(request)
        form.add_error("code", _("No concern has this receipt code. Check it and try again."))
        return render(request, "concerns/receipt.html", {"form": form}, status=404)

    done, forms = "", _raiser_forms()
    if action != "open" and concern is not None:
        bound = {"message": MessageForm, "reopen": ReopenForm, "rate": RatingForm}[action](request.POST)
        forms[action] = bound
        allowed = {
            "message": concern.status != Concern.Status.WITH_HR,
            "reopen": concern.can_reopen and not any(item["kind"] == "reopen" for item in waiting),
            "rate": concern.status == Concern.Status.ANSWERED,
        }[action]
        if not allowed:
            done = ""
            bound.add_error(None, _("That is not possible for this concern now."))
        elif bound.is_valid() and not _anonymous_write_allowed(request):
            bound.add_error(None, TOO_MANY_WRITES)
        elif bound.is_valid():
            services.raiser_write(code=code, kind=action, **bound.cleaned_data)
            forms[action] = _raiser_forms()[action]
            waiting = services.waiting_for(code)
            done = {
                "message": _("Your message was sealed."),
                "reopen": _("Your request to reopen was sealed."),
                "rate": _("Your rating was sealed."),
            }[action]
    return render(
        request,
        "concerns/raiser.html",
        {
            "concern": concern,
            "code": code,
            "waiting": waiting,
            "raise_waiting": next((item for item in waiting if item["kind"] == "raise"), None),
            "raiser_department": services.raiser_department_shown(concern) if concern else None,
            "conversation": concern.messages.select_related("author__user") if concern else [],
            "forms": forms,
            "done": done,
            "release": next_release(),
            "now": timezone.now(),
        },
    )


def _raiser_forms() -> dict:
    return {"message": MessageForm(), "reopen": ReopenForm(), "rate": RatingForm()}


# ---------------------------------------------------------------- the conversation page


def _concern(request, pk) -> Concern:
    concern = get_object_or_404(
        Concern.objects.select_related(
            "department__head__user", "parameter", "raised_by__user", "raiser_department", "action_item", "hidden_by"
        ),
        pk=pk,
    )
    if not get_roles(request).can_read_concern(concern):
        raise PermissionDenied(_("This concern is for its department, HR and the person who raised it."))
    return concern


@member_required
def concern_detail(request, pk):
    concern = _concern(request, pk)
    roles = get_roles(request)
    acts = roles.can_act_for(concern.department)
    request.nav_current = _page_of(roles, concern)
    return render(
        request,
        "concerns/detail.html",
        {
            "concern": concern,
            "conversation": concern.messages.select_related("author__user"),
            "acts": acts,
            "raiser": roles.raised(concern),
            "is_hr": roles.is_hr,
            "show_text": not concern.is_hidden or roles.is_hr or roles.raised(concern),
            "raiser_department": services.raiser_department_shown(concern),
            "message_form": MessageForm(),
            "answer_form": AnswerForm(),
            "reopen_form": ReopenForm(),
            "not_ours_form": NotOursForm(),
            "hide_form": HideForm(),
            "rating_form": RatingForm(),
            "reassign_form": ReassignForm(initial={"department": concern.department}),
            "now": timezone.now(),
        },
    )


def _page_of(roles, concern) -> str:
    """The page a concern stands under, for this person (the top bar marks it): My concerns for its
    raiser, its department's list for those who act for it, HR's overview for HR."""
    if roles.raised(concern):
        return "concerns:mine"
    if roles.can_act_for(concern.department):
        return "concerns:department"
    return "concerns:hr"


def _act(request, pk, *, who: str, form_class, service, done: StrOrPromise):
    """Run one POSTed action on a concern: `who` must be allowed, the form valid, the state right."""
    concern = _concern(request, pk)
    roles = get_roles(request)
    allowed = {
        "department": roles.can_act_for(concern.department),
        "raiser": roles.raised(concern),
        "hr": roles.is_hr,
        "either": roles.can_act_for(concern.department) or roles.raised(concern),
    }[who]
    if not allowed:
        raise PermissionDenied(
            _("Only the department's head and delegates, HR or the raiser may do this, as the page says.")
        )
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(concern)
    try:
        service(concern, roles, form.cleaned_data if form else {})
    except ConcernError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(concern)


def _write(concern, roles, data) -> None:
    """A message: from the department to the raiser, or from a named raiser to the department."""
    if roles.can_act_for(concern.department):
        services.department_message(concern=concern, author=roles.employee, text=data["text"])
    else:
        services.raiser_message(concern=concern, text=data["text"])


@dataclass(frozen=True)
class Move:
    """One POSTed action on a concern's page: who may make it, its form, the service, what to say."""

    who: str
    form_class: type | None
    service: Callable
    done: StrOrPromise


MOVES = {
    "acknowledge": Move(
        "department",
        None,
        lambda c, r, d: services.concern_acknowledge(concern=c),
        gettext_lazy("Acknowledged: the raiser can see that you are on it."),
    ),
    "message": Move("either", MessageForm, _write, gettext_lazy("Your message was sent.")),
    "answer": Move(
        "department",
        AnswerForm,
        lambda c, r, d: services.concern_answer(concern=c, author=r.employee, text=d["text"]),
        gettext_lazy("Answered and closed. The raiser can reopen it once if it is not resolved."),
    ),
    "not_ours": Move(
        "department",
        NotOursForm,
        lambda c, r, d: services.concern_not_ours(concern=c, reason=d["reason"]),
        gettext_lazy("Sent back to HR, who will give it to the right department."),
    ),
    "reopen": Move(
        "raiser",
        ReopenForm,
        lambda c, r, d: services.concern_reopen(concern=c, reason=d["reason"]),
        gettext_lazy("Reopened: the department has a new time to answer."),
    ),
    "rate": Move(
        "raiser",
        RatingForm,
        lambda c, r, d: services.concern_rate(concern=c, rating=d["rating"]),
        gettext_lazy("Thank you: your rating of the answer was saved."),
    ),
    "hide": Move(
        "hr",
        HideForm,
        lambda c, r, d: services.concern_hide(concern=c, by=r.user, reason=d["reason"]),
        gettext_lazy("The concern's text is hidden from the department. It is kept, with your name and reason."),
    ),
    "reassign": Move(
        "hr",
        ReassignForm,
        lambda c, r, d: services.concern_reassign(concern=c, department=d["department"]),
        gettext_lazy("Given to the department: its clocks start today."),
    ),
}


@member_required
@require_POST
def move(request, pk, name: str):
    chosen = MOVES[name]
    return _act(request, pk, who=chosen.who, form_class=chosen.form_class, service=chosen.service, done=chosen.done)


@member_required
@require_POST
def to_action(request, pk):
    concern = _concern(request, pk)
    roles = get_roles(request)
    if not roles.can_act_for(concern.department):
        raise PermissionDenied(_("Only the department's head and delegates keep its action plan."))
    try:
        item = services.concern_to_action(concern=concern, author=roles.employee)
    except ConcernError as error:
        messages.error(request, str(error))
        return redirect(concern)
    messages.success(request, _("An action item was made from the concern: give it owners and a due date."))
    return redirect(reverse("improvements:action_edit", args=[concern.department.code, item.pk]))


# ---------------------------------------------------------------- lists


SHOW = {
    "waiting": gettext_lazy("Waiting for an answer"),
    "answered": gettext_lazy("Answered"),
    "with_hr": gettext_lazy("Sent back to HR"),
    "all": gettext_lazy("All"),
}


def _filtered(concerns, show: str):
    if show == "waiting":
        return concerns.waiting()
    if show in ("answered", "with_hr"):
        return concerns.filter(status=show)
    return concerns


def _overdue_first(concerns, now):
    return concerns.annotate(
        late=Case(When(overdue_q(now), then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("late", "answer_by")


@member_required
def department_concerns(request, code: str):
    department = department_for(request, code)
    roles = get_roles(request)
    if not roles.can_follow(department):
        raise PermissionDenied(_("A department's concerns are for its head, its delegates and HR."))
    show = query_choice(request, "show", SHOW, label=_("list"), default="waiting")
    now = timezone.now()
    concerns = _overdue_first(_filtered(Concern.objects.of(department), show), now).select_related("parameter")
    start, end = reports.quarter_of(timezone.localdate())
    return render(
        request,
        "concerns/department.html",
        {
            "department": department,
            "page": query_page(request, concerns, 25),
            "show": show,
            "tabs": SHOW,
            "now": now,
            "figures": reports.figures(start, end, [department.pk]).get(department.pk),
            "quarter": reports.quarter_label(start),
            "times": ResponseTimes.current(),
        },
    )


@hr_required
def hr_concerns(request):
    quarters = reports.recent_quarters()
    chosen = query_choice(
        request, "quarter", [key for key, _, _ in quarters], label=gettext_lazy("quarter"), default=quarters[0][0]
    )
    _, start, end = next(q for q in quarters if q[0] == chosen)
    now = timezone.now()
    figures = reports.figures(start, end)
    departments = Department.objects.filter(pk__in=figures).order_by("name")
    overdue = _overdue_first(Concern.objects.overdue(now), now).select_related("department")
    return render(
        request,
        "concerns/hr.html",
        {
            "overdue": query_page(request, overdue, 25),
            "with_hr": Concern.objects.filter(status=Concern.Status.WITH_HR).select_related("department"),
            "rows": [(department, figures[department.pk]) for department in departments],
            "quarters": quarters,
            "chosen": chosen,
            "quarter": reports.quarter_label(start),
            "reassign_form": ReassignForm(),
            "now": now,
        },
    )


def _settings_page(request, *, times_form=None, closure_form=None):
    upcoming = ClosureDate.objects.filter(date__gte=timezone.localdate() - timedelta(days=365))
    return render(
        request,
        "concerns/settings.html",
        {
            "times_form": times_form or ResponseTimesForm(instance=ResponseTimes.current()),
            "closure_form": closure_form or ClosureDateForm(),
            "closures": upcoming,
        },
    )


@hr_required
def concern_settings(request):
    if request.method == "POST":
        times_form = ResponseTimesForm(request.POST, instance=ResponseTimes.current())
        if times_form.is_valid():
            times_form.save()
            messages.success(request, _("Response times saved. Concerns raised from now on get them."))
            return redirect("concerns:settings")
        return _settings_page(request, times_form=times_form)
    return _settings_page(request)


@hr_required
@require_POST
def closure_add(request):
    closure_form = ClosureDateForm(request.POST)
    if closure_form.is_valid():
        closure = closure_form.save()
        messages.success(
            request,
            _("%(name)s (%(date)s) is not a working day.")
            % {"name": closure.name, "date": date_format(closure.date, "d F Y")},
        )
        return redirect("concerns:settings")
    return _settings_page(request, closure_form=closure_form)


@hr_required
@require_POST
def closure_delete(request, pk: int):
    closure = get_object_or_404(ClosureDate, pk=pk)
    closure.delete()
    messages.success(request, _("%(name)s is a working day again.") % {"name": closure.name})
    return redirect("concerns:settings")
