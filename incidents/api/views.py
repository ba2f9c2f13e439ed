"""The incidents API: /api/v1/incidents/... and the reference data (issue 3, item 9).

Thin views: a selector resolves the incident (out of scope: 404) and reads what is shown
(the narrative only through `selectors.incident_narrative`, the history only through
`selectors.incident_history`); a service writes and says 403, 409 or 400 (see `base.py`).
The list GET renders `selectors.incident_page` (typed rows, already redacted), still
behind DRF's authentication and permissions, written with orjson.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from django.db import transaction
from django.http import Http404, HttpResponse
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from crsv.accounts.models import User
from crsv.api_schema import from_body, link
from crsv.pagination import BadCursor, Keyset, cursor_error, keyset_page
from incidents import permissions, selectors, services
from incidents.api import schema as _schema  # noqa: F401  (registers the OpenAPI enum names)
from incidents.api import serializers as s
from incidents.api.base import (
    R400,
    R401,
    R403_ROLE,
    R404,
    R409,
    REFERENCE_TAGS,
    TAGS,
    CanListIncidents,
    IncidentAPIView,
    actor,
    http_request,
)
from incidents.models import Incident, Location
from incidents.selectors import IncidentFilters
from incidents.services import PerpetratorData, ViolationData
from incidents.workflow import Action

LOCATION_PAGE_SIZE = 500

_RESTRICTED_NOTE = (
    "Restricted details (`narrative`, `latitude`, `longitude`, and each perpetrator's `unit`, "
    "`commander` and `names`) are absent from the body (the keys are left out, not null) when you "
    "may not see them; the location is then coarsened to admin level 2."
)


# A list item for a user who sees no references.
# OpenAPI links: from a list or an incident to the incident and its operations.
def _links(pointer: str) -> dict[str, Any]:
    public_id = from_body(pointer)
    return {
        "GetIncident": link("incidents_retrieve", "The incident.", public_id=public_id),
        "UpdateIncident": link("incidents_partial_update", "Edit the incident.", public_id=public_id),
        "TransitionIncident": link(
            "incidents_transition", "Move it through the workflow.", public_id=public_id
        ),
        "IncidentHistory": link("incidents_history", "Its history.", public_id=public_id),
    }


_ITEM_WITHOUT_REFERENCE = tuple(name for name in selectors.ROW_FIELDS if name != "reference")
# The locations' pages, by p-code.
_LOCATIONS_BY_PCODE = Keyset.of(Location, ["pcode"])


def _json(body: Any) -> HttpResponse:
    return HttpResponse(orjson.dumps(body, option=orjson.OPT_UTC_Z), content_type="application/json")


def _next_link(request: Request, cursor: str) -> str:
    return replace_query_param(request.build_absolute_uri(), "cursor", cursor)


@sensitive_variables()
def detail_body(user: User, incident: Incident) -> dict[str, Any]:
    """The detail representation of an incident from `selectors.incident_get` (already redacted
    for a user who may not see its restricted details)."""
    context = {
        "user": user,
        "narrative": selectors.incident_narrative(user=user, incident=incident),
        "permissions": permissions.incident_permissions(user, incident),
    }
    return dict(s.IncidentDetailOutput(incident, context=context).data)


def _service_arguments(values: dict[str, Any]) -> dict[str, Any]:
    """Validated `IncidentInput` data as the services' keyword arguments."""
    arguments = {name: value for name, value in values.items() if name not in s.IncidentInput.CHILD_FIELDS}
    if "violations" in values:
        arguments["violations"] = [ViolationData(**row) for row in values["violations"]]
    if "perpetrators" in values:
        arguments["perpetrators"] = [PerpetratorData(**row) for row in values["perpetrators"]]
    return arguments


class IncidentCollectionView(IncidentAPIView):
    http_method_names = ["get", "post", "options"]
    permission_classes = [IsAuthenticated, CanListIncidents]
    openapi_links = {"get": {"200": _links("/results/0/public_id")}, "post": {"201": _links("/public_id")}}

    @extend_schema(
        operation_id="incidents_list",
        summary="List incidents",
        description=(
            f"The incidents you can see, {selectors.PAGE_SIZE} per page, newest first unless `ordering` "
            "says otherwise; follow `next` for the next page (no total count). Unknown parameters, a "
            "location finer than admin level 2 for analysts and reporters, and for analysts the "
            "reference (search or ordering), are refused with a field error. Rows "
            "never carry the narrative, coordinates or perpetrator identification; the location is "
            "coarsened to admin level 2 on rows whose exact place you may not see."
        ),
        parameters=[s.IncidentListQuery],
        responses={200: s.IncidentPageOutput, 400: R400, 401: R401, 403: R403_ROLE},
        tags=TAGS,
    )
    def get(self, request: Request) -> HttpResponse:
        user = actor(request)
        if request.query_params:
            query = s.IncidentListQuery(data=request.query_params, context={"user": user})
            query.is_valid(raise_exception=True)
            filters, ordering = query.filters(), query.validated_data["ordering"]
            cursor = query.validated_data.get("cursor")
        else:  # nothing to validate: IncidentListQuery's defaults (a test keeps them in step)
            filters, ordering, cursor = IncidentFilters(), s.IncidentListQuery.DEFAULT_ORDERING, None
        page = selectors.incident_page(
            user=user, filters=filters, ordering=ordering, cursor=cursor, size=selectors.PAGE_SIZE
        )
        next_link = _next_link(request, page.next_cursor) if page.next_cursor else None
        rows: list[Any] = page.rows  # orjson writes the rows' dataclasses as they are
        if not page.shows_references:  # as IncidentListItemOutput: the key is absent
            rows = [{name: getattr(row, name) for name in _ITEM_WITHOUT_REFERENCE} for row in page.rows]
        return _json({"next": next_link, "results": rows})

    @extend_schema(
        operation_id="incidents_create",
        summary="Log an incident (draft)",
        description=(
            "Creates a draft in one of your field offices; submit it with POST .../transitions/. "
            "A draft may be incomplete, but what it holds must be valid. Derived fields "
            "(`reporting_delay_band`, `gbvims_core_type`, `is_sea`, `is_late_verification`) and "
            "workflow fields (`status`, `verification_*`, `reference`, `assigned_wpa`, ...) are "
            "refused with a field error, as is any unknown field."
        ),
        request=s.IncidentCreateInput,
        responses={
            201: s.IncidentDetailOutput,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="Your role may not log incidents."),
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request) -> Response:
        user = actor(request)
        services.incident_create_authorize(actor=user)  # 403 before anything about the body
        data = s.IncidentCreateInput(data=request.data, context={"user": user})
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            incident = services.incident_create(
                actor=user, request=http_request(request), **_service_arguments(dict(data.validated_data))
            )
            body = detail_body(user, selectors.incident_get(user=user, public_id=incident.public_id))
        return Response(body, status=status.HTTP_201_CREATED)


class IncidentDetailView(IncidentAPIView):
    http_method_names = ["get", "patch", "options"]
    openapi_links = {"get": {"200": _links("/public_id")}, "patch": {"200": _links("/public_id")}}

    @extend_schema(
        operation_id="incidents_retrieve",
        summary="Get an incident",
        description=_RESTRICTED_NOTE,
        responses={200: s.IncidentDetailOutput, 401: R401, 404: R404},
        tags=TAGS,
    )
    @sensitive_variables()
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        return Response(detail_body(user, selectors.incident_get(user=user, public_id=public_id)))

    @extend_schema(
        operation_id="incidents_partial_update",
        summary="Edit a draft or returned incident",
        description=(
            "Only the incident's reporter, while it is a draft or returned. Fields not sent keep "
            "their value; a list of `violations` or `perpetrators` replaces the incident's. A returned "
            "incident must stay complete. Derived, workflow and unknown fields are refused. "
            + _RESTRICTED_NOTE
        ),
        request=s.IncidentUpdateInput,
        responses={
            200: s.IncidentDetailOutput,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="You can see the incident but are not its reporter."),
            404: R404,
            409: R409,
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def patch(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            incident = selectors.incident_get(user=user, public_id=public_id)
            # 403, then 409, before any complaint about the body (the service asks again on its
            # locked row); the edit page asks the same before showing its form.
            services.incident_step_authorize(actor=user, incident=incident, action=Action.UPDATE)
            data = s.IncidentUpdateInput(data=request.data, context={"user": user})
            data.is_valid(raise_exception=True)
            services.incident_update(
                actor=user,
                incident=incident,
                request=http_request(request),
                **_service_arguments(dict(data.validated_data)),
            )
            body = detail_body(user, selectors.incident_get(user=user, public_id=public_id))
        return Response(body)


class IncidentTransitionView(IncidentAPIView):
    http_method_names = ["post", "options"]
    openapi_links = {"post": {"200": _links("/public_id")}}

    @extend_schema(
        operation_id="incidents_transition",
        summary="Move an incident through the workflow",
        description=(
            "`submit` (its reporter; draft or returned), `assign` (`assignee`), `return` (`reason`), "
            "`verify` (`outcome`, `method`, `verified_on`; closes the incident) and `reopen` "
            "(`reason`; a senior WPA, closed incidents). A field the action does not use is refused. "
            "Checked in this order, as on the detail page: 404, 403, 409, then the fields (400). "
            "Answers with the incident as it now is, or 204 when it has left your view (an incident "
            "of a UN-personnel perpetrator, once submitted, is seen by senior WPAs only). " + _RESTRICTED_NOTE
        ),
        request=s.TransitionInput,
        responses={
            200: s.IncidentDetailOutput,
            204: OpenApiResponse(description="Done; the incident is no longer one you can see."),
            400: R400,
            401: R401,
            403: OpenApiResponse(description="You can see the incident but your role may not do this."),
            404: R404,
            409: R409,
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            incident = selectors.incident_get(user=user, public_id=public_id)
            which = s.TransitionActionInput(data=request.data)
            which.is_valid(raise_exception=True)

            def read() -> services.TransitionInputs:  # called once the action is allowed
                data = s.TransitionInput(data=request.data)
                data.is_valid(raise_exception=True)
                values = {name: value for name, value in data.validated_data.items() if name != "action"}
                return services.TransitionInputs(**values)

            services.incident_transition(
                actor=user,
                incident=incident,
                action=which.validated_data["action"],
                inputs=read,
                request=http_request(request),
            )
            try:
                body = detail_body(user, selectors.incident_get(user=user, public_id=public_id))
            except Http404:
                return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(body)


class IncidentHistoryView(IncidentAPIView):
    http_method_names = ["get", "options"]

    @extend_schema(
        operation_id="incidents_history",
        summary="An incident's history",
        description="Oldest first. Reasons (for returning, reopening) appear only if you may read the "
        "narrative; the key is absent otherwise.",
        responses={200: s.HistoryOutput, 401: R401, 404: R404},
        tags=TAGS,
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        incident = selectors.incident_get(user=user, public_id=public_id)
        entries = selectors.incident_history(user=user, incident=incident)
        return Response(s.HistoryOutput({"results": entries}).data)


class LocationListView(IncidentAPIView):
    http_method_names = ["get", "options"]
    permission_classes = [IsAuthenticated, CanListIncidents]

    @extend_schema(
        operation_id="locations_list",
        summary="List locations",
        description=(
            f"By p-code, {LOCATION_PAGE_SIZE} per page; follow `next`. Analysts (who do not also log "
            "incidents) see admin levels 1 and 2 only."
        ),
        parameters=[s.LocationListQuery],
        responses={200: s.LocationPageOutput, 400: R400, 401: R401, 403: R403_ROLE},
        tags=REFERENCE_TAGS,
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        query = s.LocationListQuery(data=request.query_params, context={"user": user})
        query.is_valid(raise_exception=True)
        values = query.validated_data
        rows = selectors.location_list(
            user=user, parent=values.get("parent"), admin_level=values.get("admin_level")
        )
        try:
            page = keyset_page(
                rows, cursor=values.get("cursor"), size=LOCATION_PAGE_SIZE, keyset=_LOCATIONS_BY_PCODE
            )
        except BadCursor as error:
            raise cursor_error() from error
        next_link = _next_link(request, page.next_cursor) if page.next_cursor else None
        return Response(s.LocationPageOutput({"next": next_link, "results": page.rows}).data)


class PartyListView(IncidentAPIView):
    http_method_names = ["get", "options"]
    permission_classes = [IsAuthenticated, CanListIncidents]

    @extend_schema(
        operation_id="parties_list",
        summary="List parties to the conflict",
        description="The active parties, by name.",
        responses={200: s.PartyListOutput, 401: R401, 403: R403_ROLE},
        tags=REFERENCE_TAGS,
    )
    def get(self, request: Request) -> Response:
        return Response(s.PartyListOutput({"results": list(selectors.party_list())}).data)
