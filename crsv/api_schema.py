"""The OpenAPI schema of every API view (`crsv.api.PrivateAPIView.schema`): drf-spectacular's,
plus what it cannot see from the code, so that the schema says what the server does:

- the view's `openapi_links` on its responses (OpenAPI links): a client, and schemathesis's
  stateful phase, follows them from a list to a row, and from a row to its actions;
- `additionalProperties: false` on the request bodies of serializers that refuse unknown keys
  (`crsv.api.StrictInput` sets `openapi_closed`);
- a serializer's or a field's `openapi_extra` keywords (e.g. `minProperties`, a `pattern` the
  field enforces) on its request body;
- a pattern on every text field of a request: no NUL character, and not blank if it may not be;
- the bounds of a list of objects (`maxItems`, `minItems`);
- `allowEmptyValue` on the optional query parameters that DRF reads as absent when empty
  (`?reference=` is no filter), so an empty value is documented as allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance, is_basic_serializer
from rest_framework.fields import CharField, Field
from rest_framework.serializers import ListSerializer

# DRF's CharField refuses a NUL character (PostgreSQL could not store it), and a field that may
# not be blank refuses what is blank once trimmed. (A field that may be blank gets the empty
# string as a separate choice from drf-spectacular: the pattern leaves it to that one.)
TEXT = "^[^\\x00]+$"
NOT_BLANK_TEXT = "^[^\\x00]*[^\\x00\\s][^\\x00]*$"


def text_pattern(field: CharField) -> str:
    """The pattern of what `field` accepts, as far as a pattern can say."""
    return NOT_BLANK_TEXT if field.trim_whitespace and not field.allow_blank else TEXT


# OpenAPI links: {method: {status: {name: link object}}} (a view's `openapi_links`).
Links = Mapping[str, Mapping[str, Mapping[str, Any]]]


def link(
    operation_id: str, description: str, request_body: Mapping[str, str] | None = None, **parameters: str
) -> dict[str, Any]:
    """A link to `operation_id`, each parameter (and each key of `request_body`) a runtime
    expression (`from_body()`, `from_path()`)."""
    found: dict[str, Any] = {
        "operationId": operation_id,
        "parameters": parameters,
        "description": description,
    }
    if request_body is not None:
        found["requestBody"] = dict(request_body)
    return found


def from_body(pointer: str) -> str:
    """The response body's value at the JSON pointer `pointer` (e.g. `/results/0/public_id`)."""
    return f"$response.body#{pointer}"


def from_path(name: str) -> str:
    """The request's path parameter `name`."""
    return f"$request.path.{name}"


def _empty_is_absent(field: Field) -> bool:
    """DRF's `Field.get_value` reads an empty query value of an optional field as not given;
    fields with their own (lists, multiple choices) read it as a value."""
    return not field.required and type(field).get_value is Field.get_value


def _merge(schema: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Add `extra` to `schema`, merging the objects both hold (e.g. a property's keywords)."""
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(schema.get(key), dict):
            _merge(schema[key], value)
        else:
            schema[key] = value


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        links: Links = getattr(self.view, "openapi_links", {})
        for code, named in links.get(self.method.lower(), {}).items():
            if code in responses:
                responses[code]["links"] = dict(named)
        return responses

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        plain_text = schema.get("type") == "string" and not ({"pattern", "format", "enum"} & schema.keys())
        if direction == "request" and isinstance(field, CharField) and plain_text:
            schema["pattern"] = text_pattern(field)
        if direction == "request" and isinstance(field, ListSerializer) and schema.get("type") == "array":
            # drf-spectacular leaves out a list of objects' bounds.
            # DRF sets both on every ListSerializer; the stubs do not declare them.
            max_length, min_length = getattr(field, "max_length", None), getattr(field, "min_length", None)
            if max_length is not None:
                schema["maxItems"] = max_length
            if min_length is not None or not field.allow_empty:
                schema["minItems"] = max(min_length or 0, 0 if field.allow_empty else 1)
        if direction == "request":
            _merge(schema, getattr(field, "openapi_extra", {}))
        return schema

    def _map_serializer(self, serializer: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        instance = force_instance(serializer)
        if direction == "request" and isinstance(schema, dict) and "properties" in schema:
            if getattr(instance, "openapi_closed", False):
                schema["additionalProperties"] = False
            _merge(schema, getattr(instance, "openapi_extra", {}))
        return schema

    def _get_request_for_media_type(self, serializer: Any, direction: Any = "request") -> Any:
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # A body that must hold a property must be sent at all.
        if getattr(force_instance(serializer), "openapi_extra", {}).get("minProperties", 0) > 0:
            required = True
        return schema, required

    def _process_override_parameters(self, direction: Any = "request") -> Any:
        result = super()._process_override_parameters(direction)
        for parameter in self.get_override_parameters():
            if not is_basic_serializer(parameter):
                continue
            for name, field in force_instance(parameter).fields.items():
                query = result.get((name, "query"))
                if query is not None and _empty_is_absent(field):
                    query["allowEmptyValue"] = True
        return result
