"""The referrals API as a whole: every endpoint refuses anonymous callers, answers `no-store`,
offers no HEAD, and is in the OpenAPI schema (operation ids, links, no warning); and the helpers
and planted data the other `test_api_*` modules of referrals use."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from crsv.accounts.models import FieldOffice, User
from incidents.models import Incident, Location
from referrals.models import Referral, ServiceProvider
from survivors.models import Consent, Survivor, SurvivorIncident
from tests.incidents.conftest import masisi, nord_kivu, sake
from tests.incidents.factories import incident_in_state

pytestmark = pytest.mark.django_db

# The incidents tests' places (Nord-Kivu > Masisi > Sake), for the planted incident.
__all__ = ["masisi", "nord_kivu", "sake"]

REFERRALS = "/api/v1/referrals/"
PROVIDERS = "/api/v1/providers/"
CANARY_NAME = "Canary Furaha Zq8Wv3"
CANARY_NARRATIVE = "Canary narrative Hk4Jp2: armed men at the river crossing."
CANARY_CONTACT = "Canary contact Mt6Rb1: call her aunt"
CANARY_TIMES = "Canary times Yd9Ls5"
NOTE = "Needs PEP within 72 hours."


def detail_url(referral: Referral | uuid.UUID) -> str:
    public_id = referral.public_id if isinstance(referral, Referral) else referral
    return f"{REFERRALS}{public_id}/"


def transitions_url(referral: Referral | uuid.UUID) -> str:
    return f"{detail_url(referral)}transitions/"


def provider_url(provider: ServiceProvider | uuid.UUID) -> str:
    public_id = provider.public_id if isinstance(provider, ServiceProvider) else provider
    return f"{PROVIDERS}{public_id}/"


def as_user(api_client: Any, user: User) -> Any:
    """The API client signed in as `user` (a fresh user object: no role cache carried over)."""
    api_client.force_authenticate(User.objects.get(pk=user.pk))
    return api_client


def assert_no_canary(content: bytes) -> None:
    for canary in (CANARY_NAME, CANARY_NARRATIVE, CANARY_CONTACT, CANARY_TIMES):
        assert canary.encode() not in content, canary


@pytest.fixture
def planted(
    make_survivor: Callable[..., Survivor],
    wpa: User,
    reporter: User,
    sake: Location,
    consent: Callable[..., Consent],
) -> Survivor:
    """A Goma case owned by the WPA, carrying every canary: her name, her safe contact method
    and times, and a linked incident whose narrative is a canary; with a medical referral consent
    (any provider) and no sharing consent."""
    survivor = make_survivor(
        wpa, name=CANARY_NAME, safe_contact_method=CANARY_CONTACT, safe_contact_times=CANARY_TIMES
    )
    incident = incident_in_state(
        "submitted", reporter=reporter, reviewer=wpa, location=sake, narrative=CANARY_NARRATIVE
    )
    SurvivorIncident.objects.create(survivor=survivor, incident=incident, linked_by=wpa)
    consent(survivor)
    return survivor


@pytest.fixture
def planted_incident(planted: Survivor) -> Incident:
    return Incident.objects.get(pk=SurvivorIncident.objects.get(survivor=planted).incident_id)


@pytest.fixture
def sent(planted: Survivor, planted_incident: Incident, refer: Callable[..., Referral]) -> Referral:
    """An emergency medical referral of the planted case to the hospital, sent."""
    return refer(planted, note=NOTE, incident=planted_incident, send=True)


# --- tests -----------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", REFERRALS),
    ("post", REFERRALS),
    ("get", "{detail}"),
    ("post", "{detail}transitions/"),
    ("get", PROVIDERS),
    ("get", "{provider}"),
]


def _url(path: str, referral: Referral) -> str:
    return path.format(detail=detail_url(referral), provider=provider_url(referral.provider))


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_gets_401_with_bearer_challenge(
    api_client: Any, sent: Referral, method: str, path: str
) -> None:
    response = getattr(api_client, method)(_url(path, sent), {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Cache-Control"] == "no-store"
    assert_no_canary(response.content)


@pytest.mark.parametrize("path", [REFERRALS, "{detail}", PROVIDERS, "{provider}"])
def test_every_answer_is_no_store_and_head_is_not_offered(
    api_client: Any, wpa: User, sent: Referral, path: str
) -> None:
    client = as_user(api_client, wpa)
    url = _url(path, sent)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert client.head(url).status_code == 405


def test_a_bearer_token_works(api_client: Any, wpa: User, provider: User, sent: Referral) -> None:
    from crsv.accounts.services import api_token_issue

    raw, _token = api_token_issue(user=provider)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api_client.post(transitions_url(sent), {"action": "accept"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "accepted"


def test_the_schema_documents_every_operation_with_links_and_no_warning() -> None:
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    patterns = [
        path("api/v1/referrals/", include("referrals.api.urls")),
        path("api/v1/providers/", include("referrals.api.provider_urls")),
    ]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache
    validate_schema(schema)
    operations = {
        (method, route): op["operationId"]
        for route, item in schema["paths"].items()
        for method, op in item.items()
    }
    assert operations == {
        ("get", "/api/v1/referrals/"): "referrals_list",
        ("post", "/api/v1/referrals/"): "referrals_create",
        ("get", "/api/v1/referrals/{public_id}/"): "referrals_retrieve",
        ("post", "/api/v1/referrals/{public_id}/transitions/"): "referrals_transition",
        ("get", "/api/v1/providers/"): "providers_list",
        ("get", "/api/v1/providers/{public_id}/"): "providers_retrieve",
    }
    paths = schema["paths"]

    def links(route: str, method: str, code: str) -> dict[str, str]:
        found = paths[route][method]["responses"][code]["links"]
        return {name: value["operationId"] for name, value in found.items()}

    # list -> detail -> transitions, and back to the detail from a transition.
    assert links("/api/v1/referrals/", "get", "200") == {"GetReferral": "referrals_retrieve"}
    assert links("/api/v1/referrals/{public_id}/", "get", "200") == {
        "TransitionReferral": "referrals_transition",
        "ReferAgain": "referrals_create",
    }
    assert links("/api/v1/referrals/{public_id}/transitions/", "post", "200") == {
        "GetReferral": "referrals_retrieve"
    }
    assert links("/api/v1/referrals/", "post", "201")["TransitionReferral"] == "referrals_transition"
    assert links("/api/v1/providers/", "get", "200") == {"GetProvider": "providers_retrieve"}
    every_link = [
        link
        for item in paths.values()
        for op in item.values()
        for r in op["responses"].values()
        for link in r.get("links", {}).values()
    ]
    assert {link["operationId"] for link in every_link} <= set(operations.values())
    transition = paths["/api/v1/referrals/{public_id}/transitions/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(transition)
    assert {"201", "400", "401", "403"} <= set(paths["/api/v1/referrals/"]["post"]["responses"])
    components = schema["components"]["schemas"]
    provider_row = components["ProviderReferralDetailOutput"]["properties"]
    assert not {"name", "narrative", "incident", "phone", "survivor"} & set(provider_row)
    assert set(components["ReferralCreateInputRequest"]["required"]) == {
        "survivor",
        "provider",
        "service_type",
        "urgency",
    }


def test_the_published_schema_includes_the_referrals_api(client: Client) -> None:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/referrals/{public_id}/transitions/" in paths
    assert "/api/v1/providers/{public_id}/" in paths


def test_provider_offices_are_codes(
    api_client: Any, wpa: User, hospital: ServiceProvider, other_office: FieldOffice
) -> None:
    body = as_user(api_client, wpa).get(provider_url(hospital)).json()
    assert sorted(body["field_offices"]) == ["BUN", "GOM"]
