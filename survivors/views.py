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
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from crsv.accounts.models import User
from crsv.accounts.roles import Role
from crsv.accounts.selectors import field_office_scope
from crsv.audit.models import AccessEvent
from crsv.http import AuthenticatedHttpRequest
from crsv.pagination import BadCursor, keyset_page
from incidents.models import Incident
from survivors import permissions, selectors
from survivors.consent import consent_status
from survivors.forms import (
    AssignForm,
    BreakGlassForm,
    ConsentForm,
    EraseForm,
    GrantForm,
    IntakeConsentForm,
    SearchForm,
    SurvivorCreateForm,
    SurvivorForm,
)
from survivors.models import Survivor
from survivors.services import (
    consent_record,
    consent_withdraw,
    survivor_assign,
    survivor_break_glass,
    survivor_erase,
    survivor_grant,
    survivor_intake,
    survivor_revoke,
    survivor_update,
)

# At most this many search results (a code matches one case; an exact name, a handful).
SEARCH_LIMIT = 50


def _require_case_role(user: Any) -> None:
    if not permissions.can_list(user):
        raise PermissionDenied


def _errors_to_form(form: Form, error: ValidationError, *others: Form) -> None:
    """Put a service's ValidationError beside the matching fields, of `form` or of one of the
    `others` shown on the same page (or on top of `form`)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = next((f for f in (form, *others) if field in f.fields), None)
            if target is None:
                form.add_error(None, errors)
            else:
                target.add_error(field, errors)
    else:
        form.add_error(None, error.messages)


@never_cache
def survivor_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Newest cases first. `?names=hide` shows codes only (for a screen others can see): then
    nothing identifying is decrypted and no access event is written. `?assignment=dormant`:
    the cases whose assigned WPA left the case's office, for a senior WPA to reassign."""
    user = request.user
    _require_case_role(user)
    assignment = request.GET.get("assignment", "")
    if assignment not in selectors.AssignmentFilter.values:
        assignment = selectors.AssignmentFilter.ALL
    cases = selectors.survivor_list(user=user, assignment=assignment)
    try:
        page = keyset_page(cases, cursor=request.GET.get("after"))
    except BadCursor:
        page = keyset_page(cases, cursor=None)
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
            "dormant": assignment == selectors.AssignmentFilter.DORMANT,
            "can_filter_dormant": user.has_role(Role.SENIOR_WPA),
            "next_cursor": page.next_cursor,
            "first_page": not request.GET.get("after"),
        },
    )


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
        except ValidationError as error:
            _errors_to_form(consent_form, error, form)
        else:
            messages.success(request, _("Case %(code)s registered.") % {"code": survivor.code})
            return redirect("survivors:detail", public_id=survivor.public_id)
    return render(
        request, "survivors/create.html", {"form": form, "consent_form": consent_form, "incident": incident}
    )


def _detail_page(
    request: AuthenticatedHttpRequest,
    survivor: Survivor,
    *,
    grant_form: GrantForm | None = None,
    break_glass_form: BreakGlassForm | None = None,
    erase_form: EraseForm | None = None,
) -> HttpResponse:
    """The case page; a POST view whose form was refused renders it again with that form bound."""
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
    context = {
        "survivor": survivor,
        "identity": identity,
        "consents": consents,
        "incidents": selectors.survivor_incidents(user=user, survivor=survivor),
        "can_edit": permissions.can_edit(user, survivor),
        "can_record_consent": permissions.can_record_consent(user, survivor),
        "can_assign": can_assign,
        "assign_form": AssignForm(candidates=_assign_candidates(survivor)) if can_assign else None,
        "can_view_access": can_view_access,
        "access": selectors.survivor_access(user=user, survivor=survivor) if can_view_access else [],
        "office_time_zone": survivor.field_office.time_zone,
        "can_grant": can_grant,
        "grant_form": (grant_form or _grant_form(request, survivor)) if can_grant else None,
        "can_break_glass": can_break_glass,
        "break_glass_form": (break_glass_form or BreakGlassForm()) if can_break_glass else None,
        "can_erase": can_erase,
        "erase_form": (erase_form or EraseForm()) if can_erase else None,
    }
    return render(request, "survivors/detail.html", context)


@never_cache
def survivor_detail(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    survivor = selectors.survivor_get(user=request.user, public_id=public_id)
    return _detail_page(request, survivor)


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


def _grant_form(request: AuthenticatedHttpRequest, survivor: Survivor, data: Any = None) -> GrantForm:
    candidates = selectors.survivor_grant_candidates(user=request.user, survivor=survivor)
    return GrantForm(data, candidates=candidates, time_zone=survivor.field_office.time_zone)


@never_cache
@require_POST
def survivor_grant_view(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    if not permissions.can_grant(user, survivor):
        raise PermissionDenied
    form = _grant_form(request, survivor, request.POST)
    if form.is_valid():
        grantee = form.cleaned_data["grantee"]
        try:
            survivor_grant(
                actor=user,
                survivor=survivor,
                grantee=grantee,
                expires_at=form.cleaned_data["expires_at"],
                request=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request, _("%(name)s now has access to this case.") % {"name": grantee.display_name}
            )
            return redirect("survivors:detail", public_id=survivor.public_id)
    return _detail_page(request, survivor, grant_form=form)


@never_cache
@require_POST
def survivor_revoke_view(request: AuthenticatedHttpRequest, public_id: str, user_id: str) -> HttpResponse:
    user = request.user
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    if not permissions.can_grant(user, survivor):
        raise PermissionDenied
    grantee = get_object_or_404(User, public_id=user_id)
    try:
        survivor_revoke(actor=user, survivor=survivor, grantee=grantee, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s no longer has access to this case. It takes effect at once.")
            % {"name": grantee.display_name},
        )
    return redirect("survivors:detail", public_id=survivor.public_id)


@never_cache
@sensitive_post_parameters("reason")
@require_POST
def survivor_break_glass_view(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    if not permissions.can_break_glass(user, survivor):
        raise PermissionDenied
    if getattr(survivor, "identifying", False):
        messages.info(request, _("You can already identify this survivor: no need to break the glass."))
        return redirect("survivors:detail", public_id=survivor.public_id)
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            access = survivor_break_glass(
                actor=user, survivor=survivor, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.warning(
                request,
                _(
                    "You opened this case by breaking the glass, until %(until)s. "
                    "The other senior WPAs of the mission are told."
                )
                % {"until": date_format(localtime(access.expires_at), "SHORT_DATETIME_FORMAT")},
            )
            return redirect("survivors:detail", public_id=survivor.public_id)
    return _detail_page(request, survivor, break_glass_form=form)


@never_cache
@require_POST
def survivor_erase_view(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    if not permissions.can_erase(user, survivor):
        raise PermissionDenied
    form = EraseForm(request.POST)
    if form.is_valid():
        try:
            survivor_erase(actor=user, survivor=survivor, reason=form.cleaned_data["reason"], request=request)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Case erased. Its identifying information no longer exists."))
            return redirect("survivors:detail", public_id=survivor.public_id)
    return _detail_page(request, survivor, erase_form=form)


@never_cache
@sensitive_post_parameters("name", "phone")
@require_http_methods(["GET", "POST"])
def survivor_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search by code, exact name or phone. POST only, so nothing typed sits in a URL (server
    logs, browser history, the Referer header). Names found are shown, and logged, only for the
    cases the user may identify; name and phone searches look only among those."""
    user = request.user
    _require_case_role(user)
    form = SearchForm(request.POST if request.method == "POST" else None)
    rows: list[tuple[Survivor, str | None]] | None = None
    if request.method == "POST" and form.is_valid():
        found = list(
            selectors.survivor_search(
                user=user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
            )[:SEARCH_LIMIT]
        )
        names = selectors.survivor_names_reveal(
            user=user, survivors=found, kind=AccessEvent.Kind.SEARCH, request=request
        )
        rows = [(survivor, names.get(survivor.pk)) for survivor in found]
        form = SearchForm()  # nothing typed is shown back
    return render(request, "survivors/search.html", {"form": form, "rows": rows, "limit": SEARCH_LIMIT})
