"""The survivor-cases API: /api/v1/survivors/... (issue 4, items 4-6).

Thin views: a selector resolves the case (out of scope → 404), `survivors.permissions` answers
"may she do this to a case she can see" (→ 403), a service writes. Identifying values leave only
through `survivor_names_reveal` / `survivor_reveal`, called inside the same transaction that
builds the response body, so the access events and the body commit (or fail) together.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent
from crsv.pagination import BadCursor, KeysetPage, keyset_page
from survivors import permissions, selectors, services
from survivors.api import serializers as s
from survivors.api.base import HasSurvivorRole, SurvivorAPIView, actor, django_errors, http_request
from survivors.identity import SurvivorIdentity
from survivors.models import ENCRYPTED_FIELDS, Survivor
from survivors.services import PROFILE_FIELDS, SurvivorProfile

TAGS = ["survivors"]
CONSENT_ERROR_RENAMES = {"consent_text": "consent_text_version"}
PAGE_SIZE = 50
SEARCH_LIMIT = 50
# A real cursor is about 100 characters; anything much longer is not decoded at all.
_MAX_CURSOR_LENGTH = 256

_401 = OpenApiResponse(description="Not signed in (send `Authorization: Bearer <token>`).")
_403_ROLE = OpenApiResponse(description="Your role gives no access to survivor cases.")
_404 = OpenApiResponse(description="No such case, or not one you can see.")
_400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Field errors: `{"field": ["message"], "non_field_errors": [...]}`.',
)


@sensitive_variables()
def _detail_body(request: Request, survivor: Survivor) -> dict[str, Any]:
    """The detail representation of a case fetched through `survivor_list` (so it carries the
    `identifying` annotation). Reveals, and logs, the identifying part only if she may read it.
    Call inside the transaction that answers the request."""
    user = actor(request)
    identity = selectors.survivor_reveal(
        user=user, survivor=survivor, kind=AccessEvent.Kind.API, request=http_request(request)
    )
    incidents = selectors.survivor_incidents(user=user, survivor=survivor)
    context = {"identity": identity, "incidents": incidents}
    return dict(s.SurvivorDetailOutput(survivor, context=context).data)


def _survivor_fresh(request: Request, public_id: uuid.UUID) -> Survivor:
    """The case as `survivor_list` returns it (with `identifying`), re-read after a write."""
    return selectors.survivor_get(user=actor(request), public_id=public_id)


def _page(queryset: Any, raw_cursor: str | None) -> KeysetPage[Survivor]:
    """One page of the list after `?cursor=` (absent: the first page), or 400 for a cursor this
    API did not make (an empty one included). The cursor is never echoed."""
    invalid = ValidationError({"cursor": [_("Invalid cursor.")]})
    if raw_cursor is not None and not 0 < len(raw_cursor) <= _MAX_CURSOR_LENGTH:
        raise invalid
    try:
        return keyset_page(queryset, cursor=raw_cursor, size=PAGE_SIZE)
    except BadCursor as exc:
        raise invalid from exc


class SurvivorCollectionView(SurvivorAPIView):
    permission_classes = [IsAuthenticated, HasSurvivorRole]

    @extend_schema(
        operation_id="survivors_list",
        summary="List cases",
        description=(
            f"The cases you can see, newest first, {PAGE_SIZE} per page. Names appear only on rows whose "
            "survivor you may identify; each name returned is recorded in the access log."
        ),
        parameters=[s.SurvivorListQuery],
        responses={200: s.SurvivorPageOutput, 400: _400, 401: _401, 403: _403_ROLE},
        tags=TAGS,
    )
    @sensitive_variables()
    def get(self, request: Request) -> Response:
        user = actor(request)
        query = s.SurvivorListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        cases = selectors.survivor_list(user=user, assignment=query.validated_data["assignment"])
        with transaction.atomic():
            page = _page(cases, request.query_params.get("cursor"))
            names = selectors.survivor_names_reveal(
                user=user, survivors=page.rows, kind=AccessEvent.Kind.API, request=http_request(request)
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
            400: _400,
            401: _401,
            403: OpenApiResponse(description="Your role may not register cases or record consent."),
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request) -> Response:
        user = actor(request)
        data = s.SurvivorCreateInput(data=request.data, context={"user": user})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():
            survivor = services.survivor_register(
                actor=user,
                field_office=values["field_office"],
                incident=values["incident"],
                identity=SurvivorIdentity(**{name: values[name] for name in ENCRYPTED_FIELDS}),
                profile=SurvivorProfile(**{name: values[name] for name in PROFILE_FIELDS}),
                request=http_request(request),
            )
            self._consents_record(request, survivor, values.get("consents", []))
            body = _detail_body(request, _survivor_fresh(request, survivor.public_id))
        return Response(body, status=status.HTTP_201_CREATED)

    @staticmethod
    def _consents_record(request: Request, survivor: Survivor, grants: list[dict[str, Any]]) -> None:
        """Record each grant. Every refusal is reported under its index, as DRF 3.18 reports a
        list's errors (`{"consents": {"1": {"given_by": [...]}}}`), and the caller's transaction
        then rolls the whole registration back. Each `consent_record` runs in its own savepoint,
        so one refusal does not stop the others from being checked."""
        errors: dict[str, dict[str, list[str]]] = {}
        for index, grant in enumerate(grants):
            try:
                services.consent_record(
                    actor=actor(request), survivor=survivor, request=http_request(request), **grant
                )
            except DjangoValidationError as exc:
                errors[str(index)] = django_errors(exc, CONSENT_ERROR_RENAMES)
        if errors:
            raise ValidationError({"consents": errors})


class SurvivorDetailView(SurvivorAPIView):
    http_method_names = ["get", "patch", "options"]

    @extend_schema(
        operation_id="survivors_retrieve",
        summary="Get a case",
        description=(
            "The identifying fields and linked incidents appear only if you may identify the survivor "
            "(and the case is not erased); returning them is recorded in the access log."
        ),
        responses={200: s.SurvivorDetailOutput, 401: _401, 404: _404},
        tags=TAGS,
    )
    @sensitive_variables()
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        with transaction.atomic():
            body = _detail_body(request, _survivor_fresh(request, public_id))
        return Response(body)

    @extend_schema(
        operation_id="survivors_partial_update",
        summary="Edit a case",
        description="Fields not sent keep their value. Only the case's owner may edit it.",
        request=s.SurvivorUpdateInput(partial=True),
        responses={
            200: s.SurvivorDetailOutput,
            400: _400,
            401: _401,
            403: OpenApiResponse(description="You can see the case but may not edit it."),
            404: _404,
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def patch(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            survivor = _survivor_fresh(request, public_id)
            # 403 before looking at the body: she may not edit, whatever she sent.
            if not permissions.can_edit(user, survivor):
                raise PermissionDenied(_("You may not edit this case."))
            data = s.SurvivorUpdateInput(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            services.survivor_edit(
                actor=user, survivor=survivor, changes=data.validated_data, request=http_request(request)
            )
            body = _detail_body(request, _survivor_fresh(request, public_id))
        return Response(body)


class SurvivorAssignView(SurvivorAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="survivors_assign",
        summary="Assign a case to a WPA",
        request=s.SurvivorAssignInput,
        responses={
            200: s.SurvivorDetailOutput,
            400: _400,
            401: _401,
            403: OpenApiResponse(description="Only a senior WPA of the case's mission may assign it."),
            404: _404,
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            survivor = _survivor_fresh(request, public_id)
            if not permissions.can_assign(user, survivor):
                raise PermissionDenied(_("Only a senior WPA of the mission may assign cases."))
            data = s.SurvivorAssignInput(data=request.data)
            data.is_valid(raise_exception=True)
            assignee = User.objects.filter(username=data.validated_data["assignee"], is_active=True).first()
            if assignee is None:
                raise ValidationError({"assignee": [_("Choose a WPA of the case's field office.")]})
            services.survivor_assign(
                actor=user, survivor=survivor, assignee=assignee, request=http_request(request)
            )
            body = _detail_body(request, _survivor_fresh(request, public_id))
        return Response(body)


class ConsentCollectionView(SurvivorAPIView):
    http_method_names = ["get", "post", "options"]
    error_field_renames = CONSENT_ERROR_RENAMES

    @extend_schema(
        operation_id="survivors_consents_list",
        summary="A case's consent ledger",
        description="Newest first. The ledger holds no identifying data.",
        responses={200: s.ConsentLedgerOutput, 401: _401, 404: _404},
        tags=TAGS,
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        survivor = _survivor_fresh(request, public_id)
        entries = selectors.consent_list(user=user, survivor=survivor)
        return Response(s.ConsentLedgerOutput({"results": entries}).data)

    @extend_schema(
        operation_id="survivors_consents_create",
        summary="Record a consent given",
        request=s.ConsentGrantInput,
        responses={
            201: s.ConsentEntryOutput,
            400: _400,
            401: _401,
            403: OpenApiResponse(description="You can see the case but may not record its consent."),
            404: _404,
        },
        tags=TAGS,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            survivor = _survivor_fresh(request, public_id)
            if not permissions.can_record_consent(user, survivor):
                raise PermissionDenied(_("You may not record consent for this case."))
            data = s.ConsentGrantInput(data=request.data)
            data.is_valid(raise_exception=True)
            consent = services.consent_record(
                actor=user, survivor=survivor, request=http_request(request), **data.validated_data
            )
            entry = selectors.consent_get(user=user, survivor=survivor, public_id=consent.public_id)
            body = s.ConsentEntryOutput(entry).data
        return Response(body, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(SurvivorAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="survivors_consents_withdraw",
        summary="Withdraw a consent",
        description="Appends the withdrawal to the ledger; it takes effect on the next request.",
        request=None,
        responses={
            201: s.ConsentEntryOutput,
            400: _400,
            401: _401,
            403: OpenApiResponse(description="You can see the case but may not record its consent."),
            404: OpenApiResponse(description="No such case or consent, or not one you can see."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, public_id: uuid.UUID, consent_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            survivor = _survivor_fresh(request, public_id)
            grant = selectors.consent_get(user=user, survivor=survivor, public_id=consent_id)
            if not permissions.can_record_consent(user, survivor):
                raise PermissionDenied(_("You may not record consent for this case."))
            withdrawal = services.consent_withdraw(actor=user, consent=grant, request=http_request(request))
            entry = selectors.consent_get(user=user, survivor=survivor, public_id=withdrawal.public_id)
            body = s.ConsentEntryOutput(entry).data
        return Response(body, status=status.HTTP_201_CREATED)


_403_SENIOR = OpenApiResponse(description="You can see the case but are not a senior WPA of its mission.")


class SurvivorAccessView(SurvivorAPIView):
    http_method_names = ["get", "options"]

    @extend_schema(
        operation_id="survivors_access",
        summary="Who has access to a case, and why",
        description=(
            "Who may read the identifying fields now: the assigned WPA, the registrar while no WPA "
            "has the case, each live grant and each live break-glass. No survivor data in it."
        ),
        responses={200: s.CaseAccessOutput, 401: _401, 403: _403_SENIOR, 404: _404},
        tags=TAGS,
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        survivor = _survivor_fresh(request, public_id)
        if not permissions.can_view_access(user, survivor):
            raise PermissionDenied(_("Only a senior WPA of the mission may see who has access."))
        entries = selectors.survivor_access(user=user, survivor=survivor)
        return Response(s.CaseAccessOutput({"results": entries}).data)


class SurvivorGrantView(SurvivorAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="survivors_grants_create",
        summary="Give a WPA or a reporter access to a case",
        description="Takes effect on the grantee's next request; an expiry, once passed, too.",
        request=s.GrantInput,
        responses={201: s.GrantOutput, 400: _400, 401: _401, 403: _403_SENIOR, 404: _404},
        tags=TAGS,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            survivor = _survivor_fresh(request, public_id)
            if not permissions.can_grant(user, survivor):
                raise PermissionDenied(_("Only a senior WPA of the mission may grant access to a case."))
            data = s.GrantInput(data=request.data)
            data.is_valid(raise_exception=True)
            grantee = (
                selectors.survivor_grant_candidates(user=user, survivor=survivor)
                .filter(username=data.validated_data["grantee"])
                .first()
            )
            if grantee is None:
                raise ValidationError(
                    {"grantee": [_("Choose an active WPA or reporter of the case's mission.")]}
                )
            grant = services.survivor_grant(
                actor=user,
                survivor=survivor,
                grantee=grantee,
                expires_at=data.validated_data["expires_at"],
                request=http_request(request),
            )
            body = s.GrantOutput(grant).data
        return Response(body, status=status.HTTP_201_CREATED)


class SurvivorRevokeView(SurvivorAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="survivors_grants_revoke",
        summary="End a grant now",
        description="The grantee's next request no longer finds the case.",
        request=None,
        responses={
            204: None,
            400: _400,
            401: _401,
            403: _403_SENIOR,
            404: OpenApiResponse(description="No such case or user, or not a case you can see."),
        },
        tags=TAGS,
    )
    def post(self, request: Request, public_id: uuid.UUID, username: str) -> Response:
        user = actor(request)
        with transaction.atomic():
            survivor = _survivor_fresh(request, public_id)
            if not permissions.can_grant(user, survivor):
                raise PermissionDenied(_("Only a senior WPA of the mission may revoke access to a case."))
            grantee = User.objects.filter(username=username).first()
            if grantee is None:
                raise NotFound()
            services.survivor_revoke(
                actor=user, survivor=survivor, grantee=grantee, request=http_request(request)
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SurvivorBreakGlassView(SurvivorAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="survivors_break_glass",
        summary="Open a case outside your grants (break-glass)",
        description=(
            "For a senior WPA of the mission, with a stated reason: the case's identifying fields "
            "become readable to you for a limited time. Audited, and shown with the reason to the "
            "other senior WPAs of the mission. Then GET the case."
        ),
        request=s.BreakGlassInput,
        responses={201: s.BreakGlassOutput, 400: _400, 401: _401, 403: _403_SENIOR, 404: _404},
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            survivor = _survivor_fresh(request, public_id)
            if not permissions.can_break_glass(user, survivor):
                raise PermissionDenied(_("Only a senior WPA of the mission may break the glass."))
            data = s.BreakGlassInput(data=request.data)
            data.is_valid(raise_exception=True)
            if getattr(survivor, "identifying", False):
                raise ValidationError(
                    [_("You can already identify this survivor: no need to break the glass.")]
                )
            access = services.survivor_break_glass(
                actor=user,
                survivor=survivor,
                reason=data.validated_data["reason"],
                request=http_request(request),
            )
            body = s.BreakGlassOutput(access).data
        return Response(body, status=status.HTTP_201_CREATED)


class SurvivorEraseView(SurvivorAPIView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="survivors_erase",
        summary="Erase a case (crypto-shredding)",
        description=(
            "Destroys the case's data key and search entries: every identifying field becomes "
            "unreadable for good. The code, the non-identifying profile and the statistics remain. "
            "Cannot be undone."
        ),
        request=s.EraseInput,
        responses={
            200: s.SurvivorDetailOutput,
            400: _400,
            401: _401,
            403: OpenApiResponse(
                description="Not a senior WPA of the case's mission, or the case is already erased."
            ),
            404: _404,
        },
        tags=TAGS,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            survivor = _survivor_fresh(request, public_id)
            if not permissions.can_erase(user, survivor):
                raise PermissionDenied(_("Only a senior WPA of the mission may erase a case."))
            data = s.EraseInput(data=request.data)
            data.is_valid(raise_exception=True)
            services.survivor_erase(
                actor=user,
                survivor=survivor,
                reason=data.validated_data["reason"],
                request=http_request(request),
            )
            body = _detail_body(request, _survivor_fresh(request, public_id))
        return Response(body)


class SurvivorSearchView(SurvivorAPIView):
    """POST only: a name or phone number must never sit in a URL (proxy and server logs)."""

    http_method_names = ["post", "options"]
    permission_classes = [IsAuthenticated, HasSurvivorRole]

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
        responses={200: s.SearchOutput, 400: _400, 401: _401, 403: _403_ROLE},
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request) -> Response:
        user = actor(request)
        data = s.SearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            rows = list(selectors.survivor_search(user=user, **data.validated_data)[:SEARCH_LIMIT])
            names = selectors.survivor_names_reveal(
                user=user, survivors=rows, kind=AccessEvent.Kind.SEARCH, request=http_request(request)
            )
            body = s.SearchOutput({"results": rows}, context={"names": names}).data
        return Response(body)
