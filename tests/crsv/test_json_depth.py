"""Deeply nested JSON is a 400 with a JSON error body on every JSON door, never a 500.

`[` x 1000 (3 kB) made Python's json recurse past the interpreter's limit: RecursionError, 500,
even on the unauthenticated token endpoint (issue 8, item 8)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from crsv.accounts.models import FieldOffice, User
from crsv.parsers import MAX_JSON_DEPTH, json_too_deep
from survivors.identity import SurvivorIdentity
from survivors.models import Survivor
from survivors.services import SurvivorProfile, survivor_register
from tests.survivors.test_api_common import detail_url, with_token

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
INCIDENTS_URL = "/api/v1/incidents/"
DEEP_BODIES = {
    "open arrays": "[" * 1000,
    "open objects": '{"a":' * 1000,
    "closed arrays": "[" * 1000 + "]" * 1000,
    "closed objects": '{"a":' * 1000 + "1" + "}" * 1000,
    "just over the limit": "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
}


def assert_depth_refused(response: Any) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert f"nested deeper than {MAX_JSON_DEPTH} levels" in response.json()["detail"]


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_token_endpoint_refuses_deep_json_unauthenticated(api_client: Any, body: str) -> None:
    assert_depth_refused(api_client.post(TOKEN_URL, body, content_type="application/json"))


def test_brackets_inside_strings_do_not_count(api_client: Any, wpa: User) -> None:
    # Both strings hold more than the limit; a quote escaped inside one must not end it early.
    username = '\\"' + "[" * 140
    body = f'{{"username": "{username}", "password": "{"{" * 250}"}}'
    response = api_client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 401, response.json()  # parsed, then refused as a wrong sign-in


def test_nesting_at_the_limit_is_parsed(api_client: Any) -> None:
    body = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    response = api_client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" not in str(response.json())  # refused by the serializer, not the parser


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_incident_create_refuses_deep_json(api_client: Any, reporter: User, body: str) -> None:
    client = with_token(api_client, reporter)
    assert_depth_refused(client.post(INCIDENTS_URL, body, content_type="application/json"))
    assert client.post(INCIDENTS_URL, {"tally_women": 1}, format="json").status_code == 201


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_survivor_patch_refuses_deep_json(api_client: Any, wpa: User, office: FieldOffice, body: str) -> None:
    case = survivor_register(
        actor=wpa,
        field_office=office,
        identity=SurvivorIdentity(name="Esperance Kavira"),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=24),
    )
    client = with_token(api_client, wpa)
    assert_depth_refused(client.patch(detail_url(case), body, content_type="application/json"))
    response = client.patch(detail_url(case), {"notes": "Seen again."}, format="json")
    assert response.status_code == 200


def test_case_list_page_ignores_a_deep_cursor(login: Any, wpa: User) -> None:
    """The survivor case list page decodes `?after=` (base64 JSON, no length cap): a cursor that
    is not one of ours shows the first page."""
    cursor = base64.urlsafe_b64encode(b"[" * 2000).decode()
    response = login(wpa).get("/survivors/", {"after": cursor})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[]", False),
        ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, False),
        ("[" * (MAX_JSON_DEPTH + 1), True),
        ('{"a": "' + "{" * 500 + '"}', False),
        ('["\\\\", ' + "[" * 500 + "]", True),  # an escaped backslash ends the string before [
        ('"' + "\\u005b" * 500 + '"', False),
    ],
)
def test_json_too_deep(text: str, deep: bool) -> None:
    assert json_too_deep(text) is deep
