"""The case list, intake, a case (read, edit) and search."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from crsv.audit.models import AccessEvent
from crsv.pagination import BadCursor
from survivors import selectors, services
from survivors.api import serializers as s
from survivors.api.base import (
    R400,
    R401,
    R403_ROLE,
    R404,
    TAGS,
    CaseOperationView,
    HasSurvivorRole,
    SurvivorAPIView,
    actor,
    case_body,
    case_links,
    django_errors,
    http_request,
)
from survivors.identity import SurvivorIdentity
from survivors.models import ENCRYPTED_FIELDS, Survivor
from survivors.permissions import CaseAction
from survivors.services import PROFILE_FIELDS, ConsentGrant, IntakeConsentErrors, SurvivorProfile

CONSENT_ERROR_RENAMES = {"consent_text": "consent_text_version"}
PAGE_SIZE = selectors.PAGE_SIZE
SEARCH_LIMIT = 50
# A real cursor is about 100 characters; anything much longer is not decoded at all.
_MAX_CURSOR_LENGTH = 256


def _page(request: Request, assignment: str) -> selectors.CasePage:
    """One page of the list after `?cursor=` (absent: the first page), or 400 for a cursor this
    API did not make (an empty one included). The cursor is never echoed."""
    raw_cursor = request.query_params.get("cursor")
    invalid = ValidationError({"cursor": [_("Invalid cursor.")]})
    if raw_cursor is not None and not 0 < len(raw_cursor) <= _MAX_CURSOR_LENGTH:
        raise invalid
    try:
        return selectors.survivor_page(user=actor(request), assignment=assignment, cursor=raw_cursor)
    except BadCursor as exc:
        raise invalid from exc


class SurvivorCollectionView(SurvivorAPIView):
    permission_classes = [IsAuthenticated, HasSurvivorRole]
    openapi_links = {
        "get": {"200": case_links("/results/0/public_id")},
        "post": {"201": case_links("/public_id")},
    }

    @extend_schema(
        operation_id="survivors_list",
        summary="List cases",
        description=(
            f"The cases you can see, newest first, {PAGE_SIZE} per page. Names appear only on rows whose "
            "survivor you may identify; each name returned is recorded in the access log."
        ),
        parameters=[s.SurvivorListQuery],
        responses={200: s.SurvivorPageOutput, 400: R400, 401: R401, 403: R403_ROLE},
        tags=TAGS,
    )
    @sensitive_variables()
    def get(self, request: Request) -> Response:
        query = s.SurvivorListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        with transaction.atomic():
            page = _page(request, query.validated_data["assignment"])
            names = selectors.survivor_names_reveal(
                user=actor(request),
                survivors=page.rows,
                kind=AccessEvent.Kind.API,
                request=http_request(request),
            )
            body = s.SurvivorPageOutput(
                {"next": page.next_cursor, "results": page.rows}, context={"names": names}
            ).data
        return Response(body)

    @extend_schema(
        operation_id="survivors_create",
        summary="Register a case",
        description=(
            "Registers the case and records the consents given, all or nothing. A WPA who registers "
            "a case owns it; a reporter's case waits for a WPA. The response reveals the case to "
            "its registrar (recorded in the access log)."
        ),
        request=s.SurvivorCreateInput,
        responses={
            201: s.SurvivorDetailOutput,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="Your role may not register cases or record consent."),
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request) -> Response:
        data = s.SurvivorCreateInput(data=request.data, context={"user": actor(request)})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():
            try:
                survivor = services.survivor_intake(
                    actor=actor(request),
                    field_office=values["field_office"],
                    incident=values["incident"],
                    identity=SurvivorIdentity(**{name: values[name] for name in ENCRYPTED_FIELDS}),
                    profile=SurvivorProfile(**{name: values[name] for name in PROFILE_FIELDS}),
                    consents=[ConsentGrant(**grant) for grant in values.get("consents", [])],
                    request=http_request(request),
                )
            except IntakeConsentErrors as refused:
                # As DRF 3.18 reports a list's errors: `{"consents": {"1": {"given_by": [...]}}}`.
                by_index = {
                    str(i): django_errors(e, CONSENT_ERROR_RENAMES) for i, e in refused.by_index.items()
                }
                raise ValidationError({"consents": by_index}) from refused
            body = case_body(request, survivor.public_id)
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    patch=extend_schema(
        operation_id="survivors_partial_update",
        summary="Edit a case",
        description="Fields not sent keep their value. Only the case's owner may edit it.",
        request=s.SurvivorUpdateInput(partial=True),
        responses={
            200: s.SurvivorDetailOutput,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="You can see the case but may not edit it."),
            404: R404,
        },
        tags=TAGS,
    )
)
class SurvivorDetailView(CaseOperationView):
    http_method_names = ["get", "patch", "options"]
    action = CaseAction.EDIT
    input_serializer = s.SurvivorUpdateInput
    partial = True
    openapi_links = {"get": {"200": case_links("/public_id")}, "patch": {"200": case_links("/public_id")}}

    @extend_schema(
        operation_id="survivors_retrieve",
        summary="Get a case",
        description=(
            "The identifying fields and linked incidents appear only if you may identify the survivor "
            "(and the case is not erased); returning them is recorded in the access log."
        ),
        responses={200: s.SurvivorDetailOutput, 401: R401, 404: R404},
        tags=TAGS,
    )
    @sensitive_variables()
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        with transaction.atomic():
            body = case_body(request, public_id)
        return Response(body)

    def patch(self, request: Request, public_id: uuid.UUID) -> Response:
        return self.operate(request, public_id)

    def perform(self, request: Request, survivor: Survivor, values: dict[str, Any], **kwargs: Any) -> Any:
        services.survivor_edit(
            actor=actor(request), survivor=survivor, changes=values, request=http_request(request)
        )
        return case_body(request, survivor.public_id)


class SurvivorSearchView(SurvivorAPIView):
    """POST only: a name or phone number must never sit in a URL (proxy and server logs)."""

    http_method_names = ["post", "options"]
    permission_classes = [IsAuthenticated, HasSurvivorRole]
    openapi_links = {"post": {"200": case_links("/results/0/public_id")}}

    @extend_schema(
        operation_id="survivors_search",
        summary="Search cases by code, exact name or phone",
        description=(
            f"Within the cases you can see, newest first, at most {SEARCH_LIMIT}. A name or phone "
            "number is looked up (through a blind index) only among the cases you may identify. "
            "Names appear only on rows you may identify; each one returned is recorded in the "
            "access log."
        ),
        request=s.SearchInput,
        responses={200: s.SearchOutput, 400: R400, 401: R401, 403: R403_ROLE},
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request) -> Response:
        data = s.SearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            rows, names = selectors.survivor_search_reveal(
                user=actor(request), limit=SEARCH_LIMIT, request=http_request(request), **data.validated_data
            )
            body = s.SearchOutput({"results": rows}, context={"names": names}).data
        return Response(body)
