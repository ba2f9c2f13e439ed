"""The de-identified exports API: GET /api/v1/reports/exports/<kind>/?period=2026-Q1&format=csv|json,
over the same service as the pages (`reports.exports.statistics_export`), streamed, audited.

Statuses, in the order the checks run: 401 signed out; 403 a role without exports (analysts and
senior WPAs run them); 400 `{"field": ["message"]}` for an unknown kind (the path's `kind`), a
period that is not a month, a quarter or a year, or another format. The `format` parameter is the
file's: the error bodies are JSON whatever it says (DRF's own `?format=` is not used here).
"""

from __future__ import annotations

from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from crsv.accounts.roles import Capability
from crsv.api import PrivateAPIView, StrictInput, actor, http_request
from reports.exports import API_FORMATS, ExportFormat, ExportKind, statistics_export

TAGS = ["exports"]
# What the service accepts (reports.disclosure.Period), as the schema can say it.
PERIOD_PATTERN = r"^[1-9][0-9]{3}(-(0[1-9]|1[0-2]|Q[1-4]))?$"


class CanRunExports(BasePermission):
    message = gettext_lazy("Your role gives no access to the exports.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user.is_authenticated and request.user.can(Capability.RUN_EXPORTS))


class DocumentedText(serializers.CharField):
    """A text whose schema says what the service accepts (`openapi_extra`, read by crsv.api_schema)."""

    def __init__(self, *, openapi_extra: dict[str, Any], **kwargs: Any) -> None:
        self.openapi_extra = openapi_extra
        super().__init__(**kwargs)


class ExportQuery(StrictInput):
    """The query of GET /reports/exports/<kind>/. The service checks the values, with the kind,
    so that every field's error comes back at once; the schema says what it accepts."""

    period = DocumentedText(
        openapi_extra={"pattern": PERIOD_PATTERN},
        max_length=16,
        help_text="A month (2026-03), a quarter (2026-Q1) or a year (2026).",
    )
    format = DocumentedText(
        openapi_extra={"enum": [f.value for f in API_FORMATS]},
        max_length=16,
        required=False,
        default=ExportFormat.JSON.value,
        help_text="The file's format (default json).",
    )


R400 = OpenApiResponse(response=OpenApiTypes.OBJECT, description='Field errors: `{"field": ["message"]}`.')


class ExportView(PrivateAPIView):
    http_method_names = ["get", "options"]
    permission_classes = [IsAuthenticated, CanRunExports]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        # `format` names the file; responses that are not the file (errors) are JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="reports_exports_get",
        summary="Run a de-identified export",
        description=(
            "One of the de-identified exports of your missions for a fixed period, audited: `gbvims` "
            "(the GBVIMS Incident Recorder columns, one row per survivor-incident link), `mara` (the "
            'MARA tables, small counts shown as "<5"), `sage` (the incident feed, one row per '
            "incident), `cpas` (indicators). Row ids are random, new in every export. Analysts and "
            "senior WPAs only."
        ),
        parameters=[
            OpenApiParameter(
                "kind", str, OpenApiParameter.PATH, enum=ExportKind.values, description="The export."
            ),
            ExportQuery,
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="The export: `export`, `period`, `title`, `notes` and `tables` (each with "
                "`name`, `title`, `columns` and `rows`).",
            ),
            (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description="The export as CSV."),
            400: R400,
            401: OpenApiResponse(description="Not signed in (send `Authorization: Bearer <token>`)."),
            403: OpenApiResponse(description="Your role gives no access to the exports."),
        },
        tags=TAGS,
    )
    def get(self, request: Request, kind: str) -> StreamingHttpResponse:
        user = actor(request)
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        export = statistics_export(
            actor=user,
            kind=kind,
            period=values["period"],
            file_format=values["format"],
            formats=tuple(f.value for f in API_FORMATS),
            request=http_request(request),
        )
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
