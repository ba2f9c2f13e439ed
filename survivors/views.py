"""Survivor case pages. Thin: resolve through selectors, validate a form, call a service.

Every page here may show survivor data: `never_cache` (Cache-Control: no-store) on all of them,
and `sensitive_post_parameters` wherever values are typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.audit.models import AccessEvent
from crsv.http import AuthenticatedHttpRequest
from crsv.pagination import BadCursor, keyset_page
from incidents.models import Incident
from survivors import permissions, selectors
from survivors.consent import consent_status
from survivors.forms import AssignForm, ConsentForm, IntakeConsentForm, SurvivorCreateForm, SurvivorForm
from survivors.models import Survivor
from survivors.services import (
    consent_record,
    consent_withdraw,
    survivor_assign,
    survivor_intake,
    survivor_update,
)

CASE_ROLES = (Role.REPORTER, Role.WPA, Role.SENIOR_WPA)


def _require_case_role(user: Any) -> None:
    if not user.has_role(*CASE_ROLES):
        raise PermissionDenied


def _errors_to_form(form: Form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the matching fields (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@never_cache
def survivor_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Newest cases first. `?names=hide` shows codes only (for a screen others can see): then
    nothing identifying is decrypted and no access event is written."""
    user = request.user
    _require_case_role(user)
    try:
        page = keyset_page(selectors.survivor_list(user=user), cursor=request.GET.get("after"))
    except BadCursor:
        page = keyset_page(selectors.survivor_list(user=user), cursor=None)
    hide_names = request.GET.get("names") == "hide"
    names: dict[int, str] = {}
    if not hide_names:
        names = selectors.survivor_names_reveal(
            user=user, survivors=page.rows, kind=AccessEvent.Kind.LIST, request=request
        )
    rows = [(survivor, names.get(survivor.pk)) for survivor in page.rows]
    return render(
        request,
        "survivors/list.html",
        {
            "rows": rows,
            "hide_names": hide_names,
            "next_cursor": page.next_cursor,
            "first_page": not request.GET.get("after"),
        },
    )


def _offices_for_registration(user: Any) -> Any:
    if user.has_role(Role.SENIOR_WPA):
        return FieldOffice.objects.filter(mission_id__in=user.mission_ids())
    return FieldOffice.objects.filter(id__in=user.office_ids())


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def survivor_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    _require_case_role(user)
    incident = None
    incident_id = request.GET.get("incident") or request.POST.get("incident")
    if incident_id:
        try:
            incident = get_object_or_404(Incident.objects.visible_to(user), public_id=incident_id)
        except ValidationError as exc:  # not a UUID
            raise Http404 from exc
    offices = _offices_for_registration(user)
    if incident is not None:
        offices = offices.filter(pk=incident.field_office_id)
    form = SurvivorCreateForm(request.POST or None, offices=offices)
    consent_form = IntakeConsentForm(request.POST or None, prefix="consent")
    if request.method == "POST" and form.is_valid() and consent_form.is_valid():
        try:
            survivor = survivor_intake(
                actor=user,
                field_office=form.cleaned_data["field_office"],
                identity=form.identity(),
                profile=form.profile(),
                consents=consent_form.grants(),
                incident=incident,
                request=request,
            )
        except ValidationError as error:
            _errors_to_form(consent_form, error)
        else:
            messages.success(request, _("Case %(code)s registered.") % {"code": survivor.code})
            return redirect("survivors:detail", public_id=survivor.public_id)
    return render(
        request, "survivors/create.html", {"form": form, "consent_form": consent_form, "incident": incident}
    )


@never_cache
def survivor_detail(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    identity = selectors.survivor_reveal(
        user=user, survivor=survivor, kind=AccessEvent.Kind.VIEW, request=request
    )
    consents = [
        (c, consent_status(c) if c.kind == "grant" else "")
        for c in selectors.consent_list(user=user, survivor=survivor)
    ]
    can_assign = permissions.can_assign(user, survivor)
    context = {
        "survivor": survivor,
        "identity": identity,
        "consents": consents,
        "incidents": list(Incident.objects.visible_to(user).filter(survivors=survivor)),
        "can_edit": permissions.can_edit(user, survivor),
        "can_record_consent": permissions.can_record_consent(user, survivor),
        "can_assign": can_assign,
        "assign_form": AssignForm(candidates=_assign_candidates(survivor)) if can_assign else None,
    }
    return render(request, "survivors/detail.html", context)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def survivor_edit(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    if not permissions.can_edit(user, survivor):
        raise PermissionDenied
    if request.method == "POST":
        form = SurvivorForm(request.POST)
        if form.is_valid():
            try:
                survivor_update(
                    actor=user,
                    survivor=survivor,
                    identity=form.identity(),
                    profile=form.profile(),
                    request=request,
                )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Case updated."))
                return redirect("survivors:detail", public_id=survivor.public_id)
    else:
        identity = selectors.survivor_reveal(
            user=user, survivor=survivor, kind=AccessEvent.Kind.EDIT, request=request
        )
        assert identity is not None  # can_edit implies the identifying fields are readable
        initial = {**identity.as_dict(), **{f: getattr(survivor, f) for f in _PROFILE_FIELDS}}
        form = SurvivorForm(initial=initial)
    return render(request, "survivors/edit.html", {"form": form, "survivor": survivor})


_PROFILE_FIELDS = (
    "sex",
    "age",
    "age_band",
    "disability",
    "displacement_status",
    "interview_count",
    "do_not_reinterview",
)


def _assign_candidates(survivor: Survivor) -> Any:
    return (
        User.objects.filter(
            is_active=True,
            groups__name__in=[Role.WPA, Role.SENIOR_WPA],
            memberships__field_office_id=survivor.field_office_id,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@never_cache
@require_POST
def survivor_assign_view(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    if not permissions.can_assign(user, survivor):
        raise PermissionDenied
    form = AssignForm(request.POST, candidates=_assign_candidates(survivor))
    if form.is_valid():
        try:
            survivor_assign(
                actor=user, survivor=survivor, assignee=form.cleaned_data["assignee"], request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Case assigned."))
    else:
        messages.error(request, _("Choose a WPA of the case's field office."))
    return redirect("survivors:detail", public_id=survivor.public_id)


@never_cache
@require_http_methods(["GET", "POST"])
def consent_create(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    if not permissions.can_record_consent(user, survivor):
        raise PermissionDenied
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(actor=user, survivor=survivor, request=request, **form.grant().__dict__)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Consent recorded."))
            return redirect("survivors:detail", public_id=survivor.public_id)
    return render(request, "survivors/consent_form.html", {"form": form, "survivor": survivor})


@never_cache
@require_POST
def consent_withdraw_view(request: AuthenticatedHttpRequest, public_id: str, consent_id: str) -> HttpResponse:
    user = request.user
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    consent = selectors.consent_get(user=user, survivor=survivor, public_id=consent_id)
    if not permissions.can_record_consent(user, survivor):
        raise PermissionDenied
    try:
        consent_withdraw(actor=user, consent=consent, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consent withdrawn. It takes effect at once."))
    return redirect("survivors:detail", public_id=survivor.public_id)
