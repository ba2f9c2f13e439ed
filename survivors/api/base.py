"""What every survivor-cases endpoint shares: `Cache-Control: no-store`, Django's exceptions mapped
to DRF responses, request bodies kept out of error reports (crsv.api.PrivateAPIView), the role
gate of the lists, and the one skeleton of an operation on a case (`CaseOperationView`)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crsv.accounts.models import User
from crsv.api import PrivateAPIView, actor, django_errors, http_request
from crsv.api_schema import from_body, link
from crsv.audit.models import AccessEvent
from survivors import permissions, selectors
from survivors.api import serializers as s
from survivors.models import Survivor
from survivors.permissions import CaseAction

__all__ = [
    "CaseOperationView",
    "HasSurvivorRole",
    "SurvivorAPIView",
    "actor",
    "case_body",
    "case_links",
    "django_errors",
    "http_request",
]

TAGS = ["survivors"]
R401 = OpenApiResponse(description="Not signed in (send `Authorization: Bearer <token>`).")
R403_ROLE = OpenApiResponse(description="Your role gives no access to survivor cases.")
R403_SENIOR = OpenApiResponse(description="You can see the case but are not a senior WPA of its mission.")
R404 = OpenApiResponse(description="No such case, or not one you can see.")
R400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Field errors: `{"field": ["message"], "non_field_errors": [...]}`.',
)


# The operations on one case, for the OpenAPI links from a list or a case to them.
_CASE_OPERATIONS = {
    "GetCase": ("survivors_retrieve", "The case."),
    "UpdateCase": ("survivors_partial_update", "Edit the case."),
    "CaseConsents": ("survivors_consents_list", "Its consent ledger."),
    "RecordConsent": ("survivors_consents_create", "Record a consent."),
    "CaseAccess": ("survivors_access", "Who may read it."),
    "AssignCase": ("survivors_assign", "Assign it to a WPA."),
    "GrantAccess": ("survivors_grants_create", "Give a WPA or reporter access to it."),
    "BreakGlass": ("survivors_break_glass", "Open it in an emergency."),
    "EraseCase": ("survivors_erase", "Erase its identifying data."),
}


def case_links(pointer: str) -> dict[str, Any]:
    """OpenAPI links to every operation on the case whose public id is at `pointer`."""
    public_id = from_body(pointer)
    return {
        name: link(operation_id, description, public_id=public_id)
        for name, (operation_id, description) in _CASE_OPERATIONS.items()
    }


class HasSurvivorRole(BasePermission):
    """The role gate of the list and search (`survivors.permissions.can_list`): decided by role,
    never by how many rows match."""

    message = _("Your role gives no access to survivor cases.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return isinstance(user, User) and permissions.can_list(user)


class SurvivorAPIView(PrivateAPIView):
    """Base of the survivor-cases API views (see crsv.api.PrivateAPIView)."""


@sensitive_variables()
def case_body(request: Request, public_id: uuid.UUID) -> dict[str, Any]:
    """The detail representation of a case, read afresh (after a write too). Reveals, and logs,
    the identifying part only if she may read it; call inside the transaction that answers the
    request, so the access events and the body commit (or fail) together."""
    user = actor(request)
    survivor = selectors.survivor_get(user=user, public_id=public_id)
    identity = selectors.survivor_reveal(
        user=user, survivor=survivor, kind=AccessEvent.Kind.API, request=http_request(request)
    )
    incidents = selectors.survivor_incidents(user=user, survivor=survivor)
    context = {"identity": identity, "incidents": incidents}
    return dict(s.SurvivorDetailOutput(survivor, context=context).data)


class CaseOperationView(SurvivorAPIView):
    """One use case on one case, in one transaction: the case visible to her by public id
    (404), the use case's refusal before the body is read (`case_authorize`: 403 whatever was
    sent), the body parsed by `input_serializer` (400), `perform` calling the service (whose
    refusals the base maps: 400/403/404), and its answer with `success_status`."""

    http_method_names = ["post", "options"]
    action: ClassVar[CaseAction | None] = None  # None: the service alone decides
    input_serializer: ClassVar[type[serializers.Serializer] | None] = None
    success_status: ClassVar[int] = status.HTTP_200_OK

    def case(self, request: Request, public_id: uuid.UUID) -> Survivor:
        survivor = selectors.survivor_get(user=actor(request), public_id=public_id)
        if self.action is not None:
            permissions.case_authorize(actor=actor(request), survivor=survivor, action=self.action)
        return survivor

    def input_context(self, request: Request, survivor: Survivor) -> dict[str, Any]:
        return {}

    def perform(self, request: Request, survivor: Survivor, values: dict[str, Any], **kwargs: Any) -> Any:
        """Call the service; return the response body (None: no body)."""
        raise NotImplementedError

    @sensitive_variables()
    def operate(self, request: Request, public_id: uuid.UUID, **kwargs: Any) -> Response:
        with transaction.atomic():
            survivor = self.case(request, public_id)
            values: dict[str, Any] = {}
            if self.input_serializer is not None:
                data = self.input_serializer(
                    data=request.data, context=self.input_context(request, survivor), partial=self.partial
                )
                data.is_valid(raise_exception=True)
                values = dict(data.validated_data)
            body = self.perform(request, survivor, values, **kwargs)
        return Response(body, status=self.success_status)

    partial: ClassVar[bool] = False

    def post(self, request: Request, public_id: uuid.UUID, **kwargs: Any) -> Response:
        return self.operate(request, public_id, **kwargs)
