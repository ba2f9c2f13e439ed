"""The identifiable exports API: /api/v1/reports/identifiable-exports/... List, request,
read, approve and refuse, over the same selectors and services as the pages.

Statuses, in the order the checks run: 401 signed out; 403 a role without exports (list,
request) or a step she may not take on an export she sees (approving her own); 404 an export
that does not exist for her; 409 a state that no longer allows the step (the other senior WPA
decided first); 400 bad input.

No download here: the zip's password is shown once, to a person, on the web page, and the file
is fetched by the same person right after; an API would hand the file and its password to the
same program, in the same channel, and make a one-time download a scriptable one.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from crsv.accounts.models import User
from crsv.api import PrivateAPIView, actor, http_request
from crsv.api_schema import from_body, link
from crsv.pagination import BadCursor, cursor_error
from incidents.api import schema as _schema  # noqa: F401  (registers the OpenAPI enum names)
from incidents.exceptions import TransitionNotAllowed
from referrals.models import ServiceProvider
from reports.identifiable import api_serializers as s
from reports.identifiable import permissions, selectors, services
from reports.identifiable.models import IdentifiableExport

TAGS = ["identifiable exports"]
R400 = OpenApiResponse(response=OpenApiTypes.OBJECT, description='Field errors: `{"field": ["message"]}`.')
R401 = OpenApiResponse(description="Not signed in (send `Authorization: Bearer <token>`).")
R403_ROLE = OpenApiResponse(description="Your role gives no access to identifiable exports.")
R403_DECIDE = OpenApiResponse(
    description="Only a senior WPA of the export's mission decides, and never on her own request."
)
R404 = OpenApiResponse(description="No such export, or not one you can see.")
R409 = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description='`{"detail": "..."}`: the export was already decided.'
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("This step is not possible in the export's current state.")
    default_code = "transition_not_allowed"


class CanSeeExports(BasePermission):
    message = gettext_lazy("Your role gives no access to identifiable exports.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return permissions.can_list(request.user)


class ExportAPIView(PrivateAPIView):
    """Base of the views: 409 for a state that no longer allows the step. An export that does
    not exist for the user is 404 whatever her role (the role gate is the collection's)."""

    permission_classes = [IsAuthenticated]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, TransitionNotAllowed):
            exc = Conflict(exc.message)
        return super().handle_exception(exc)


def _row(export: IdentifiableExport) -> dict[str, Any]:
    provider = export.provider
    return {
        "public_id": export.public_id,
        "state": export.shown_state,
        "recipient": export.recipient,
        "provider": {"public_id": provider.public_id, "name": provider.name} if provider else None,
        "requested_by": export.requested_by.display_name,
        "requested_at": export.created_at,
        "decided_at": export.decided_at,
        "expires_at": export.expires_at,
        "downloaded_at": export.downloaded_at,
        "cases_included": getattr(export, "cases_included", 0),
        "cases_excluded": getattr(export, "cases_excluded", 0),
    }


@sensitive_variables()
def export_body(user: User, public_id: uuid.UUID) -> dict[str, Any]:
    """The detail of an export, read afresh through `selectors.export_get`."""
    export = selectors.export_get(user=user, public_id=public_id)
    reason, refusal = selectors.export_reasons(export=export)
    can_decide = permissions.can_decide(user, export)
    body = {
        **_row(export),
        "reason": reason,
        "decided_by": export.decided_by.display_name if export.decided_by else None,
        "refusal_reason": refusal,
        "cases": [
            {
                "survivor_code": case.survivor.code,
                "survivor": case.survivor.public_id,
                "included": case.included,
                "excluded_because": case.excluded_because,
                "checked_at": case.checked_at,
            }
            for case in selectors.export_cases(export=export)
        ],
        "permissions": {
            "approve": can_decide,
            "refuse": can_decide,
            "download": permissions.can_download(user, export),
        },
    }
    return dict(s.IdentifiableExportDetailOutput(body).data)


def _detail_link(pointer: str) -> dict[str, Any]:
    return link("reports_identifiable_exports_retrieve", "The export.", public_id=from_body(pointer))


def _step_links(pointer: str) -> dict[str, Any]:
    return {
        "ApproveExport": link(
            "reports_identifiable_exports_approve", "Approve it.", public_id=from_body(pointer)
        ),
        "RefuseExport": link(
            "reports_identifiable_exports_refuse", "Refuse it.", public_id=from_body(pointer)
        ),
    }


class ExportCollectionView(ExportAPIView):
    http_method_names = ["get", "post", "options"]
    permission_classes = [IsAuthenticated, CanSeeExports]
    openapi_links = {
        "get": {"200": {"GetExport": _detail_link("/results/0/public_id")}},
        "post": {"201": {"GetExport": _detail_link("/public_id"), **_step_links("/public_id")}},
    }

    @extend_schema(
        operation_id="reports_identifiable_exports_list",
        summary="List identifiable exports",
        description=(
            "Yours, and for a senior WPA every export of her missions, newest first, "
            f"{selectors.PAGE_SIZE} per page; follow `next`."
        ),
        parameters=[s.IdentifiableExportListQuery],
        responses={200: s.IdentifiableExportPageOutput, 400: R400, 401: R401, 403: R403_ROLE},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        query = s.IdentifiableExportListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            page = selectors.export_page(user=actor(request), cursor=query.validated_data.get("cursor"))
        except BadCursor as error:
            raise cursor_error() from error
        next_link = (
            replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor)
            if page.next_cursor
            else None
        )
        return Response(
            s.IdentifiableExportPageOutput({"next": next_link, "results": [_row(e) for e in page.rows]}).data
        )

    @extend_schema(
        operation_id="reports_identifiable_exports_create",
        summary="Request an identifiable export",
        description=(
            "WPAs and senior WPAs, for cases they may identify. 400 on `survivor_codes` for a code "
            "that is not such a case, for cases of two missions, or when no consent covers any of "
            "them; the cases no consent covers are kept, excluded with the reason. Another senior "
            "WPA of the mission approves."
        ),
        request=s.IdentifiableExportCreateInput,
        responses={
            201: s.IdentifiableExportDetailOutput,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="Your role may not request identifiable exports."),
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request) -> Response:
        user = actor(request)
        permissions.request_authorize(user)  # 403 before anything about the body
        data = s.IdentifiableExportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        provider = None
        if values.get("provider") is not None:
            provider = ServiceProvider.objects.active().filter(public_id=values["provider"]).first()
            if provider is None:
                raise ValidationError({"provider": _("No active provider of the directory has this id.")})
        with transaction.atomic():
            export = services.identifiable_export_request(
                actor=user,
                recipient=values["recipient"],
                provider=provider,
                survivor_codes=values["survivor_codes"],
                reason=values["reason"],
                request=http_request(request),
            )
            body = export_body(user, export.public_id)
        return Response(body, status=status.HTTP_201_CREATED)


class ExportDetailView(ExportAPIView):
    http_method_names = ["get", "options"]
    openapi_links = {"get": {"200": _step_links("/public_id")}}

    @extend_schema(
        operation_id="reports_identifiable_exports_retrieve",
        summary="An identifiable export",
        description="Its cases by code, each included or excluded with the reason; no identifying value.",
        responses={200: s.IdentifiableExportDetailOutput, 401: R401, 404: R404},
        tags=TAGS,
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return Response(export_body(actor(request), public_id))


class ExportApproveView(ExportAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="reports_identifiable_exports_approve",
        summary="Approve an identifiable export",
        description=(
            "A senior WPA of the mission, not the requester. Each case's consent and the "
            "requester's access are checked again now; 400 when none is left. No body."
        ),
        request=None,
        responses={
            200: s.IdentifiableExportDetailOutput,
            400: R400,
            401: R401,
            403: R403_DECIDE,
            404: R404,
            409: R409,
        },
        tags=TAGS,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            export = selectors.export_get(user=user, public_id=public_id)
            services.identifiable_export_approve(actor=user, export=export, request=http_request(request))
            return Response(export_body(user, public_id))


class ExportRefuseView(ExportAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="reports_identifiable_exports_refuse",
        summary="Refuse an identifiable export",
        description="A senior WPA of the mission, not the requester, saying why.",
        request=s.IdentifiableExportRefuseInput,
        responses={
            200: s.IdentifiableExportDetailOutput,
            400: R400,
            401: R401,
            403: R403_DECIDE,
            404: R404,
            409: R409,
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            export = selectors.export_get(user=user, public_id=public_id)
            permissions.decide_authorize(user, export)  # 403 before anything about the body
            data = s.IdentifiableExportRefuseInput(data=request.data)
            data.is_valid(raise_exception=True)
            services.identifiable_export_refuse(
                actor=user, export=export, reason=data.validated_data["reason"], request=http_request(request)
            )
            return Response(export_body(user, public_id))
