"""What every incidents API view shares: errors mapped to statuses, `Cache-Control: no-store`,
request bodies kept out of error reports, and the role gate of the collections.

Statuses, in the order the checks run (the services' own order):

- 401: not signed in (DRF, with `WWW-Authenticate: Bearer`);
- 404: the incident is out of the user's scope (`Http404` from a selector or service): it does
  not exist for them, and the body says only "Not found.";
- 403: the user sees the incident but their role may not do this
  (`incidents.exceptions.PermissionDenied`, a Django `PermissionDenied`);
- 409: the incident's status does not allow the action (`TransitionNotAllowed`);
- 400: bad input, `{"field": ["message"]}` (a Django `ValidationError` from a service or a
  selector, keyed by field, plus the group keys `tallies`, `violations`, `perpetrators`).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crsv.api import PrivateAPIView, actor, django_errors, http_request
from incidents import permissions
from incidents.exceptions import TransitionNotAllowed

__all__ = ["CanListIncidents", "Conflict", "IncidentAPIView", "actor", "django_errors", "http_request"]

TAGS = ["incidents"]
REFERENCE_TAGS = ["reference data"]


class Conflict(exceptions.APIException):
    """409: the incident's status does not allow the action."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This action is not possible in the incident's current status.")
    default_code = "transition_not_allowed"


class CanListIncidents(BasePermission):
    """The role gate of the collections (incidents and reference data): decided by role, never by
    how many rows would match. Provider, admin, auditor and no role: 403."""

    message = _("Your role gives no access to incidents.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return permissions.can_list_incidents(request.user)


class IncidentAPIView(PrivateAPIView):
    """Base of the incidents API views (see the module docstring for the statuses, and
    crsv.api.PrivateAPIView for what every private view does): adds 409 for transitions."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, TransitionNotAllowed):
            exc = Conflict(exc.message)
        return super().handle_exception(exc)


# Shared response descriptions for the schema.
R400 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Field errors: `{"field": ["message"]}`; also `non_field_errors`, and for an '
    "incident the group keys `tallies`, `violations` and `perpetrators`.",
)
R401 = OpenApiResponse(description="Not signed in (send `Authorization: Bearer <token>`).")
R403_ROLE = OpenApiResponse(description="Your role gives no access to incidents.")
R404 = OpenApiResponse(description="No such incident, or not one you can see.")
R409 = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='`{"detail": "..."}`: the incident\'s status does not allow this action.',
)
