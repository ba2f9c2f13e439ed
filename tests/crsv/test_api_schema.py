"""The schema says what the server does (crsv.api_schema), and StrictInput takes only the JSON
types the schema documents (crsv.api). What schemathesis relies on, checked directly."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.http import QueryDict
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from crsv.api import StrictInput
from crsv.api_schema import NOT_BLANK_TEXT, TEXT
from tests.api_fuzz.checks import data_dependent_refusal


class Typed(StrictInput):
    count = serializers.IntegerField(required=False)
    flag = serializers.BooleanField(required=False)
    text = serializers.CharField(required=False)
    public_id = serializers.UUIDField(required=False)
    public_ids = serializers.ListField(child=serializers.UUIDField(), required=False)


ID = "6f1c2c55-2a43-4c55-9a43-7f1f1c2b7e01"


def test_a_json_value_of_another_type_is_refused_by_name() -> None:
    wrong = Typed(data={"count": "3", "flag": 1, "text": 0, "public_id": 5, "public_ids": [False]})
    assert not wrong.is_valid()
    assert set(wrong.errors) == {"count", "flag", "text", "public_id", "public_ids"}
    right = Typed(data={"count": 3, "flag": True, "text": "0", "public_id": ID, "public_ids": [ID]})
    assert right.is_valid(), right.errors


def test_query_strings_are_text_and_stay_accepted() -> None:
    query = Typed(data=QueryDict(f"count=3&flag=true&text=0&public_id={ID}"))
    assert query.is_valid(), query.errors


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    generated: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    return generated


def _operation(schema: dict[str, Any], route: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = schema["paths"][route][method]
    return found


def test_request_bodies_are_closed_and_bounded(schema: dict[str, Any]) -> None:
    create = schema["components"]["schemas"]["IncidentCreateInputRequest"]
    assert create["additionalProperties"] is False
    assert create["properties"]["violations"]["maxItems"] == 9
    # A field that may be blank: the empty string is drf-spectacular's other choice.
    assert create["properties"]["narrative"]["oneOf"][0]["pattern"] == TEXT
    assert schema["components"]["schemas"]["SurvivorCreateInputRequest"]["properties"]["name"]["pattern"] == (
        NOT_BLANK_TEXT
    )
    search = _operation(schema, "/api/v1/survivors/search/", "post")
    assert search["requestBody"]["required"] is True


def test_optional_query_parameters_read_as_absent_when_empty_say_so(schema: dict[str, Any]) -> None:
    parameters = {p["name"]: p for p in _operation(schema, "/api/v1/incidents/", "get")["parameters"]}
    assert parameters["reference"]["allowEmptyValue"] is True
    # A multiple choice reads `?status=` as the value "", which is refused.
    assert "allowEmptyValue" not in parameters["status"]


def test_links_lead_from_lists_to_rows_and_their_operations(schema: dict[str, Any]) -> None:
    listed = _operation(schema, "/api/v1/incidents/", "get")["responses"]["200"]["links"]
    assert listed["GetIncident"] == {
        "operationId": "incidents_retrieve",
        "parameters": {"public_id": "$response.body#/results/0/public_id"},
        "description": "The incident.",
    }
    ledger = _operation(schema, "/api/v1/survivors/{public_id}/consents/", "get")["responses"]["200"]
    assert ledger["links"]["WithdrawConsent"]["parameters"] == {
        "public_id": "$request.path.public_id",
        "consent_id": "$response.body#/results/0/public_id",
    }


def _response(status: int, body: Any) -> Any:
    return SimpleNamespace(status_code=status, content=json.dumps(body).encode())


def test_only_data_dependent_refusals_pass_the_narrowed_check() -> None:
    assert data_dependent_refusal(_response(400, {"location": ["No location you may use has this id."]}))
    assert data_dependent_refusal(_response(400, {"consents": {"0": {"provider": ["No provider."]}}}))
    assert not data_dependent_refusal(_response(400, {"name": ["Ensure this field has no more than 9."]}))
    assert not data_dependent_refusal(_response(400, {"location": ["x"], "note": ["Too long."]}))
    assert not data_dependent_refusal(_response(400, ["not field errors"]))
    assert not data_dependent_refusal(_response(409, {"location": ["x"]}))
