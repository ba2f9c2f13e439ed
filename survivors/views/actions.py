"""The actions of the case page: assign, consent, grants, break-glass, erasure.

Each resolves the case (out of scope: 404), asks the use case's refusal before reading the form
(`case_authorize`: a 403 page whatever was posted), then calls the service, which decides again
inside its transaction; a service's ValidationError lands beside the field it names.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.models import User
from survivors import selectors
from survivors.forms import AssignForm, BreakGlassForm, ConsentForm, EraseForm
from survivors.models import Survivor
from survivors.permissions import AlreadyIdentifiable, CaseAction, case_authorize
from survivors.services import (
    consent_record,
    consent_withdraw,
    survivor_assign,
    survivor_break_glass,
    survivor_erase,
    survivor_grant,
    survivor_revoke,
)
from survivors.views.case import case_page, form_errors_add, grant_form_for


def _case(request: AuthenticatedHttpRequest, public_id: str, action: CaseAction) -> Survivor:
    """The case (404 when it does not exist for her), once she may do `action` to it (403)."""
    survivor = selectors.survivor_get(user=request.user, public_id=public_id)
    case_authorize(actor=request.user, survivor=survivor, action=action)
    return survivor


def _back(survivor: Survivor) -> HttpResponse:
    return redirect("survivors:detail", public_id=survivor.public_id)


@never_cache
@require_POST
def survivor_assign_view(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    survivor = _case(request, public_id, CaseAction.ASSIGN)
    form = AssignForm(request.POST, candidates=selectors.survivor_assign_candidates(survivor=survivor))
    if not form.is_valid():
        messages.error(request, _("Choose a WPA of the case's field office."))
        return _back(survivor)
    try:
        survivor_assign(
            actor=request.user, survivor=survivor, assignee=form.cleaned_data["assignee"], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Case assigned."))
    return _back(survivor)


@never_cache
@require_http_methods(["GET", "POST"])
def consent_create(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    survivor = _case(request, public_id, CaseAction.RECORD_CONSENT)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(actor=request.user, survivor=survivor, request=request, **form.grant().__dict__)
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return _back(survivor)
    return render(request, "survivors/consent_form.html", {"form": form, "survivor": survivor})


@never_cache
@require_POST
def consent_withdraw_view(request: AuthenticatedHttpRequest, public_id: str, consent_id: str) -> HttpResponse:
    survivor = selectors.survivor_get(user=request.user, public_id=public_id)
    consent = selectors.consent_get(user=request.user, survivor=survivor, public_id=consent_id)
    try:
        consent_withdraw(actor=request.user, consent=consent, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consent withdrawn. It takes effect at once."))
    return _back(survivor)


@never_cache
@require_POST
def survivor_grant_view(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    survivor = _case(request, public_id, CaseAction.GRANT)
    form = grant_form_for(request, survivor, request.POST)
    if form.is_valid():
        grantee = form.cleaned_data["grantee"]
        try:
            survivor_grant(
                actor=request.user,
                survivor=survivor,
                grantee=grantee,
                expires_at=form.cleaned_data["expires_at"],
                request=request,
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(
                request, _("%(name)s now has access to this case.") % {"name": grantee.display_name}
            )
            return _back(survivor)
    return case_page(request, survivor, grant_form=form)


@never_cache
@require_POST
def survivor_revoke_view(request: AuthenticatedHttpRequest, public_id: str, user_id: str) -> HttpResponse:
    survivor = _case(request, public_id, CaseAction.REVOKE)
    grantee = get_object_or_404(User, public_id=user_id)
    try:
        survivor_revoke(actor=request.user, survivor=survivor, grantee=grantee, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s no longer has access to this case. It takes effect at once.")
            % {"name": grantee.display_name},
        )
    return _back(survivor)


@never_cache
@sensitive_post_parameters("reason")
@require_POST
def survivor_break_glass_view(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    try:
        survivor = _case(request, public_id, CaseAction.BREAK_GLASS)
    except AlreadyIdentifiable as already:
        messages.info(request, " ".join(already.messages))
        return redirect("survivors:detail", public_id=public_id)
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            access = survivor_break_glass(
                actor=request.user, survivor=survivor, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.warning(
                request,
                _(
                    "You opened this case by breaking the glass, until %(until)s. "
                    "The other senior WPAs of the mission are told."
                )
                % {"until": date_format(localtime(access.expires_at), "SHORT_DATE_FORMAT")},
            )
            return _back(survivor)
    return case_page(request, survivor, break_glass_form=form)


@never_cache
@require_POST
def survivor_erase_view(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    survivor = _case(request, public_id, CaseAction.ERASE)
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            survivor_erase(
                actor=request.user, survivor=survivor, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Case erased. Its identifying information no longer exists."))
            return _back(survivor)
    return case_page(request, survivor, erase_form=form)
