"""The admins' pages of the service directory: add or change an organisation, and say which
provider users work for it. Adapters of `referrals.services.directory`, which decides; a refusal
is shown beside its field with what was typed kept. Not survivor data."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Capability, roles_for
from referrals import selectors
from referrals.forms import ProviderForm, ProviderMemberForm, service_errors_add
from referrals.models import ServiceProvider
from referrals.services.directory import (
    directory_manage_authorize,
    provider_in_reach,
    provider_member_add,
    provider_member_remove,
    provider_save,
)


def _managed(user: User, public_id: str) -> ServiceProvider:
    """A provider this admin manages: 404 for one serving another mission's offices."""
    provider = selectors.provider_get(user=user, public_id=public_id)
    if not provider_in_reach(user, provider):
        raise Http404("No provider matches the given query.")
    return provider


def _offices(user: User) -> list[FieldOffice]:
    return list(
        FieldOffice.objects.filter(mission_id__in=user.mission_ids())
        .select_related("mission")
        .order_by("name")
    )


def provider_user_choices(provider: ServiceProvider) -> list[User]:
    """The active holders of the provider role who do not work for `provider` yet."""
    return list(
        User.objects.filter(groups__name__in=roles_for(Capability.RESPOND_TO_REFERRALS), is_active=True)
        .exclude(provider_membership__provider=provider)
        .distinct()
        .order_by("username")
    )


def _edit(request: AuthenticatedHttpRequest, provider: ServiceProvider | None) -> HttpResponse:
    user = request.user
    directory_manage_authorize(user)  # 403 before reading a form
    offices = _offices(user)
    if request.method == "POST":
        form = ProviderForm(request.POST, offices=offices)
        if form.is_valid():
            try:
                saved = provider_save(
                    actor=user,
                    provider=provider,
                    values=form.values(),
                    offices=form.cleaned_data["field_offices"],
                    locations=form.cleaned_data["locations"],
                    request=request,
                )
            except ValidationError as error:
                service_errors_add(form, error)
            else:
                messages.success(request, _("The organisation was saved."))
                return redirect("referrals:provider", public_id=saved.public_id)
    elif provider is None:
        form = ProviderForm(initial={"active": True}, offices=offices)
    else:
        form = ProviderForm(initial=ProviderForm.initial_of(provider), offices=offices)
    return render(request, "referrals/provider_form.html", {"form": form, "provider": provider})


@require_http_methods(["GET", "POST"])
def provider_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
def provider_edit(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    directory_manage_authorize(request.user)
    return _edit(request, _managed(request.user, public_id))


@require_POST
def provider_members(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    """Add (`user` among the choices) or remove (`remove`: a member's public id) a provider user."""
    user = request.user
    directory_manage_authorize(user)
    provider = _managed(user, public_id)
    try:
        if "remove" in request.POST:
            member = _member(provider, request.POST["remove"])
            if member is None:
                raise ValidationError(_("This user does not work for this organisation."))
            provider_member_remove(actor=user, provider=provider, user=member, request=request)
            messages.success(
                request, _("%(name)s no longer works for this organisation.") % {"name": member.username}
            )
        else:
            form = ProviderMemberForm(request.POST, users=provider_user_choices(provider))
            if not form.is_valid() or form.cleaned_data["user"] is None:
                raise ValidationError(_("Choose a provider user."))
            member = form.cleaned_data["user"]
            provider_member_add(actor=user, provider=provider, user=member, request=request)
            messages.success(
                request, _("%(name)s now works for this organisation.") % {"name": member.username}
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("referrals:provider", public_id=provider.public_id)


def _member(provider: ServiceProvider, public_id: str) -> User | None:
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return None
    return User.objects.filter(public_id=key, provider_membership__provider=provider).first()
