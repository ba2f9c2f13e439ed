"""The referrals API: /api/v1/referrals/... (issue 10 item 7).

Thin views: a selector resolves the referral (out of scope: 404) and reads what is shown, as
the user's view: the case worker's full one, or the provider's minimal one (a user holding the
provider role always reads that one: the narrower view wins); a service writes and says 403,
409 or 400 (see `base.py`). A body that reveals the safe contact details is built inside the
request's transaction, so its access event and the answer commit (or fail) together.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from crsv.api import actor, http_request
from crsv.api_schema import from_body, link
from crsv.audit.models import AccessEvent
from crsv.pagination import BadCursor, cursor_error
from incidents.api import schema as _schema  # noqa: F401  (registers the OpenAPI enum names)
from referrals import permissions, selectors, services
from referrals.api import serializers as s
from referrals.api.base import (
    R400,
    R401,
    R403_ROLE,
    R404,
    R409,
    TAGS,
    CanSeeReferrals,
    ReferralAPIView,
)
from referrals.services.steps import referral_step_authorize

_GET = link("referrals_retrieve", "The referral.", public_id=from_body("/public_id"))
_TRANSITION = link(
    "referrals_transition", "Move the referral through the workflow.", public_id=from_body("/public_id")
)
_VIEWS = (
    "The body is the view your role reads (`view`): `full` for the case worker (never the "
    "survivor's name), `provider` for a user of the provider it was sent to (the minimum: never the "
    "name, the narrative or the incident; the safe contact details only under a sharing consent "
    "naming your organisation, and each reading of them is recorded in the access log)."
)


def next_link(request: Request, cursor: str | None) -> str | None:
    return replace_query_param(request.build_absolute_uri(), "cursor", cursor) if cursor else None


@sensitive_variables()
def referral_body(request: Request, public_id: uuid.UUID) -> dict[str, Any]:
    """The detail representation of a referral for the signed-in user, read afresh (after a
    write too). Call inside the transaction that answers the request."""
    user = actor(request)
    referral = selectors.referral_get(user=user, public_id=public_id)
    actions = permissions.actions_available(user, referral)
    if permissions.reads_as_provider(user):
        view = selectors.provider_referral_get(
            user=user, public_id=public_id, request=http_request(request), kind=AccessEvent.Kind.API
        )
        return dict(s.ProviderReferralDetailOutput(view, context={"actions": actions}).data)
    context = {
        "now": timezone.now(),
        "history": list(selectors.referral_history(referral=referral)),
        "actions": actions,
    }
    return dict(s.ReferralDetailOutput(referral, context=context).data)


class ReferralCollectionView(ReferralAPIView):
    http_method_names = ["get", "post", "options"]
    permission_classes = [IsAuthenticated, CanSeeReferrals]
    openapi_links = {
        "get": {
            "200": {
                "GetReferral": link(
                    "referrals_retrieve", "A referral.", public_id=from_body("/results/0/public_id")
                )
            }
        },
        "post": {
            "201": {
                "GetReferral": _GET,
                "TransitionReferral": _TRANSITION,
                "GetProvider": link(
                    "providers_retrieve", "The provider.", public_id=from_body("/provider/public_id")
                ),
            }
        },
    }

    @extend_schema(
        operation_id="referrals_list",
        summary="List referrals",
        description=(
            f"Newest first, {selectors.PAGE_SIZE} per page; follow `next` (no total count). A WPA sees "
            "the referrals of the cases she may identify, a senior WPA those of her missions' cases, "
            "a user of a provider those sent to her organisation (never a draft), as minimal rows "
            "without contact details. Unknown parameters are refused. " + _VIEWS
        ),
        parameters=[s.ReferralListQuery],
        responses={200: s.ReferralPageOutput, 400: R400, 401: R401, 403: R403_ROLE},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        query = s.ReferralListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = dict(query.validated_data)
        cursor = values.pop("cursor", None)
        filters = {"state": values.get("state", ""), "urgency": values.get("urgency", "")}
        try:
            if permissions.reads_as_provider(user):
                mine = selectors.provider_referral_page(
                    user=user, cursor=cursor, size=selectors.PAGE_SIZE, overdue=values["overdue"], **filters
                )
                rows = s.ProviderReferralRowOutput(mine.rows, many=True).data
                next_cursor = mine.next_cursor
            else:
                page = selectors.referral_page(
                    user=user, cursor=cursor, size=selectors.PAGE_SIZE, overdue=values["overdue"], **filters
                )
                rows = s.ReferralRowOutput(page.rows, many=True, context={"now": timezone.now()}).data
                next_cursor = page.next_cursor
        except BadCursor as error:
            raise cursor_error() from error
        return Response({"next": next_link(request, next_cursor), "results": rows})

    @extend_schema(
        operation_id="referrals_create",
        summary="Refer a case to a provider",
        description=(
            "A WPA of the case (or granted it) or a senior WPA of its mission. Creates a draft, or "
            "sends it at once with `send: true`: the survivor's referral consent for the service type "
            "(naming this provider, or any provider) is checked now, and without it nothing is "
            "created (400 on `consent`). The provider must be active, offer the service and serve "
            "the case's field office; the incident must be linked to the case. Unknown fields and "
            "workflow fields (`state`, `reference`, `due_at`, ...) are refused."
        ),
        request=s.ReferralCreateInput,
        responses={
            201: s.ReferralDetailOutput,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="Your role, or your relation to the case, may not refer it."),
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request) -> Response:
        user = actor(request)
        permissions.referrals_make_authorize(user)
        data = s.ReferralCreateInput(data=request.data, context={"user": user})
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            referral = services.referral_create(
                actor=user, request=http_request(request), **dict(data.validated_data)
            )
            body = referral_body(request, referral.public_id)
        return Response(body, status=status.HTTP_201_CREATED)


class ReferralDetailView(ReferralAPIView):
    http_method_names = ["get", "options"]
    openapi_links = {
        "get": {
            "200": {
                "TransitionReferral": _TRANSITION,
                "ReferAgain": link(
                    "referrals_create",
                    "Refer the same case to the same provider (for another service).",
                    request_body={
                        "survivor": from_body("/survivor/public_id"),
                        "provider": from_body("/provider/public_id"),
                    },
                ),
            }
        }
    }

    @extend_schema(
        operation_id="referrals_retrieve",
        summary="Get a referral",
        description=_VIEWS + " The full view carries the referral's history.",
        responses={200: s.ReferralDetailSchema, 401: R401, 404: R404},
        tags=TAGS,
    )
    @sensitive_variables()
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        with transaction.atomic():
            body = referral_body(request, public_id)
        return Response(body)


class ReferralTransitionView(ReferralAPIView):
    http_method_names = ["post", "options"]
    openapi_links = {"post": {"200": {"GetReferral": _GET}}}

    @extend_schema(
        operation_id="referrals_transition",
        summary="Move a referral through the workflow",
        description=(
            "`send` (the case worker; a draft: checks consent now, 400 on `consent` without it), "
            "`accept`, `decline` (`reason`), `start`, `complete` (`outcome`, optional) (a user of the "
            "provider), `cancel` (`reason`; the case worker). A field the action does not use is "
            "refused. Checked in this order: 404, the action (400), 403, 409, then the fields (400). "
            "Answers with the referral as it now is. " + _VIEWS
        ),
        request=s.ReferralTransitionInput,
        responses={
            200: s.ReferralDetailSchema,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="You can see the referral but may not take this action."),
            404: R404,
            409: R409,
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            referral = selectors.referral_get(user=user, public_id=public_id)
            which = s.ReferralTransitionActionInput(data=request.data)
            which.is_valid(raise_exception=True)
            action = which.validated_data["action"]
            # 403, then 409, before any complaint about the other fields (the dispatcher asks
            # again on its locked row).
            referral_step_authorize(actor=user, referral=referral, action=action)
            data = s.ReferralTransitionInput(data=request.data)
            data.is_valid(raise_exception=True)
            values = {name: value for name, value in data.validated_data.items() if name != "action"}
            services.referral_transition(
                user=user, referral=referral, action=action, data=values, request=http_request(request)
            )
            body = referral_body(request, public_id)
        return Response(body)
