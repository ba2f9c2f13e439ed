"""What every private API view shares: `Cache-Control: no-store`, Django's exceptions mapped to
DRF responses, request bodies kept out of error reports, no HEAD; and `StrictInput`, the base of
every input serializer. The incidents and survivor APIs build on `PrivateAPIView`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, QueryDict
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django_stubs_ext import StrOrPromise
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from crsv.accounts.models import User
from crsv.api_schema import ApiAutoSchema


def django_errors(exc: DjangoValidationError, renames: dict[str, str] | None = None) -> dict[str, list[str]]:
    """A Django ValidationError as DRF's `{"field": ["msg"]}`, with `__all__` and message-only
    errors under `non_field_errors`; `renames` maps service field names to the API's. The
    services' messages never hold a survivor value or a restricted one."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)}
    renames = renames or {}
    errors: dict[str, list[str]] = {}
    for field, messages in exc.message_dict.items():
        key = api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else renames.get(field, field)
        errors.setdefault(key, []).extend(messages)
    return errors


# The JSON type each kind of field takes, as the schema documents it. DRF would also take "3" for
# 3, 1 for true, or 0 for "0": the schema does not say so, so neither does the server.
_JSON_TYPES: tuple[tuple[type[serializers.Field], type | tuple[type, ...]], ...] = (
    (serializers.BooleanField, bool),
    (serializers.IntegerField, int),
    (serializers.CharField, str),
    (serializers.UUIDField, str),
    (serializers.DateField, str),
    (serializers.DateTimeField, str),
    (serializers.DecimalField, str),
)


def _json_type_ok(field: serializers.Field, value: Any) -> bool:
    if value is None:  # the field decides whether it may be null
        return True
    if isinstance(field, serializers.ListField):
        return isinstance(value, list) and all(_json_type_ok(field.child, item) for item in value)
    for kind, json_type in _JSON_TYPES:
        if isinstance(field, kind):
            # bool is an int in Python, never in JSON.
            return isinstance(value, json_type) and not (json_type is int and isinstance(value, bool))
    return True


def json_type_errors(serializer: serializers.Serializer, data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The keys of a JSON body whose value (or an item of its list) is not of its field's
    documented JSON type. Nested serializers check their own keys (they are StrictInput too)."""
    return {
        str(name): [gettext("Wrong type: see the schema.")]
        for name, value in data.items()
        if name in serializer.fields and not _json_type_ok(serializer.fields[name], value)
    }


class StrictInput(serializers.Serializer):
    """Refuses every key that is not one of its fields, saying why, beside the other errors.

    A typo in a field name is not mistaken for "not given". An app names the keys a client may
    expect to send and says why it cannot, in `refusals` (key -> message); any other unknown key
    gets `unknown_message`.
    """

    unknown_message: ClassVar[StrOrPromise] = _("Unknown field; it cannot be sent.")
    refusals: ClassVar[Mapping[str, StrOrPromise]] = {}
    # The schema says so: `additionalProperties: false` (crsv.api_schema).
    openapi_closed: ClassVar[bool] = True

    def to_internal_value(self, data: Any) -> Any:
        refused: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            refused = {
                str(key): [str(self.refusals.get(str(key), self.unknown_message))]
                for key in data
                if key not in self.fields
            }
            if not isinstance(data, QueryDict):
                refused.update(json_type_errors(self, data))
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            raise serializers.ValidationError({**detail, **refused}) from exc
        if refused:
            raise serializers.ValidationError(refused)
        return value


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PrivateAPIView(APIView):
    """Base of the views whose bodies may hold restricted or survivor data.

    - every response, errors included, carries `Cache-Control: no-store`;
    - django `ValidationError` → 400 `{"field": ["msg"]}`, `Http404` → 404 "Not found." (the same
      for a record that does not exist and one out of scope), `PermissionDenied` → 403 (DRF);
    - HEAD is not offered: it would run (and log) a read whose body nobody receives.
    """

    http_method_names = ["get", "post", "patch", "options"]
    schema = ApiAutoSchema()
    # Service field names that the API spells differently.
    error_field_renames: ClassVar[dict[str, str]] = {}

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError(django_errors(exc, self.error_field_renames))
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
