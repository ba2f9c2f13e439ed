"""What every survivor-cases API operation shares: 401 for anonymous, `Cache-Control: no-store`
on every answer, bearer tokens, no HEAD. Also the helpers the other `test_api_*` modules use."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from crsv.accounts.models import User
from crsv.accounts.services import api_token_issue
from crsv.audit.models import AccessEvent
from crsv.keys.services import data_key_destroy
from incidents.models import Incident
from survivors.models import Consent, ConsentText, Survivor, SurvivorIncident
from survivors.services import consent_record

pytestmark = pytest.mark.django_db

LIST = "/api/v1/survivors/"
CANARY_NAME = "Canary Zawadi Qx7Kv9"
CANARY_PHONE = "+243 999 424 242"


def detail_url(survivor: Survivor | uuid.UUID) -> str:
    public_id = survivor.public_id if isinstance(survivor, Survivor) else survivor
    return f"{LIST}{public_id}/"


def assign_url(survivor: Survivor | uuid.UUID) -> str:
    return f"{detail_url(survivor)}assign/"


def consents_url(survivor: Survivor | uuid.UUID) -> str:
    return f"{detail_url(survivor)}consents/"


def withdraw_url(survivor: Survivor | uuid.UUID, consent: Consent | uuid.UUID) -> str:
    consent_id = consent.public_id if isinstance(consent, Consent) else consent
    return f"{consents_url(survivor)}{consent_id}/withdraw/"


def as_user(api_client: Any, user: User) -> Any:
    """The API client signed in as `user` (a fresh user object: no role cache carried over)."""
    api_client.force_authenticate(User.objects.get(pk=user.pk))
    return api_client


def with_token(api_client: Any, user: User) -> Any:
    raw, _token = api_token_issue(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def access_events(survivor: Survivor | None = None) -> int:
    events = AccessEvent.objects.all()
    if survivor is not None:
        events = events.filter(survivor_public_id=survivor.public_id)
    return events.count()


def link(survivor: Survivor, incident: Incident, by: User) -> SurvivorIncident:
    """The case linked to `incident` as intake links it (`survivor_register(incident=...)`, the
    only door: no page or API links an incident to an existing case)."""
    return SurvivorIncident.objects.create(survivor=survivor, incident=incident, linked_by=by)


def erase(survivor: Survivor) -> None:
    """What erasure does to the row (the erasure service comes with "Survivor cases II")."""
    data_key_destroy(data_key=survivor.data_key)
    Survivor.objects.filter(pk=survivor.pk).update(erased_at=timezone.now())


def grant(actor: User, survivor: Survivor, text: ConsentText, **overrides: Any) -> Consent:
    values: dict[str, Any] = {
        "purpose": Consent.Purpose.CASE_MANAGEMENT,
        "given_by": Consent.GivenBy.SURVIVOR,
        "method": Consent.Method.ORAL_WITNESSED,
        "explained_in": Consent.Language.SWAHILI,
        "consent_text": text,
    }
    values.update(overrides)
    return consent_record(actor=actor, survivor=survivor, **values)


def legacy_sharing_grant(actor: User, survivor: Survivor, text: ConsentText, organisation: str) -> Consent:
    """A sharing consent as the ledger held them before the directory: a typed organisation and
    no provider. `consent_record` no longer writes one (a new sharing consent names its
    provider), so the row is written as it was then."""
    return Consent.objects.create(
        survivor=survivor,
        purpose=Consent.Purpose.SHARE_IDENTIFIABLE,
        organisation=organisation,
        given_by=Consent.GivenBy.SURVIVOR,
        method=Consent.Method.ORAL_WITNESSED,
        explained_in=Consent.Language.SWAHILI,
        consent_text=text,
        given_at=timezone.now(),
        recorded_by=actor,
    )


GRANT_BODY: dict[str, Any] = {
    "purpose": "case_management",
    "given_by": "survivor",
    "method": "oral_witnessed",
    "explained_in": "sw",
    "consent_text_version": "1.0",
    "consent_text_language": "en",
}


# --- every operation -------------------------------------------------------------------------


def _operations(survivor: Survivor, consent: Consent) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("get", LIST, None),
        ("post", LIST, {"field_office": "GOM", "name": CANARY_NAME}),
        ("get", detail_url(survivor), None),
        ("patch", detail_url(survivor), {"notes": "x"}),
        ("post", assign_url(survivor), {"assignee": "wpa"}),
        ("get", consents_url(survivor), None),
        ("post", consents_url(survivor), GRANT_BODY),
        ("post", withdraw_url(survivor, consent), None),
    ]


@pytest.fixture
def case_with_consent(
    make_survivor: Callable[..., Survivor], wpa: User, consent_text: ConsentText
) -> tuple[Survivor, Consent]:
    survivor = make_survivor(wpa, name=CANARY_NAME, phone=CANARY_PHONE)
    return survivor, grant(wpa, survivor, consent_text)


def test_every_operation_refuses_anonymous_with_401_and_no_store(
    api_client: Any, case_with_consent: tuple[Survivor, Consent]
) -> None:
    for method, url, body in _operations(*case_with_consent):
        response = getattr(api_client, method)(url, body, format="json")
        assert response.status_code == 401, (method, url)
        assert response["WWW-Authenticate"] == "Bearer"
        assert response["Cache-Control"] == "no-store", (method, url)
    assert Survivor.objects.count() == 1
    assert access_events() == 0


def test_every_operation_answers_a_bearer_token_with_no_store(
    api_client: Any, case_with_consent: tuple[Survivor, Consent], wpa: User
) -> None:
    """The statuses of these answers are rows of the matrix (tests/survivors/test_matrix_api.py)."""
    client = with_token(api_client, wpa)
    for method, url, body in _operations(*case_with_consent):
        response = getattr(client, method)(url, body, format="json")
        assert response["Cache-Control"] == "no-store", (method, url)


def test_a_bad_bearer_token_is_401(api_client: Any) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get(LIST)
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


def test_errors_carry_no_store_too(api_client: Any, analyst: User, outsider: User, case: Survivor) -> None:
    assert as_user(api_client, analyst).get(LIST)["Cache-Control"] == "no-store"  # 403
    response = as_user(api_client, outsider).get(detail_url(case))
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"detail": "Not found."}  # the same as for a case that does not exist


@pytest.mark.parametrize("url", [LIST, "detail"])
def test_head_is_not_offered(api_client: Any, wpa: User, case: Survivor, url: str) -> None:
    """HEAD would build (and log) a body nobody receives."""
    path = detail_url(case) if url == "detail" else url
    response = as_user(api_client, wpa).head(path)
    assert response.status_code == 405
    assert access_events() == 0


def test_a_session_without_the_second_factor_is_401(wpa: User, case: Survivor) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(wpa)
    response = client.get(detail_url(case))
    assert response.status_code == 401
    assert CANARY_NAME.encode() not in response.content
    assert access_events() == 0


def test_a_verified_session_reads_but_needs_csrf_for_writes(wpa: User, case: Survivor) -> None:
    from rest_framework.test import APIClient

    from tests.conftest import verify_second_factor

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(wpa)
    verify_second_factor(client, wpa)
    assert client.get(LIST).status_code == 200
    response = client.post(LIST, {"field_office": "GOM", "name": CANARY_NAME}, format="json")
    assert response.status_code == 403
    assert Survivor.objects.count() == 1


def test_the_openapi_schema_describes_the_real_bodies_without_warnings() -> None:
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    patterns = [path("api/v1/survivors/", include("survivors.api.urls"))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache
    validate_schema(schema)
    operations = {
        (method, route): op["operationId"]
        for route, item in schema["paths"].items()
        for method, op in item.items()
    }
    assert len(operations) == 14
    components = schema["components"]["schemas"]
    row = components["SurvivorListItemOutput"]
    assert "name" in row["properties"] and "name" not in row["required"]  # absent unless revealed
    detail = components["SurvivorDetailOutput"]
    assert {"name", "phone", "incidents"} <= set(detail["properties"]) - set(detail["required"])
    assert components["SurvivorCreateInputRequest"]["required"] == ["field_office", "name"]
    assert "required" not in components["PatchedSurvivorUpdateInputRequest"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"bearerAuth": []} in schema["paths"]["/api/v1/survivors/"]["get"]["security"]


def test_no_survivor_value_reaches_the_logs(
    api_client: Any,
    case_with_consent: tuple[Survivor, Consent],
    wpa: User,
    senior_wpa: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every operation, as the owner and as a senior WPA, plus refused input: nothing logged at
    any level holds a survivor value."""
    caplog.set_level("DEBUG")
    for user in (wpa, senior_wpa):
        client = as_user(api_client, user)
        for method, url, body in _operations(*case_with_consent):
            getattr(client, method)(url, body, format="json")
        client.post(LIST, {"field_office": "NOPE", "name": CANARY_NAME, "sex": CANARY_NAME}, format="json")
        client.patch(detail_url(case_with_consent[0]), {"phone": CANARY_PHONE, "age": 500}, format="json")
    assert caplog.records  # the 4xx answers were logged (path only)
    assert CANARY_NAME not in caplog.text
    assert CANARY_PHONE not in caplog.text


def test_a_crash_report_holds_no_survivor_value(
    api_client: Any, wpa: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If registering crashes, Django's error report (the body of a 500 e-mail or debug page)
    shows neither the posted JSON nor the view's local variables."""
    import sys

    from django.core.signals import got_request_exception
    from django.views.debug import ExceptionReporter

    from survivors import services

    def crash(**kwargs: Any) -> None:
        raise RuntimeError("simulated failure")

    reports: list[str] = []

    def report(sender: Any, request: Any, **kwargs: Any) -> None:
        reports.append(ExceptionReporter(request, *sys.exc_info()).get_traceback_html())

    monkeypatch.setattr(services, "survivor_intake", crash)  # the API's intake is this service
    got_request_exception.connect(report)
    try:
        with pytest.raises(RuntimeError):
            as_user(api_client, wpa).post(
                LIST, {"field_office": "GOM", "name": CANARY_NAME, "phone": CANARY_PHONE}, format="json"
            )
    finally:
        got_request_exception.disconnect(report)
    assert len(reports) == 1
    assert "simulated failure" in reports[0]
    assert CANARY_NAME not in reports[0]
    assert CANARY_PHONE not in reports[0]
