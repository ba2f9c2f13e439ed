"""The service directory: the providers WPAs refer to, filtered by service type, field office
served, coverage location and flags, and one provider's page. Not survivor data."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.models import FieldOffice, User
from crsv.pagination import BadCursor
from referrals import permissions, selectors
from referrals.forms import DirectoryFilterForm, ProviderMemberForm
from referrals.models import Language, ServiceProvider, ServiceType
from referrals.services.directory import provider_in_reach
from referrals.views.directory_admin import provider_user_choices
from referrals.views.listing import page_url


def service_labels(provider: ServiceProvider) -> list[str]:
    labels = dict(ServiceType.choices)
    return [str(labels.get(s, s)) for s in provider.service_types]


@require_GET
def provider_directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    permissions.directory_authorize(user)  # 403: providers' users, analysts, auditors, reporters
    # Reference data: every office of her missions (a Goma WPA may refer to a Bunia provider).
    offices = FieldOffice.objects.filter(mission_id__in=user.mission_ids()).order_by("name")
    form = DirectoryFilterForm(request.GET, offices=offices, manage=permissions.can_manage_directory(user))
    rows: list[tuple[ServiceProvider, list[str]]] = []
    next_cursor = None
    if form.is_valid():
        filters = form.filters()
        try:
            page = selectors.provider_page(user=user, cursor=request.GET.get("after") or None, **filters)
        except BadCursor:
            page = selectors.provider_page(user=user, **filters)
        rows = [(p, service_labels(p)) for p in page.rows]
        next_cursor = page.next_cursor
    params = list(request.GET.items())
    context = {
        "form": form,
        "providers": rows,
        "can_manage": permissions.can_manage_directory(user),
        "next_url": page_url(params, after=next_cursor) if next_cursor else None,
        "first_url": page_url(params, after=None) if request.GET.get("after") else None,
    }
    return render(request, "referrals/providers.html", context)


@require_GET
def provider_detail(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    provider = selectors.provider_get(user=request.user, public_id=public_id)
    languages = dict(Language.choices)
    context: dict[str, object] = {
        "provider": provider,
        "services": service_labels(provider),
        "languages": [str(languages.get(code, code)) for code in provider.languages],
        "can_manage": permissions.can_manage_directory(request.user)
        and provider_in_reach(request.user, provider),
    }
    if context["can_manage"]:  # the admins: who works for it, and a form to add someone
        context["members"] = list(
            User.objects.filter(provider_membership__provider=provider).order_by("username")
        )
        context["member_form"] = ProviderMemberForm(users=provider_user_choices(provider))
    return render(request, "referrals/provider_detail.html", context)
