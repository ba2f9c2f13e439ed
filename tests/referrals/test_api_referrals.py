"""GET/POST /api/v1/referrals/ and GET /api/v1/referrals/{id}/: the views per role, scope (404),
the provider's minimal view on the raw JSON, consent-gated contact details, input errors, and
the list's query count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import User
from crsv.audit.models import AccessEvent
from incidents.models import Incident
from referrals.models import Referral, ServiceProvider
from survivors.models import Consent, Survivor
from tests.referrals.test_api_common import (
    NOTE,
    REFERRALS,
    as_user,
    assert_no_canary,
    detail_url,
    masisi,
    nord_kivu,
    planted,
    planted_incident,
    sake,
    sent,
)

pytestmark = pytest.mark.django_db
__all__ = ["masisi", "nord_kivu", "planted", "planted_incident", "sake", "sent"]


def _create(planted: Survivor, hospital: ServiceProvider, **extra: Any) -> dict[str, Any]:
    return {
        "survivor": str(planted.public_id),
        "provider": str(hospital.public_id),
        "service_type": "medical",
        "urgency": "emergency",
        **extra,
    }


# --- list --------------------------------------------------------------------------------------


def test_the_wpa_lists_her_cases_referrals_with_filters(
    api_client: Any, wpa: User, sent: Referral, planted: Survivor, refer: Callable[..., Referral]
) -> None:
    draft = refer(planted, urgency=Referral.Urgency.ROUTINE)
    client = as_user(api_client, wpa)
    body = client.get(REFERRALS).json()
    assert [row["public_id"] for row in body["results"]] == [str(draft.public_id), str(sent.public_id)]
    assert body["next"] is None
    row = body["results"][1]
    assert row["view"] == "full" and row["survivor"]["code"] == planted.code
    assert (row["state"], row["urgency"], row["overdue"]) == ("sent", "emergency", False)
    assert [r["reference"] for r in client.get(REFERRALS, {"state": "draft"}).json()["results"]] == [
        draft.reference
    ]
    assert [r["reference"] for r in client.get(REFERRALS, {"urgency": "emergency"}).json()["results"]] == [
        sent.reference
    ]
    assert client.get(REFERRALS, {"overdue": "true"}).json()["results"] == []
    Referral.objects.filter(pk=sent.pk).update(due_at=sent.created_at + timedelta(microseconds=1))
    overdue = client.get(REFERRALS, {"overdue": "true"}).json()["results"]
    assert [r["reference"] for r in overdue] == [sent.reference] and overdue[0]["overdue"] is True
    assert_no_canary(client.get(REFERRALS).content)  # no name in the WPA's rows either


@pytest.mark.parametrize(
    "query", [{"status": "sent"}, {"state": "nope"}, {"overdue": "maybe"}, {"cursor": "not-a-cursor"}]
)
def test_bad_list_parameters_are_400(
    api_client: Any, wpa: User, sent: Referral, query: dict[str, str]
) -> None:
    response = as_user(api_client, wpa).get(REFERRALS, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_the_list_pages_with_a_cursor(
    api_client: Any,
    wpa: User,
    planted: Survivor,
    refer: Callable[..., Referral],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from referrals import selectors

    made = [refer(planted) for _ in range(3)]
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    client = as_user(api_client, wpa)
    first = client.get(REFERRALS, {"state": "draft"}).json()
    assert len(first["results"]) == 2 and "cursor=" in first["next"] and "state=draft" in first["next"]
    second = client.get(first["next"]).json()
    assert [r["public_id"] for r in first["results"] + second["results"]] == [
        str(r.public_id) for r in reversed(made)
    ]
    assert second["next"] is None


def test_the_provider_lists_minimal_rows_of_her_organisation_only(
    api_client: Any,
    provider: User,
    clinic_user: User,
    sent: Referral,
    planted: Survivor,
    refer: Callable[..., Referral],
    consent: Callable[..., Consent],
) -> None:
    refer(planted)  # a draft: never shown to a provider
    consent(planted, Consent.Purpose.SHARE_IDENTIFIABLE, provider=sent.provider)
    response = as_user(api_client, provider).get(REFERRALS)
    assert response.status_code == 200
    assert_no_canary(response.content)  # not even the contact details: a list never shows them
    assert b"narrative" not in response.content and b"incident" not in response.content
    rows = response.json()["results"]
    assert len(rows) == 1
    assert rows[0]["view"] == "provider" and rows[0]["contact_shared"] is True
    assert (rows[0]["survivor_code"], rows[0]["note"]) == (planted.code, NOTE)
    assert "name" not in rows[0] and "survivor" not in rows[0]
    assert as_user(api_client, clinic_user).get(REFERRALS).json()["results"] == []


@pytest.mark.parametrize("persona", ["analyst", "admin_user", "auditor", "reporter", "no_role"])
def test_roles_without_referrals_get_403(
    api_client: Any, request: pytest.FixtureRequest, persona: str
) -> None:
    client = as_user(api_client, request.getfixturevalue(persona))
    assert client.get(REFERRALS).status_code == 403
    assert client.post(REFERRALS, {}, format="json").status_code == 403


def _list_queries(api_client: Any, user: User) -> int:
    client = as_user(api_client, user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(REFERRALS).status_code == 200
    return len(queries)


def test_list_query_count_is_constant_in_rows(
    api_client: Any,
    wpa: User,
    provider: User,
    sent: Referral,
    planted: Survivor,
    refer: Callable[..., Referral],
) -> None:
    few = (_list_queries(api_client, wpa), _list_queries(api_client, provider))
    for n in range(6):
        refer(planted, note=f"note {n}", send=True)
    assert (_list_queries(api_client, wpa), _list_queries(api_client, provider)) == few


# --- detail ------------------------------------------------------------------------------------


def test_the_wpa_reads_the_full_view(
    api_client: Any, wpa: User, senior_wpa: User, sent: Referral, planted_incident: Incident
) -> None:
    for user in (wpa, senior_wpa):
        response = as_user(api_client, user).get(detail_url(sent))
        assert response.status_code == 200
        body = response.json()
        assert body["view"] == "full"
        assert body["note"] == NOTE and body["incident"]["reference"] == planted_incident.reference
        assert body["consent"] == str(sent.consent.public_id)  # type: ignore[union-attr]
        assert [e["action"] for e in body["history"]] == ["create", "send"]
        assert body["actions"] == ["cancel"]
        assert "name" not in body["survivor"]


def test_scope_is_404(
    api_client: Any,
    wpa_other: User,
    clinic_user: User,
    outsider: User,
    provider: User,
    sent: Referral,
    planted: Survivor,
    refer: Callable[..., Referral],
) -> None:
    draft = refer(planted)
    for user, referral in [
        (wpa_other, sent),  # a Bunia WPA without a grant on the Goma case
        (clinic_user, sent),  # another organisation
        (outsider, sent),
        (provider, draft),  # a draft is not sent to anyone yet
    ]:
        response = as_user(api_client, user).get(detail_url(referral))
        assert response.status_code == 404, user
        assert response.json() == {"detail": "Not found."}
        assert_no_canary(response.content)


def test_the_provider_view_is_minimal_and_contact_needs_the_consent_naming_her_organisation(
    api_client: Any,
    provider: User,
    sent: Referral,
    planted: Survivor,
    clinic: ServiceProvider,
    consent: Callable[..., Consent],
) -> None:
    client = as_user(api_client, provider)
    response = client.get(detail_url(sent))
    assert response.status_code == 200
    assert_no_canary(response.content)
    for word in (b"narrative", b"incident", b'"name"'):
        assert word not in response.content
    body = response.json()
    assert body["view"] == "provider" and body["actions"] == ["accept", "decline"]
    assert (body["safe_contact_method"], body["contact_shared"]) == (None, False)
    consent(planted, Consent.Purpose.SHARE_IDENTIFIABLE, provider=clinic)  # names another organisation
    assert client.get(detail_url(sent)).json()["safe_contact_method"] is None
    assert not AccessEvent.objects.exists()
    consent(planted, Consent.Purpose.SHARE_IDENTIFIABLE, provider=sent.provider)
    body = client.get(detail_url(sent)).json()
    assert (body["safe_contact_method"], body["contact_shared"]) == (planted.safe_contact_method, True)
    events = AccessEvent.objects.filter(actor=provider, survivor_public_id=planted.public_id)
    assert list(events.values_list("kind", flat=True)) == [AccessEvent.Kind.API]
    content = client.get(detail_url(sent)).content
    assert b"narrative" not in content and planted.code.encode() in content
    assert events.count() == 2  # each reading is logged


# --- create ------------------------------------------------------------------------------------


def test_create_a_draft_then_one_sent_at_once(
    api_client: Any, wpa: User, planted: Survivor, planted_incident: Incident, hospital: ServiceProvider
) -> None:
    client = as_user(api_client, wpa)
    response = client.post(REFERRALS, _create(planted, hospital, note="Draft note"), format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["sent_at"], body["note"], body["incident"]) == (
        "draft",
        None,
        "Draft note",
        None,
    )
    assert body["actions"] == ["send", "cancel"]
    sent = client.post(
        REFERRALS,
        _create(planted, hospital, incident=str(planted_incident.public_id), send=True),
        format="json",
    )
    assert sent.status_code == 201
    assert sent.json()["state"] == "sent" and sent.json()["incident"]["public_id"] == str(
        planted_incident.public_id
    )
    assert Referral.objects.count() == 2


def test_sending_without_consent_names_it_and_creates_nothing(
    api_client: Any, wpa: User, make_survivor: Callable[..., Survivor], hospital: ServiceProvider
) -> None:
    bare = make_survivor(wpa)
    response = as_user(api_client, wpa).post(REFERRALS, _create(bare, hospital, send=True), format="json")
    assert response.status_code == 400
    assert (
        "No referral consent in force for medical services with HEAL Africa" in response.json()["consent"][0]
    )
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),  # unknown
        ({"state": "sent"}, "state"),  # the workflow's
        ({"survivor": {"public_id": "x"}}, "survivor"),  # nested
        ({"provider": "not-a-uuid"}, "provider"),
        ({"service_type": "magic"}, "service_type"),
        ({"urgency": None}, "urgency"),
        ({"send": "perhaps"}, "send"),
        ({"note": "x" * 5001}, "note"),
        ({"incident": "8a0b2f4e-3c1d-4e5f-9a6b-7c8d9e0f1a2b"}, "incident"),  # not linked
        ({"service_type": "legal_aid"}, "provider"),  # the hospital does not offer it
    ],
)
def test_bad_bodies_are_400_by_field(
    api_client: Any,
    wpa: User,
    planted: Survivor,
    hospital: ServiceProvider,
    change: dict[str, Any],
    field: str,
) -> None:
    response = as_user(api_client, wpa).post(
        REFERRALS, {**_create(planted, hospital), **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Referral.objects.exists()


def test_a_body_that_is_not_an_object_is_400(api_client: Any, wpa: User) -> None:
    client = as_user(api_client, wpa)
    assert client.post(REFERRALS, [{"survivor": "x"}], format="json").status_code == 400
    assert client.post(REFERRALS, {"a": {"b": {"c": [1]}}}, format="json").status_code == 400


def test_create_out_of_scope_or_unknown_reads_the_same(
    api_client: Any, wpa_other: User, planted: Survivor, hospital: ServiceProvider, clinic: ServiceProvider
) -> None:
    client = as_user(api_client, wpa_other)
    out_of_scope = client.post(REFERRALS, _create(planted, hospital), format="json")
    unknown = client.post(
        REFERRALS,
        {**_create(planted, hospital), "survivor": "8a0b2f4e-3c1d-4e5f-9a6b-7c8d9e0f1a2b"},
        format="json",
    )
    assert out_of_scope.status_code == unknown.status_code == 400
    assert out_of_scope.json() == unknown.json() == {"survivor": ["No case you can see has this id."]}
    assert_no_canary(out_of_scope.content)


def test_a_provider_may_not_create(
    api_client: Any, provider: User, planted: Survivor, hospital: ServiceProvider
) -> None:
    response = as_user(api_client, provider).post(REFERRALS, _create(planted, hospital), format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not make referrals."}


def test_a_provider_that_does_not_serve_the_office_is_refused(
    api_client: Any, wpa: User, planted: Survivor, other_office: Any
) -> None:
    from tests.referrals.conftest import provider_make

    bunia_only = provider_make("Bunia Clinic", [other_office])
    response = as_user(api_client, wpa).post(REFERRALS, _create(planted, bunia_only), format="json")
    assert response.status_code == 400
    assert response.json() == {"provider": ["This provider does not serve the case's field office."]}
