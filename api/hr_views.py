"""HR's pages for the API's service-account tokens: list, create (shown once), revoke."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from departments.decorators import _requires
from departments.roles import get_roles
from survey_portal.query import query_page

from .forms import TokenForm
from .models import ApiToken

tokens_required = _requires(
    lambda roles: roles.can_manage_api_tokens,
    gettext_lazy("Only HR admins can manage API tokens."),  # type: ignore[arg-type]
)

# The top bar's entry (portal.navigation), which portal may not name by this app's URL names.
NAV = "service_accounts"


@tokens_required
def tokens(request):
    request.nav_current = NAV
    page = query_page(request, ApiToken.objects.select_related("created_by__user", "revoked_by__user"), 25)
    return render(request, "api/tokens.html", {"page": page})


@tokens_required
@never_cache
def token_create(request):
    request.nav_current = NAV
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expires_at = datetime.combine(form.cleaned_data["expires_on"], time.min, tzinfo=UTC)
        token, secret = ApiToken.issue(
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=expires_at,
            created_by=get_roles(request).employee,
        )
        # Rendered, never redirected: the secret is in this one response and stored nowhere.
        return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(request, "api/token_form.html", {"form": form})


@tokens_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk)
    if token.is_revoked:
        messages.info(request, _("The token “%(name)s” was already revoked.") % {"name": token.name})
    else:
        token.revoked_at = timezone.now()
        token.revoked_by = get_roles(request).employee
        token.save(update_fields=["revoked_at", "revoked_by"])
        messages.success(request, _("The token “%(name)s” was revoked: it no longer works.") % {"name": token.name})
    return redirect("api:tokens")
