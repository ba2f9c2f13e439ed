"""The service directory in the API: /api/v1/providers/... (issue 10 item 1): not survivor data,
for the roles that refer (WPAs, senior WPAs) and the admins who manage it."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from crsv.api import actor
from crsv.api_schema import from_body, link
from crsv.pagination import BadCursor, cursor_error
from referrals import selectors
from referrals.api import serializers as s
from referrals.api.base import (
    DIRECTORY_TAGS,
    R400,
    R401,
    R403_DIRECTORY,
    CanBrowseDirectory,
    ReferralAPIView,
)
from referrals.api.views import next_link
from referrals.selectors import DirectoryFlags

R404_PROVIDER = OpenApiResponse(description="No such provider (or, for all but admins, an inactive one).")
_FLAGS = tuple(DirectoryFlags.__dataclass_fields__)


class ProviderCollectionView(ReferralAPIView):
    http_method_names = ["get", "options"]
    permission_classes = [IsAuthenticated, CanBrowseDirectory]
    openapi_links = {
        "get": {
            "200": {
                "GetProvider": link(
                    "providers_retrieve", "A provider.", public_id=from_body("/results/0/public_id")
                )
            }
        }
    }

    @extend_schema(
        operation_id="providers_list",
        summary="List the service directory",
        description=(
            f"Active providers by name, {selectors.PAGE_SIZE} per page; follow `next`. Filters: a "
            "service type, a field office served (its code), a location covered (the place or one "
            "above it), and flags (each true: only providers that have it). Unknown parameters are "
            "refused."
        ),
        parameters=[s.ProviderListQuery],
        responses={200: s.ProviderPageOutput, 400: R400, 401: R401, 403: R403_DIRECTORY},
        tags=DIRECTORY_TAGS,
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        query = s.ProviderListQuery(data=request.query_params, context={"user": user})
        query.is_valid(raise_exception=True)
        values = query.validated_data
        try:
            page = selectors.provider_page(
                user=user,
                cursor=values.get("cursor"),
                size=selectors.PAGE_SIZE,
                service_type=values.get("service_type", ""),
                office=values.get("office"),
                location=values.get("location"),
                flags=DirectoryFlags(**{flag: values[flag] for flag in _FLAGS}),
                include_inactive=values["include_inactive"],
            )
        except BadCursor as error:
            raise cursor_error() from error
        rows = s.ProviderOutput(page.rows, many=True).data
        return Response({"next": next_link(request, page.next_cursor), "results": rows})


class ProviderDetailView(ReferralAPIView):
    http_method_names = ["get", "options"]
    permission_classes = [IsAuthenticated, CanBrowseDirectory]

    @extend_schema(
        operation_id="providers_retrieve",
        summary="Get a provider of the directory",
        description="An inactive provider is found by admins only.",
        responses={200: s.ProviderDetailOutput, 401: R401, 403: R403_DIRECTORY, 404: R404_PROVIDER},
        tags=DIRECTORY_TAGS,
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        provider = selectors.provider_get(user=actor(request), public_id=public_id)
        return Response(s.ProviderDetailOutput(provider).data)
