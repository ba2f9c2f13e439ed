"""The administrator's invitations page, `/access/invitations/`: the list (pending, expired,
accepted; revoked on request) with resend and revoke buttons, and the "Invite a user" form.
Adapters of crsv.accounts.invitations; the admin role only (403 for the other roles, as the
auditor's trail page refuses everyone but auditors)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from crsv.access.invitations_forms import InvitationFilterForm, InviteForm
from crsv.accounts import invitation_selectors as selectors
from crsv.accounts import invitations
from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.models import FieldOffice, Invitation
from crsv.pagination import BadCursor


def _offices() -> list[FieldOffice]:
    return list(FieldOffice.objects.select_related("mission").order_by("mission__code", "name"))


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.invitations_authorize(request.user)
    posted = request.method == "POST"
    form = InviteForm(request.POST if posted else None, offices=_offices())
    if posted and form.is_valid():
        try:
            invitation = invitations.invitation_send(actor=request.user, **form.invitation(), request=request)
        except ValidationError as error:
            form.errors_add(error)
        else:
            messages.success(
                request,
                _("Invitation e-mailed to %(email)s. The link works once, for %(hours)d hours.")
                % {"email": invitation.user.email, "hours": invitations.lifetime_hours()},
            )
            return redirect("access:invitations")
    filters = InvitationFilterForm(request.GET)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    try:
        rows, next_cursor = selectors.invitation_list(
            user=request.user, state=state, cursor=request.GET.get("cursor") or None
        )
    except BadCursor:  # a cursor this page did not make: the first page
        rows, next_cursor = selectors.invitation_list(user=request.user, state=state)
    query = request.GET.copy()
    query.pop("cursor", None)
    first_query = query.urlencode()
    if next_cursor:
        query["cursor"] = next_cursor
    context = {
        "form": form,
        "filters": filters,
        "rows": rows,
        "next_query": query.urlencode() if next_cursor else "",
        "first_query": first_query if request.GET.get("cursor") else None,
    }
    return render(request, "access/invitations.html", context, status=400 if posted else 200)


def _invitation(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> Invitation:
    selectors.invitations_authorize(request.user)
    return get_object_or_404(
        selectors.invitations_visible_to(request.user).select_related("user"), public_id=public_id
    )


@require_POST
def invitation_resend(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    invitation = _invitation(request, public_id)
    try:
        new = invitations.invitation_resend(actor=request.user, invitation=invitation, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("A new invitation was e-mailed to %(email)s; the previous link no longer works.")
            % {"email": new.user.email},
        )
    return redirect("access:invitations")


@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    invitation = _invitation(request, public_id)
    try:
        revoked = invitations.invitation_revoke(actor=request.user, invitation=invitation, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if revoked:
            messages.success(
                request,
                _("The invitation of %(username)s was revoked: its link no longer works.")
                % {"username": invitation.user.username},
            )
    return redirect("access:invitations")
