"""A case's own pages: intake, the case page (with the forms of its actions), editing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.selectors import field_office_scope
from crsv.audit.models import AccessEvent
from crsv.registry import case_page_sections
from incidents.models import Incident
from survivors import permissions, selectors
from survivors.consent import consent_status
from survivors.forms import (
    AssignForm,
    BreakGlassForm,
    EraseForm,
    GrantForm,
    IntakeConsentForm,
    SurvivorCreateForm,
    SurvivorForm,
)
from survivors.models import Survivor
from survivors.permissions import CaseAction
from survivors.services import PROFILE_FIELDS, IntakeConsentErrors, survivor_intake, survivor_update


def form_errors_add(form: Form, error: ValidationError, *others: Form) -> None:
    """Put a service's ValidationError beside the matching fields, of `form` or of one of the
    `others` shown on the same page (or on top of `form`); a message already there is not
    repeated (intake refuses each consent of a list for the same reason)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, [m for m in error.messages if m not in form.non_field_errors()])
        return
    for field, errors in error.message_dict.items():
        target = next((f for f in (form, *others) if field in f.fields), None)
        key = field if target is not None else None
        target = target or form
        shown = [str(m) for m in target.errors.get(key or "__all__", [])]
        fresh = [m for m in errors if m not in shown]
        if fresh:
            target.add_error(key, fresh)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def survivor_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    permissions.list_authorize(user)  # the intake form is refused to a role without cases
    incident = None
    incident_id = request.GET.get("incident") or request.POST.get("incident")
    if incident_id:
        try:
            incident = get_object_or_404(Incident.objects.visible_to(user), public_id=incident_id)
        except ValidationError as exc:  # not a UUID
            raise Http404 from exc
    offices = field_office_scope(user=user)
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
        except IntakeConsentErrors as refused:
            for error in refused.by_index.values():
                form_errors_add(consent_form, error, form)
        except ValidationError as error:
            form_errors_add(consent_form, error, form)
        else:
            messages.success(request, _("Case %(code)s registered.") % {"code": survivor.code})
            return redirect("survivors:detail", public_id=survivor.public_id)
    return render(
        request, "survivors/create.html", {"form": form, "consent_form": consent_form, "incident": incident}
    )


def case_page(
    request: AuthenticatedHttpRequest,
    survivor: Survivor,
    *,
    grant_form: GrantForm | None = None,
    break_glass_form: BreakGlassForm | None = None,
    erase_form: EraseForm | None = None,
) -> HttpResponse:
    """The case page; a POST view whose form was refused renders it again with that form bound.
    The `can_*` flags only decide which buttons and forms are shown."""
    user = request.user
    identity = selectors.survivor_reveal(
        user=user, survivor=survivor, kind=AccessEvent.Kind.VIEW, request=request
    )
    consents = [
        (c, consent_status(c) if c.kind == "grant" else "")
        for c in selectors.consent_list(user=user, survivor=survivor)
    ]
    can_assign = permissions.can_assign(user, survivor)
    can_view_access = permissions.can_view_access(user, survivor)
    can_grant = permissions.can_grant(user, survivor)
    # Offered only where it would open something: not on a case she already reads, nor an erased one.
    can_break_glass = identity is None and permissions.can_break_glass(user, survivor)
    can_erase = permissions.can_erase(user, survivor)
    candidates = selectors.survivor_assign_candidates(survivor=survivor) if can_assign else None
    context = {
        "survivor": survivor,
        "identity": identity,
        "consents": consents,
        "incidents": selectors.survivor_incidents(user=user, survivor=survivor),
        "can_edit": permissions.can_edit(user, survivor),
        "can_record_consent": permissions.can_record_consent(user, survivor),
        "can_assign": can_assign,
        "assign_form": AssignForm(candidates=candidates) if can_assign else None,
        "can_view_access": can_view_access,
        "access": selectors.survivor_access(user=user, survivor=survivor) if can_view_access else [],
        "office_time_zone": survivor.field_office.time_zone,
        "can_grant": can_grant,
        "grant_form": (grant_form or grant_form_for(request, survivor)) if can_grant else None,
        "can_break_glass": can_break_glass,
        "break_glass_form": (break_glass_form or BreakGlassForm()) if can_break_glass else None,
        "can_erase": can_erase,
        "erase_form": (erase_form or EraseForm()) if can_erase else None,
        # What the apps above survivors add to the case page (referrals: its referrals, "Refer").
        "sections": [
            (section.template_name, section_context)
            for section in case_page_sections.values()
            if (section_context := section.context(request, survivor)) is not None
        ],
    }
    return render(request, "survivors/detail.html", context)


def grant_form_for(request: AuthenticatedHttpRequest, survivor: Survivor, data: Any = None) -> GrantForm:
    candidates = selectors.survivor_grant_candidates(user=request.user, survivor=survivor)
    return GrantForm(data, candidates=candidates, time_zone=survivor.field_office.time_zone)


@never_cache
def survivor_detail(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    survivor = selectors.survivor_get(user=request.user, public_id=public_id)
    return case_page(request, survivor)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def survivor_edit(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    permissions.case_authorize(actor=user, survivor=survivor, action=CaseAction.EDIT)
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
                form_errors_add(form, error)
            else:
                messages.success(request, _("Case updated."))
                return redirect("survivors:detail", public_id=survivor.public_id)
    else:
        identity = selectors.survivor_reveal(
            user=user, survivor=survivor, kind=AccessEvent.Kind.EDIT, request=request
        )
        assert identity is not None  # may edit implies the identifying fields are readable
        initial = {**identity.as_dict(), **{f: getattr(survivor, f) for f in PROFILE_FIELDS}}
        form = SurvivorForm(initial=initial)
    return render(request, "survivors/edit.html", {"form": form, "survivor": survivor})
