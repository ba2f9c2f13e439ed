"""What every referrals API view shares: errors mapped to statuses, `Cache-Control: no-store`,
request bodies kept out of error reports (crsv.api.PrivateAPIView), the role gates of the
collections, and the OpenAPI links a client follows (list -> detail -> transitions).

Statuses, in the order the checks run (the services' own order):

- 401: not signed in (DRF, with `WWW-Authenticate: Bearer`);
- 403: the role has no referrals (or no service directory) at all, decided by role, never by
  how many rows would match; or the user sees the referral but may not take this action;
- 404: the referral (or provider) does not exist for the user: out of scope reads the same;
- 409: the referral's state does not allow the action (`TransitionNotAllowed`);
- 400: bad input, `{"field": ["message"]}`, unknown keys included (`crsv.api.StrictInput`).
"""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crsv.api import PrivateAPIView
from crsv.api_schema import Links
from incidents.exceptions import TransitionNotAllowed
from referrals import permissions

TAGS = ["referrals"]
DIRECTORY_TAGS = ["service directory"]


class Conflict(exceptions.APIException):
    """409: the referral's state does not allow the action."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This action is not possible in the referral's current state.")
    default_code = "transition_not_allowed"


class CanSeeReferrals(BasePermission):
    """The role gate of the referral list and of creating: WPAs, senior WPAs, providers' users."""

    message = _("Your role gives no access to referrals.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return permissions.can_list(request.user)


class CanBrowseDirectory(BasePermission):
    """The role gate of the service directory: WPAs, senior WPAs, admins."""

    message = _("Your role gives no access to the service directory.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return permissions.can_browse_directory(request.user)


class ReferralAPIView(PrivateAPIView):
    """Base of the referrals API views: adds 409 for transitions and the schema's links
    (crsv.api_schema)."""

    openapi_links: ClassVar[Links] = {}

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, TransitionNotAllowed):
            exc = Conflict(exc.message)
        return super().handle_exception(exc)


# Shared response descriptions for the schema.
R400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Field errors: `{"field": ["message"]}`; also `non_field_errors`. An unknown key '
    "is refused under its own name.",
)
R401 = OpenApiResponse(description="Not signed in (send `Authorization: Bearer <token>`).")
R403_ROLE = OpenApiResponse(description="Your role gives no access to referrals.")
R403_DIRECTORY = OpenApiResponse(description="Your role gives no access to the service directory.")
R404 = OpenApiResponse(description="No such referral, or not one you can see.")
R409 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='`{"detail": "..."}`: the referral\'s state does not allow this action.',
)
