"""The pages of identifiable exports: adapters over `reports.identifiable.services`.

Out of scope is 404 (`selectors.export_get`), a refusal 403 (the services' PermissionDenied,
answered by Django), a state that no longer allows the step 409 (the page again, with why),
bad input the form again with its errors beside the fields and what was typed kept.

The download is two posts: "prepare" makes a password and shows it once on a page that no one
caches; that page's button posts it back, and the zip comes in answer, made then, streamed from
memory with `Cache-Control: no-store`. Pages only: the API offers no download (see `api.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.roles import Capability
from incidents.exceptions import TransitionNotAllowed
from reports.identifiable import permissions, selectors, services
from reports.identifiable.forms import ExportDownloadForm, ExportRefuseForm, ExportRequestForm
from reports.identifiable.models import IdentifiableExport

CHUNK = 64 * 1024


def _errors_add(form: Form, error: ValidationError) -> None:
    """A service's ValidationError beside the fields it names (on top of the form otherwise)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@never_cache
@require_GET
def export_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.list_authorize(request.user)
    context = {
        "mine": selectors.export_mine(user=request.user),
        "awaiting": selectors.export_awaiting(user=request.user),
        "can_request": request.user.can(Capability.REQUEST_IDENTIFIABLE_EXPORT),
        "can_approve": request.user.can(Capability.APPROVE_IDENTIFIABLE_EXPORT),
    }
    return render(request, "reports/identifiable_list.html", context)


@never_cache
@sensitive_post_parameters("reason", "survivor_codes")
@require_http_methods(["GET", "POST"])
def export_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.request_authorize(request.user)
    form = ExportRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            export = services.identifiable_export_request(
                actor=request.user,
                recipient=values["recipient"],
                provider=values["provider"],
                survivor_codes=services.survivor_codes_parse(values["survivor_codes"]),
                reason=values["reason"],
                request=request,
            )
        except ValidationError as error:
            _errors_add(form, error)
        else:
            messages.success(request, _("Export requested. Another senior WPA must approve it."))
            return redirect("reports:identifiable_detail", public_id=export.public_id)
    return render(request, "reports/identifiable_form.html", {"form": form})


def _detail(
    request: AuthenticatedHttpRequest,
    export: IdentifiableExport,
    *,
    refuse_form: ExportRefuseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    reason, refusal = selectors.export_reasons(export=export)
    context: dict[str, Any] = {
        "export": export,
        "cases": selectors.export_cases(export=export),
        "reason": reason,
        "refusal": refusal,
        "can_decide": permissions.can_decide(request.user, export),
        "can_download": permissions.can_download(request.user, export),
        "refuse_form": refuse_form or ExportRefuseForm(),
    }
    return render(request, "reports/identifiable_detail.html", context, status=status)


def _again(request: AuthenticatedHttpRequest, export: IdentifiableExport, **kwargs: Any) -> HttpResponse:
    """The export's page, read afresh (after a refused step)."""
    return _detail(request, selectors.export_get(user=request.user, public_id=export.public_id), **kwargs)


@never_cache
@require_GET
def export_detail(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    return _detail(request, selectors.export_get(user=request.user, public_id=public_id))


@never_cache
@require_POST
def export_approve(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    export = selectors.export_get(user=request.user, public_id=public_id)
    try:
        services.identifiable_export_approve(actor=request.user, export=export, request=request)
    except TransitionNotAllowed as error:
        messages.error(request, error.message)
        return _again(request, export, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _again(request, export, status=400)
    messages.success(request, _("Export approved. The requester may download it once."))
    return redirect("reports:identifiable_detail", public_id=export.public_id)


@never_cache
@sensitive_post_parameters("reason")
@require_POST
def export_refuse(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    export = selectors.export_get(user=request.user, public_id=public_id)
    permissions.decide_authorize(request.user, export)  # 403 whatever was posted
    form = ExportRefuseForm(request.POST)
    if form.is_valid():
        try:
            services.identifiable_export_refuse(
                actor=request.user, export=export, reason=form.cleaned_data["reason"], request=request
            )
        except TransitionNotAllowed as error:
            messages.error(request, error.message)
            return _again(request, export, status=409)
        except ValidationError as error:
            _errors_add(form, error)
        else:
            messages.success(request, _("Export refused."))
            return redirect("reports:identifiable_detail", public_id=export.public_id)
    return _again(request, export, refuse_form=form)


@never_cache
@sensitive_variables("password")
@require_POST
def export_prepare(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    export = selectors.export_get(user=request.user, public_id=public_id)
    try:
        password = services.identifiable_export_prepare(actor=request.user, export=export)
    except TransitionNotAllowed as error:
        messages.error(request, error.message)
        return _again(request, export, status=409)
    form = ExportDownloadForm(initial={"password": password})
    context = {"export": export, "password": password, "form": form}
    return render(request, "reports/identifiable_download.html", context)


def _chunks(content: bytes) -> Iterator[bytes]:
    for start in range(0, len(content), CHUNK):
        yield content[start : start + CHUNK]


@never_cache
@sensitive_post_parameters("password")
@sensitive_variables("password", "content")
@require_POST
def export_download(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponseBase:
    export = selectors.export_get(user=request.user, public_id=public_id)
    permissions.download_authorize(request.user, export)  # 403 whatever was posted
    form = ExportDownloadForm(request.POST)
    password = form.cleaned_data["password"] if form.is_valid() else ""
    try:
        content = services.identifiable_export_download(
            actor=request.user, export=export, password=password, request=request
        )
    except TransitionNotAllowed as error:
        messages.error(request, error.message)
        return _again(request, export, status=409)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _again(request, export, status=400)
    response = StreamingHttpResponse(_chunks(content), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="export-{str(export.public_id)[:8]}.zip"'
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "no-store"
    return response
