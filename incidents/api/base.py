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

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from crsv.accounts.models import User
from incidents import permissions
from incidents.exceptions import TransitionNotAllowed

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


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as DRF's `{"field": ["msg"]}`; `__all__` and message-only errors
    go under `non_field_errors`. The services' messages never repeat a restricted value."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}
    errors: dict[str, list[str]] = {}
    for field, messages in exc.message_dict.items():
        key = api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field
        errors.setdefault(key, []).extend(messages)
    return errors


@method_decorator(sensitive_post_parameters(), name="dispatch")
class IncidentAPIView(APIView):
    """Base of the incidents API views (see the module docstring for the statuses).

    Every response, errors included, carries `Cache-Control: no-store`: incident bodies hold
    the narrative for those who may read it. HEAD is not offered.
    """

    http_method_names = ["get", "post", "patch", "options"]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError(django_errors(exc))
        elif isinstance(exc, TransitionNotAllowed):
            exc = Conflict(exc.message)
        elif isinstance(exc, Http404):
            exc = exceptions.NotFound()
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


def actor(request: Request) -> User:
    """The signed-in user (the views require authentication, so never anonymous here)."""
    user = request.user
    if not isinstance(user, User):  # unreachable behind IsAuthenticated; fail closed anyway
        raise exceptions.NotAuthenticated()
    return user


def http_request(request: Request) -> HttpRequest:
    """The Django request, for the services' audit rows (client address)."""
    return request._request


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
