"""The access pages for administrators: the users list, a user's page with her access form, and
the buttons that end her credentials, reset her second factor or lift her lockout. Adapters:
the rules and the writes are crsv.accounts' services. A role other than admin gets 403 on every
page (as the auditor's trail page refuses the others); an unknown user, 404."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crsv.access import users_selectors as selectors
from crsv.access.users_forms import ActiveForm, SessionForm, TokenForm, UserAccessForm, UserFilterForm
from crsv.access.users_permissions import user_actions
from crsv.accounts import services, sessions
from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.models import ApiToken, User, UserSession
from crsv.pagination import BadCursor


@never_cache
@require_GET
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.users_authorize(request.user)
    form = UserFilterForm(request.GET, offices=selectors.offices_all())
    rows: list[selectors.UserRow] = []
    next_cursor = None
    if form.is_valid():
        filters = form.user_filter()
        try:
            rows, next_cursor = selectors.user_list(
                user=request.user, filters=filters, cursor=request.GET.get("cursor") or None
            )
        except BadCursor:  # a cursor this page did not make: the first page
            rows, next_cursor = selectors.user_list(user=request.user, filters=filters)
    query = request.GET.copy()
    query.pop("cursor", None)
    first_query = query.urlencode()
    if next_cursor:
        query["cursor"] = next_cursor
    context = {
        "form": form,
        "rows": rows,
        "next_query": query.urlencode() if next_cursor else "",
        "first_query": first_query if request.GET.get("cursor") else None,
    }
    return render(request, "access/user_list.html", context)


def _target(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> User:
    selectors.users_authorize(request.user)
    return selectors.user_get(user=request.user, public_id=public_id)


def _detail(
    request: AuthenticatedHttpRequest, target: User, form: UserAccessForm | None, status: int = 200
) -> HttpResponse:
    actions = user_actions(actor=request.user, target=target)
    context = {
        "target": target,
        "actions": actions,
        "form": form if actions.edit_access else None,
        "roles": sorted(selectors.role_label(group.name) for group in target.groups.all()),
        "offices": selectors.office_lines(list(target.memberships.all())),
        "sessions": selectors.user_sessions(target=target),
        "tokens": selectors.user_tokens(target=target),
        "lockouts": selectors.user_lockouts(target=target),
        "attempts": selectors.user_attempts(target=target),
        "current_session": request.session.session_key,
        "now": timezone.now(),
    }
    return render(request, "access/user_detail.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def user_detail(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The user's profile, access, sessions and tokens; POST saves her roles and offices."""
    target = _target(request, public_id)
    offices = selectors.offices_all()
    form_of: dict[str, Any] = {"actor": request.user, "target": target, "offices": offices}
    if request.method != "POST":
        form = UserAccessForm(initial=UserAccessForm.data_of(target), **form_of)
        return _detail(request, target, form)
    if not user_actions(actor=request.user, target=target).edit_access:
        raise PermissionDenied  # a superuser, or oneself: the page offers no form
    form = UserAccessForm(request.POST, **form_of)
    status = 400
    if form.is_valid():
        try:
            event = services.user_access_change(
                actor=request.user,
                user=target,
                roles=form.cleaned_data["roles"],
                offices=form.chosen_offices(),
                is_active=target.is_active,
                ends_on=form.end_dates(),
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except ValidationError as refused:
            if (
                getattr(refused, "code", None) == "stale"
            ):  # another administrator's change: show it, as it is now
                form = UserAccessForm(UserAccessForm.data_of(target), **form_of)
                form.is_valid()
                status = 409
            form.add_refusal(refused)
        else:
            if event is None:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(request, _("Access saved. It applies from the user's next request."))
            return redirect("access:user", public_id=target.public_id)
    return _detail(request, target, form, status)


def _back(target: User) -> HttpResponse:
    return redirect("access:user", public_id=target.public_id)


def _refused(request: AuthenticatedHttpRequest, refused: ValidationError) -> None:
    messages.error(request, " ".join(refused.messages))


@never_cache
@require_POST
def user_active(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Deactivate (her sessions and tokens end) or reactivate the user."""
    target = _target(request, public_id)
    if not user_actions(actor=request.user, target=target).edit_access:
        raise PermissionDenied  # a superuser, or oneself: the page offers no button
    form = ActiveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    is_active = form.cleaned_data["is_active"]
    try:
        event = services.user_active_set(
            actor=request.user, user=target, is_active=is_active, request=request
        )
    except ValidationError as refused:
        _refused(request, refused)
    else:
        if event is not None:
            messages.success(
                request,
                _("The account is active again.")
                if is_active
                else _("The account is deactivated: her sessions and API tokens have ended."),
            )
    return _back(target)


@never_cache
@require_POST
def user_two_factor_reset(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    target = _target(request, public_id)
    sessions.user_two_factor_reset(actor=request.user, user=target, request=request)
    messages.success(
        request,
        _("Second factor reset: her sessions and API tokens have ended; she enrols again at sign-in."),
    )
    return _back(target)


@never_cache
@require_POST
def user_unlock(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    target = _target(request, public_id)
    cleared = sessions.user_lockout_end(actor=request.user, user=target, request=request)
    if cleared:
        messages.success(request, _("Sign-in unlocked."))
    else:
        messages.info(request, _("There was no failed sign-in to clear."))
    return _back(target)


@never_cache
@require_POST
def user_session_end(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    target = _target(request, public_id)
    form = SessionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    try:
        sessions.user_session_end(
            actor=request.user, user=target, session_id=form.cleaned_data["session"], request=request
        )
    except UserSession.DoesNotExist as gone:
        raise Http404 from gone
    messages.success(request, _("Session ended."))
    return _back(target)


@never_cache
@require_POST
def user_sessions_end(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    target = _target(request, public_id)
    sessions.user_sessions_end(actor=request.user, user=target, request=request)
    messages.success(request, _("Every session and API token of this user has ended."))
    return _back(target)


@never_cache
@require_POST
def user_token_revoke(request: AuthenticatedHttpRequest, public_id: uuid.UUID) -> HttpResponse:
    target = _target(request, public_id)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    try:
        revoked = sessions.user_api_token_revoke(
            actor=request.user, user=target, token_public_id=form.cleaned_data["token"], request=request
        )
    except ApiToken.DoesNotExist as gone:
        raise Http404 from gone
    if revoked:
        messages.success(request, _("API token revoked."))
    else:
        messages.info(request, _("This API token was already revoked."))
    return _back(target)
