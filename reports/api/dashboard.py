"""GET /api/v1/reports/dashboard/: the dashboard's panels as JSON, through the page's assembly.

The same decision as the page, by the same code: her scope (`statistics_scope`: a role without
a dashboard is 403), the filters checked by the page's form (a refused filter is a 400 with its
field's error here), then `dashboard_build`. No chart: the rows are the chart's data.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crsv.accounts.models import User
from crsv.accounts.roles import Capability
from crsv.api import PrivateAPIView, actor
from reports.api.dashboard_serializers import DashboardOutput, DashboardQuery
from reports.dashboard import Dashboard, Panel, dashboard_build, dashboard_options
from reports.statistics import statistics_scope

TAGS = ["reports"]


class CanSeeDashboard(BasePermission):
    message = gettext_lazy("Your role gives no dashboard.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and user.can(Capability.SEE_DASHBOARD)


def _panel(panel: Panel) -> dict[str, Any]:
    return {
        "key": panel.key,
        "title": panel.title,
        "unit": panel.unit,
        "heading": panel.heading,
        "columns": [{"key": column.key, "label": column.label} for column in panel.columns],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "kind": row.kind,
                "cells": [{"value": cell.value, "text": cell.text} for cell in row.cells],
            }
            for row in panel.rows
        ],
        "figures": [
            {"key": f.key, "label": f.label, "value": f.value, "text": f.text, "detail": f.detail}
            for f in panel.figures
        ],
    }


def dashboard_body(board: Dashboard) -> dict[str, Any]:
    filters = board.filters
    return {
        "period": {"from": f"{board.month_from:%Y-%m}", "to": f"{board.month_to:%Y-%m}"},
        "filters": {
            "office": filters.office.key if filters.office else None,
            "admin1": filters.admin1.pcode if filters.admin1 else None,
            "admin2": filters.admin2.pcode if filters.admin2 else None,
        },
        "mission_level": board.mission_level,
        "survivor_panels": board.survivor_panels,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "panels": [_panel(panel) for panel in section.panels],
            }
            for section in board.sections
        ],
    }


class DashboardView(PrivateAPIView):
    http_method_names = ["get", "options"]
    permission_classes = [IsAuthenticated, CanSeeDashboard]

    @extend_schema(
        operation_id="reports_dashboard",
        summary="The statistics dashboard",
        description=(
            "Every panel of your dashboard (the page /reports/ draws the same), counted for the "
            "filters: the last twelve months by default. Senior WPAs and analysts count their "
            "whole mission and get the survivor and referral panels; a WPA counts her field "
            "offices only, without them. Drafts, SEA incidents, incidents found not to have "
            "occurred and cases without consent to statistics never count. An office or place "
            "outside your scope is refused with `Not in your scope.`, whether it exists or not."
        ),
        parameters=[DashboardQuery],
        responses={
            200: DashboardOutput,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT, description='Field errors: `{"field": ["message"]}`.'
            ),
            401: OpenApiResponse(description="Not signed in (send `Authorization: Bearer <token>`)."),
            403: OpenApiResponse(description="Your role gives no dashboard."),
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        scope = statistics_scope(actor(request))  # 403 for a role (or a user) without a dashboard
        options = dashboard_options(scope)
        query = DashboardQuery(
            data=request.query_params, context={"options": options, "today": timezone.localdate()}
        )
        query.is_valid(raise_exception=True)
        return Response(dashboard_body(dashboard_build(scope, query.validated_data["filters"], options)))
