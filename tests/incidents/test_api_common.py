"""What every incidents API endpoint shares (401 for anonymous, `Cache-Control: no-store`, no
HEAD, bearer tokens, the OpenAPI schema), and the helpers the other `test_api_*` modules use:
URLs, signing in, a validator of bodies against the published schema, and a "planted"
incident whose restricted details are unique strings to look for in raw response bytes."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
from django.test import Client

from crsv.accounts.models import User
from crsv.accounts.services import api_token_issue
from incidents import services
from incidents.models import Incident, Location, PartyToConflict
from incidents.services import PerpetratorData, ViolationData
from tests.incidents.factories import LocationFactory, complete_fields, office_today

pytestmark = pytest.mark.django_db

LIST = "/api/v1/incidents/"
LOCATIONS = "/api/v1/locations/"
PARTIES = "/api/v1/parties/"

# Restricted details planted in one incident: none may reach a user who may not see them.
CANARY_NARRATIVE = "Canary narrative Xq7Zt3 what happened at the river"
CANARY_LATITUDE = "-1.654321"
CANARY_LONGITUDE = "29.123457"
CANARY_PLACE = "Kanyarucinya-Qw9"  # an admin-3 place: an exact location
CANARY_PCODE = "CD610677"
CANARY_UNIT = "Canary 34th battalion Rk2"
CANARY_COMMANDER = "Canary Colonel Mbx5"
CANARY_NAMES = "Canary Jean-Pierre Vq8, Canary Moise Ty4"
CANARY_REASON = "Canary reason Lp3: the survivor named her neighbour"
CANARIES = (
    CANARY_NARRATIVE,
    CANARY_LATITUDE,
    CANARY_LONGITUDE,
    CANARY_PLACE,
    CANARY_PCODE,
    CANARY_UNIT,
    CANARY_COMMANDER,
    CANARY_NAMES,
    CANARY_REASON,
)


def detail_url(incident: Incident | uuid.UUID) -> str:
    public_id = incident.public_id if isinstance(incident, Incident) else incident
    return f"{LIST}{public_id}/"


def transitions_url(incident: Incident | uuid.UUID) -> str:
    return f"{detail_url(incident)}transitions/"


def history_url(incident: Incident | uuid.UUID) -> str:
    return f"{detail_url(incident)}history/"


def as_user(api_client: Any, user: User) -> Any:
    """The API client signed in as `user` (a fresh user object: no role or office cache)."""
    api_client.force_authenticate(User.objects.get(pk=user.pk))
    return api_client


def with_token(api_client: Any, user: User) -> Any:
    raw, _token = api_token_issue(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def assert_no_canary(content: bytes) -> None:
    leaked = [canary for canary in CANARIES if canary.encode() in content]
    assert not leaked, leaked


def canary_place(masisi: Location) -> Location:
    return LocationFactory(pcode=CANARY_PCODE, name=CANARY_PLACE, admin_level=3, parent=masisi)


def planted(
    *,
    reporter: User,
    reviewer: User,
    place: Location,
    party: PartyToConflict | None,
    state: str = "submitted",
) -> Incident:
    """An incident of `reporter` carrying every canary: narrative, exact point and place,
    perpetrator identification, and a restricted reason in its history (returned once, then
    resubmitted). Brought on to `state`: submitted, under_review or closed."""
    incident = services.incident_create(
        actor=reporter,
        violations=[ViolationData(form="rape"), ViolationData(form="sexual_slavery")],
        perpetrators=[
            PerpetratorData(
                category="non_state_armed_group",
                count=3,
                party=party,
                unit=CANARY_UNIT,
                commander=CANARY_COMMANDER,
                names=CANARY_NAMES,
            )
        ],
        **complete_fields(
            reporter=reporter,
            location=place,
            narrative=CANARY_NARRATIVE,
            latitude=Decimal(CANARY_LATITUDE),
            longitude=Decimal(CANARY_LONGITUDE),
        ),
    )
    incident = services.incident_submit(actor=reporter, incident=incident)
    incident = services.incident_return(actor=reviewer, incident=incident, reason=CANARY_REASON)
    incident = services.incident_submit(actor=reporter, incident=incident)
    if state == "submitted":
        return incident
    incident = services.incident_assign(actor=reviewer, incident=incident, assignee=reviewer)
    if state == "under_review":
        return incident
    assert state == "closed"
    return services.incident_verify(
        actor=reviewer,
        incident=incident,
        outcome="verified",
        method="survivor_interview",
        verified_on=office_today(reporter) - timedelta(days=1),
    )


# --- the published schema, as a validator of response bodies ---------------------------------


def _strict(node: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema, strict: `nullable` becomes a union with null, and
    objects with properties refuse any other key (a body may hold nothing undocumented)."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def published_schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def body_validator(client: Client, component: str) -> jsonschema.protocols.Validator:
    """A validator of a body against the component `component` of /api/schema/."""
    schema = published_schema(client)
    root = {"$ref": f"#/components/schemas/{component}", "components": _strict(schema["components"])}
    validator: jsonschema.protocols.Validator = jsonschema.Draft202012Validator(root)
    return validator


def assert_matches_schema(client: Client, component: str, body: Any) -> None:
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in body_validator(client, component).iter_errors(body)
    ]
    assert not errors, errors


# --- tests -----------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", LIST),
    ("post", LIST),
    ("get", "{detail}"),
    ("patch", "{detail}"),
    ("post", "{detail}transitions/"),
    ("get", "{detail}history/"),
    ("get", LOCATIONS),
    ("get", PARTIES),
]


@pytest.fixture
def some_incident(reporter: User, wpa: User, masisi: Location) -> Iterator[Incident]:
    yield planted(reporter=reporter, reviewer=wpa, place=canary_place(masisi), party=None)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_gets_401_with_bearer_challenge(
    api_client: Any, some_incident: Incident, method: str, path: str
) -> None:
    url = path.format(detail=detail_url(some_incident))
    response = getattr(api_client, method)(url, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Cache-Control"] == "no-store"
    assert_no_canary(response.content)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_session_without_the_second_factor_is_anonymous(
    client: Client, reporter: User, some_incident: Incident, method: str, path: str
) -> None:
    client.force_login(reporter)  # password only: no two-factor verification in the session
    url = path.format(detail=detail_url(some_incident))
    response = getattr(client, method)(url, {}, content_type="application/json")
    assert response.status_code == 401


def test_a_verified_browser_session_works(login: Any, reporter: User, some_incident: Incident) -> None:
    client = login(reporter)
    assert client.get(LIST).status_code == 200
    assert client.get(detail_url(some_incident)).json()["narrative"] == CANARY_NARRATIVE


def test_bearer_token_works_on_every_endpoint(
    api_client: Any, reporter: User, wpa: User, some_incident: Incident, sake: Location
) -> None:
    client = with_token(api_client, reporter)
    assert client.get(LIST).status_code == 200
    assert client.get(detail_url(some_incident)).status_code == 200
    assert client.get(history_url(some_incident)).status_code == 200
    assert client.get(LOCATIONS).status_code == 200
    assert client.get(PARTIES).status_code == 200
    created = client.post(LIST, {"tally_women": 1, "location": str(sake.public_id)}, format="json")
    assert created.status_code == 201
    draft = created.json()["public_id"]
    assert client.patch(detail_url(uuid.UUID(draft)), {"tally_girls": 2}, format="json").status_code == 200
    reviewer = with_token(api_client, wpa)
    response = reviewer.post(
        transitions_url(some_incident), {"action": "assign", "assignee": "wpa"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "under_review"


def test_a_bad_token_is_401(api_client: Any, reporter: User) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get(LIST)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize("path", [LIST, "{detail}", "{detail}history/", LOCATIONS, PARTIES])
def test_every_answer_is_no_store_and_head_is_not_offered(
    api_client: Any, reporter: User, some_incident: Incident, path: str
) -> None:
    client = as_user(api_client, reporter)
    url = path.format(detail=detail_url(some_incident))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/json"
    assert client.head(url).status_code == 405


def test_the_schema_documents_every_incidents_operation(client: Client) -> None:
    schema = published_schema(client)
    paths = schema["paths"]
    operations = {
        "/api/v1/incidents/": {"get", "post"},
        "/api/v1/incidents/{public_id}/": {"get", "patch"},
        "/api/v1/incidents/{public_id}/transitions/": {"post"},
        "/api/v1/incidents/{public_id}/history/": {"get"},
        "/api/v1/locations/": {"get"},
        "/api/v1/parties/": {"get"},
    }
    for path, methods in operations.items():
        assert set(paths[path]) - {"parameters"} == methods, path
        for method in methods:
            assert {"bearerAuth", "cookieAuth"} <= {
                name for requirement in paths[path][method]["security"] for name in requirement
            }
    assert "409" in paths["/api/v1/incidents/{public_id}/transitions/"]["post"]["responses"]
    assert "409" in paths["/api/v1/incidents/{public_id}/"]["patch"]["responses"]
    list_parameters = {p["name"] for p in paths["/api/v1/incidents/"]["get"]["parameters"]}
    assert {"status", "field_office", "date_from", "location", "ordering", "cursor"} <= list_parameters
    # Restricted details are documented as optional keys (absent, not null, when not shown).
    detail = schema["components"]["schemas"]["IncidentDetailOutput"]
    for restricted in ("narrative", "latitude", "longitude"):
        assert restricted in detail["properties"]
        assert restricted not in detail["required"]
    perpetrator = schema["components"]["schemas"]["PerpetratorOutput"]
    assert not {"unit", "commander", "names"} & set(perpetrator["required"])


def test_the_strict_schema_conversion_catches_extra_and_missing_keys(
    api_client: Any, client: Client, reporter: User, some_incident: Incident
) -> None:
    """The validator the other modules use can fail: an undocumented key, or a missing one."""
    body = as_user(api_client, reporter).get(detail_url(some_incident)).json()
    assert_matches_schema(client, "IncidentDetailOutput", body)
    validator = body_validator(client, "IncidentDetailOutput")
    assert not validator.is_valid({**body, "undocumented": 1})
    assert not validator.is_valid({key: value for key, value in body.items() if key != "status"})
    assert not validator.is_valid(copy.deepcopy(body) | {"location": {"name": "x"}})


def test_the_analyst_receives_no_restricted_detail_from_any_endpoint(
    api_client: Any, reporter: User, wpa: User, analyst: User, masisi: Location, m23: PartyToConflict
) -> None:
    """Every incidents endpoint, as the analyst, on an incident carrying every canary: the raw
    bytes of each answer hold none of them (whatever the status)."""
    incident = planted(reporter=reporter, reviewer=wpa, place=canary_place(masisi), party=m23)
    client = as_user(api_client, analyst)
    answers = [
        client.get(LIST),
        client.get(LIST, {"reference": "GOM"}),
        client.get(detail_url(incident)),
        client.get(history_url(incident)),
        client.patch(detail_url(incident), {"tally_girls": 1}, format="json"),
        client.post(LIST, {"tally_women": 1}, format="json"),
        client.get(LOCATIONS),
        client.get(PARTIES),
        *(
            client.post(transitions_url(incident), body, format="json")
            for body in (
                {"action": "submit"},
                {"action": "assign", "assignee": "wpa"},
                {"action": "return", "reason": "x"},
                {"action": "verify", "outcome": "verified", "method": "site_visit", "verified_on": None},
                {"action": "reopen", "reason": "x"},
            )
        ),
    ]
    # Searching by reference is refused to analysts, who see no references (issue 8 item 12).
    assert [a.status_code for a in answers] == [200, 400, 200, 200, 403, 403, 200, 200] + [403] * 5
    assert incident.reference
    for answer in answers:
        assert_no_canary(answer.content)
        assert incident.reference.encode() not in answer.content
    listed = answers[0].json()["results"]
    assert [row["public_id"] for row in listed] == [str(incident.public_id)]
