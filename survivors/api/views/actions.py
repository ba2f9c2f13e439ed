"""Operations on one case: assign, consent ledger, who has access, grants, break-glass, erasure.
Each is a `CaseOperationView`: the skeleton (case, refusal, body, service, answer) is the base's,
the class says which use case it is and how it answers."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from crsv.accounts.models import User
from crsv.api_schema import from_body, from_path, link
from survivors import selectors, services
from survivors.api import serializers as s
from survivors.api.base import (
    R400,
    R401,
    R403_SENIOR,
    R404,
    TAGS,
    CaseOperationView,
    actor,
    case_body,
    http_request,
)
from survivors.api.views.cases import CONSENT_ERROR_RENAMES
from survivors.models import Survivor
from survivors.permissions import CaseAction

_403_CONSENT = OpenApiResponse(description="You can see the case but may not record its consent.")


def _withdraw_link(pointer: str) -> dict[str, Any]:
    """An OpenAPI link to withdrawing the consent whose public id is at `pointer`."""
    return link(
        "survivors_consents_withdraw",
        "Withdraw this consent.",
        public_id=from_path("public_id"),
        consent_id=from_body(pointer),
    )


def _post_schema(operation_id: str, summary: str, **kwargs: Any) -> Any:
    return extend_schema_view(
        post=extend_schema(operation_id=operation_id, summary=summary, tags=TAGS, **kwargs)
    )


@_post_schema(
    "survivors_assign",
    "Assign a case to a WPA",
    request=s.SurvivorAssignInput,
    responses={
        200: s.SurvivorDetailOutput,
        400: R400,
        401: R401,
        403: OpenApiResponse(description="Only a senior WPA of the case's mission may assign it."),
        404: R404,
    },
)
class SurvivorAssignView(CaseOperationView):
    action = CaseAction.ASSIGN
    input_serializer = s.SurvivorAssignInput

    def perform(self, request: Request, survivor: Survivor, values: dict[str, Any], **kwargs: Any) -> Any:
        services.survivor_assign(
            actor=actor(request),
            survivor=survivor,
            assignee=values["assignee"],
            request=http_request(request),
        )
        return case_body(request, survivor.public_id)


@_post_schema(
    "survivors_consents_create",
    "Record a consent given",
    description=(
        "Appends a grant to the ledger. A referral consent may name a `provider` of the directory "
        "by its `public_id` (null: any provider of the service type); a consent to share "
        "identifiable data must name one. 400 on `provider` when it is unknown, inactive, does "
        "not offer the service type, is missing for sharing, or is given for another purpose."
    ),
    request=s.ConsentGrantInput,
    responses={201: s.ConsentEntryOutput, 400: R400, 401: R401, 403: _403_CONSENT, 404: R404},
)
class ConsentCollectionView(CaseOperationView):
    http_method_names = ["get", "post", "options"]
    openapi_links = {
        "get": {"200": {"WithdrawConsent": _withdraw_link("/results/0/public_id")}},
        "post": {"201": {"WithdrawConsent": _withdraw_link("/public_id")}},
    }
    error_field_renames = CONSENT_ERROR_RENAMES
    action = CaseAction.RECORD_CONSENT
    input_serializer = s.ConsentGrantInput
    success_status = status.HTTP_201_CREATED

    @extend_schema(
        operation_id="survivors_consents_list",
        summary="A case's consent ledger",
        description="Newest first. The ledger holds no identifying data.",
        responses={200: s.ConsentLedgerOutput, 401: R401, 404: R404},
        tags=TAGS,
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        survivor = selectors.survivor_get(user=actor(request), public_id=public_id)
        entries = selectors.consent_list(user=actor(request), survivor=survivor)
        return Response(s.ConsentLedgerOutput({"results": entries}).data)

    def perform(self, request: Request, survivor: Survivor, values: dict[str, Any], **kwargs: Any) -> Any:
        consent = services.consent_record(
            actor=actor(request), survivor=survivor, request=http_request(request), **values
        )
        return s.ConsentEntryOutput(
            selectors.consent_get(user=actor(request), survivor=survivor, public_id=consent.public_id)
        ).data


@_post_schema(
    "survivors_consents_withdraw",
    "Withdraw a consent",
    description="Appends the withdrawal to the ledger; it takes effect on the next request.",
    request=None,
    responses={
        201: s.ConsentEntryOutput,
        400: R400,
        401: R401,
        403: _403_CONSENT,
        404: OpenApiResponse(description="No such case or consent, or not one you can see."),
    },
)
class ConsentWithdrawView(CaseOperationView):
    success_status = status.HTTP_201_CREATED

    def perform(self, request: Request, survivor: Survivor, values: dict[str, Any], **kwargs: Any) -> Any:
        user = actor(request)
        grant = selectors.consent_get(user=user, survivor=survivor, public_id=kwargs["consent_id"])
        withdrawal = services.consent_withdraw(actor=user, consent=grant, request=http_request(request))
        return s.ConsentEntryOutput(
            selectors.consent_get(user=user, survivor=survivor, public_id=withdrawal.public_id)
        ).data


class SurvivorAccessView(CaseOperationView):
    http_method_names = ["get", "options"]
    action = CaseAction.VIEW_ACCESS

    @extend_schema(
        operation_id="survivors_access",
        summary="Who has access to a case, and why",
        description=(
            "Who may read the identifying fields now: the assigned WPA, the registrar while no WPA "
            "has the case, each live grant and each live break-glass. No survivor data in it."
        ),
        responses={200: s.CaseAccessOutput, 401: R401, 403: R403_SENIOR, 404: R404},
        tags=TAGS,
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        survivor = self.case(request, public_id)
        entries = selectors.survivor_access(user=actor(request), survivor=survivor)
        return Response(s.CaseAccessOutput({"results": entries}).data)


@_post_schema(
    "survivors_grants_create",
    "Give a WPA or a reporter access to a case",
    description="Takes effect on the grantee's next request; an expiry, once passed, too.",
    request=s.GrantInput,
    responses={201: s.GrantOutput, 400: R400, 401: R401, 403: R403_SENIOR, 404: R404},
)
class SurvivorGrantView(CaseOperationView):
    action = CaseAction.GRANT
    openapi_links = {
        "post": {
            "201": {
                "RevokeGrant": link(
                    "survivors_grants_revoke",
                    "End this grant.",
                    public_id=from_path("public_id"),
                    username=from_body("/grantee"),
                )
            }
        }
    }
    input_serializer = s.GrantInput
    success_status = status.HTTP_201_CREATED

    def input_context(self, request: Request, survivor: Survivor) -> dict[str, Any]:
        return {"candidates": selectors.survivor_grant_candidates(user=actor(request), survivor=survivor)}

    def perform(self, request: Request, survivor: Survivor, values: dict[str, Any], **kwargs: Any) -> Any:
        grant = services.survivor_grant(
            actor=actor(request), survivor=survivor, request=http_request(request), **values
        )
        return s.GrantOutput(grant).data


@_post_schema(
    "survivors_grants_revoke",
    "End a grant now",
    description="The grantee's next request no longer finds the case.",
    request=None,
    responses={
        204: None,
        400: R400,
        401: R401,
        403: R403_SENIOR,
        404: OpenApiResponse(description="No such case or user, or not a case you can see."),
    },
)
class SurvivorRevokeView(CaseOperationView):
    action = CaseAction.REVOKE
    success_status = status.HTTP_204_NO_CONTENT

    def perform(self, request: Request, survivor: Survivor, values: dict[str, Any], **kwargs: Any) -> Any:
        grantee = User.objects.filter(username=kwargs["username"]).first()
        if grantee is None:
            raise NotFound()
        services.survivor_revoke(
            actor=actor(request), survivor=survivor, grantee=grantee, request=http_request(request)
        )
        return None


@_post_schema(
    "survivors_break_glass",
    "Open a case outside your grants (break-glass)",
    description=(
        "For a senior WPA of the mission, with a stated reason: the case's identifying fields "
        "become readable to you for a limited time. Audited, and shown with the reason to the "
        "other senior WPAs of the mission. Refused (400) on a case you can already identify. "
        "Then GET the case."
    ),
    request=s.BreakGlassInput,
    responses={201: s.BreakGlassOutput, 400: R400, 401: R401, 403: R403_SENIOR, 404: R404},
)
class SurvivorBreakGlassView(CaseOperationView):
    action = CaseAction.BREAK_GLASS
    input_serializer = s.BreakGlassInput
    success_status = status.HTTP_201_CREATED

    def perform(self, request: Request, survivor: Survivor, values: dict[str, Any], **kwargs: Any) -> Any:
        access = services.survivor_break_glass(
            actor=actor(request), survivor=survivor, reason=values["reason"], request=http_request(request)
        )
        return s.BreakGlassOutput(access).data


@_post_schema(
    "survivors_erase",
    "Erase a case (crypto-shredding)",
    description=(
        "Destroys the case's data key and search entries: every identifying field becomes "
        "unreadable for good. The code, the non-identifying profile and the statistics remain. "
        "Cannot be undone."
    ),
    request=s.EraseInput,
    responses={
        200: s.SurvivorDetailOutput,
        400: R400,
        401: R401,
        403: OpenApiResponse(
            description="Not a senior WPA of the case's mission, or the case is already erased."
        ),
        404: R404,
    },
)
class SurvivorEraseView(CaseOperationView):
    action = CaseAction.ERASE
    input_serializer = s.EraseInput

    def perform(self, request: Request, survivor: Survivor, values: dict[str, Any], **kwargs: Any) -> Any:
        services.survivor_erase(
            actor=actor(request), survivor=survivor, reason=values["reason"], request=http_request(request)
        )
        return case_body(request, survivor.public_id)
