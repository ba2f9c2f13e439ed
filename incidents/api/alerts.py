"""The early-warning alerts API: /api/v1/incidents/alerts/... (issue 13 item 4).

Thin views over the same selectors and services as the pages: a selector resolves the alert
(out of scope: 404) and reads what the user may see of it; a service writes and says 403, 409
or 400, in that order (incidents/api/base.py maps them).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from crsv.accounts.models import FieldOffice, User
from crsv.pagination import BadCursor, cursor_error
from incidents import alert_permissions
from incidents.api import alert_serializers as s
from incidents.api import schema as _schema  # noqa: F401  (registers the OpenAPI enum names)
from incidents.api.base import R400, R401, R409, IncidentAPIView, actor, http_request
from incidents.models import Alert, Incident, Location
from incidents.selectors import alerts as selectors
from incidents.services import alerts as services

TAGS = ["alerts"]
R403_ROLE = OpenApiResponse(description="Your role gives no access to alerts.")
R404_ALERT = OpenApiResponse(description="No such alert, or not one you can see.")
_RESTRICTED = (
    "The `description` and `entered_by` keys, and each history step's `note`, are left out (not "
    "null) when you may not see them; analysts see the place at admin level 2."
)


class CanListAlerts(BasePermission):
    """The role gate of the collection: provider, admin, auditor and no role get 403."""

    message = "Your role gives no access to alerts."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return alert_permissions.can_list_alerts(request.user)


@sensitive_variables()
def alert_body(user: User, alert: Alert) -> dict[str, Any]:
    """The representation of an alert read through `selectors.alert_get`."""
    view = s.AlertView(
        alert=alert,
        place=selectors.alert_place(user=user, alert=alert),
        description=selectors.alert_description(user=user, alert=alert),
        entered_by=alert.reported_by.display_name if alert_permissions.can_view_people(user, alert) else None,
        history=selectors.alert_history(user=user, alert=alert),
        linked_incidents=selectors.alert_linked_incidents(user=user, alert=alert),
        permissions=alert_permissions.alert_permissions(user, alert),
    )
    return dict(s.AlertOutput(view).data)


def _fresh_body(user: User, alert: Alert) -> dict[str, Any]:
    return alert_body(user, selectors.alert_get(user=user, public_id=alert.public_id))


class AlertCollectionView(IncidentAPIView):
    http_method_names = ["get", "post", "options"]
    permission_classes = [IsAuthenticated, CanListAlerts]

    @extend_schema(
        operation_id="alerts_list",
        summary="List early-warning alerts",
        description=(
            f"The alerts you can see, newest first, {selectors.ALERT_PAGE_SIZE} per page; follow `next` "
            "(no total count). Rows carry no description. Unknown parameters are refused."
        ),
        parameters=[s.AlertListQuery],
        responses={200: s.AlertPageOutput, 400: R400, 401: R401, 403: R403_ROLE},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        query = s.AlertListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        filters = selectors.AlertFilters(
            state=values.get("state", ""),
            urgency=values.get("urgency", ""),
            field_office_id=values.get("field_office"),  # an office she cannot see lists nothing
        )
        try:
            page = selectors.alert_page(user=user, filters=filters, cursor=values.get("cursor"))
        except BadCursor as error:
            raise cursor_error() from error
        rows = [
            {
                "public_id": alert.public_id,
                "reference": alert.reference,
                "field_office": alert.field_office_id,
                "urgency": alert.urgency,
                "state": alert.state,
                "place": selectors.alert_place(user=user, alert=alert),
                "indicators": alert.indicators,
                "received_at": alert.received_at,
                "escalated_at": alert.escalated_at,
            }
            for alert in page.rows
        ]
        next_link = (
            replace_query_param(request.build_absolute_uri(), "cursor", page.next_cursor)
            if page.next_cursor
            else None
        )
        return Response(s.AlertPageOutput({"next": next_link, "results": rows}).data)

    @extend_schema(
        operation_id="alerts_create",
        summary="Enter an early-warning alert",
        description=(
            "In one of your field offices (reporters, i.e. protection staff and Community Liaison "
            "Assistants, WPAs and senior WPAs). The office's on-call focal points are notified at once "
            "(its WPAs when nobody is on call). " + _RESTRICTED
        ),
        request=s.AlertCreateInput,
        responses={
            201: s.AlertOutput,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="Your role may not enter alerts."),
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request) -> Response:
        user = actor(request)
        services.alert_create_authorize(actor=user)  # 403 before anything about the body
        data = s.AlertCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # Named by its id; the service refuses an office that is not hers, and reads it again.
        office = FieldOffice(pk=values["field_office"]) if "field_office" in values else None
        with transaction.atomic():
            received = services.alert_create(
                actor=user,
                field_office=office,
                source=values["source"],
                location=Location.objects.filter(public_id=values["location"]).first(),
                indicators=values["indicators"],
                urgency=values["urgency"],
                description=values.get("description", ""),
                request=http_request(request),
            )
            body = _fresh_body(user, received.alert)
        return Response(body, status=status.HTTP_201_CREATED)


class AlertDetailView(IncidentAPIView):
    http_method_names = ["get", "options"]

    @extend_schema(
        operation_id="alerts_retrieve",
        summary="Get an early-warning alert",
        description=_RESTRICTED,
        responses={200: s.AlertOutput, 401: R401, 404: R404_ALERT},
        tags=TAGS,
    )
    @sensitive_variables()
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        return Response(alert_body(user, selectors.alert_get(user=user, public_id=public_id)))


class AlertTransitionView(IncidentAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="alerts_transition",
        summary="Move an alert: acknowledge, dispatch a response, close",
        description=(
            "`acknowledge` (new), `dispatch` with a `note` (acknowledged), `close` (acknowledged or "
            "dispatched; a `note` is required when no response was dispatched). Only a WPA of the "
            "alert's field office or a senior WPA of its mission. Checked in this order, as on the "
            "alert's page: 404, 403, 409, then the fields (400). " + _RESTRICTED
        ),
        request=s.AlertTransitionInput,
        responses={
            200: s.AlertOutput,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="You can see the alert but your role may not do this."),
            404: R404_ALERT,
            409: R409,
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            alert = selectors.alert_get(user=user, public_id=public_id)
            which = s.AlertActionInput(data=request.data)
            which.is_valid(raise_exception=True)

            def read() -> services.AlertInputs:  # once the action is allowed
                data = s.AlertTransitionInput(data=request.data)
                data.is_valid(raise_exception=True)
                return services.AlertInputs(note=data.validated_data.get("note", ""))

            services.alert_transition(
                actor=user,
                alert=alert,
                action=which.validated_data["action"],
                inputs=read,
                request=http_request(request),
            )
            body = _fresh_body(user, alert)
        return Response(body)


class AlertIncidentsView(IncidentAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="alerts_link_incident",
        summary="Link an incident to an alert",
        description=(
            "A submitted incident you can see (an incident you cannot see is refused as not found, "
            "beside the field), in any state of the alert; only a WPA of the alert's field office or a "
            "senior WPA of its mission. " + _RESTRICTED
        ),
        request=s.AlertLinkInput,
        responses={
            201: s.AlertOutput,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="You can see the alert but your role may not do this."),
            404: R404_ALERT,
        },
        tags=TAGS,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            alert = selectors.alert_get(user=user, public_id=public_id)
            services.alert_link_authorize(actor=user, alert=alert)  # 403 before the body
            data = s.AlertLinkInput(data=request.data)
            data.is_valid(raise_exception=True)
            incident = Incident.objects.filter(public_id=data.validated_data["incident"]).first()
            services.alert_link_incident(
                actor=user, alert=alert, incident=incident, request=http_request(request)
            )
            body = _fresh_body(user, alert)
        return Response(body, status=status.HTTP_201_CREATED)
