"""POST /api/v1/referrals/{id}/transitions/ through the one dispatcher: every move, its refusals
in the order 404, action (400), 403, 409, fields (400), and the body afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crsv.accounts.models import User
from referrals.models import Referral
from survivors.models import Survivor
from tests.referrals.test_api_common import (
    as_user,
    assert_no_canary,
    masisi,
    nord_kivu,
    planted,
    planted_incident,
    sake,
    sent,
    transitions_url,
)

pytestmark = pytest.mark.django_db
__all__ = ["masisi", "nord_kivu", "planted", "planted_incident", "sake", "sent"]


def move(api_client: Any, user: User, referral: Referral, body: Any) -> Any:
    return as_user(api_client, user).post(transitions_url(referral), body, format="json")


def test_the_provider_accepts_starts_and_completes(api_client: Any, provider: User, sent: Referral) -> None:
    response = move(api_client, provider, sent, {"action": "accept"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["view"]) == ("accepted", "provider")
    assert_no_canary(response.content)
    assert move(api_client, provider, sent, {"action": "start"}).json()["state"] == "in_progress"
    done = move(api_client, provider, sent, {"action": "complete", "outcome": "PEP given."})
    assert (done.json()["state"], done.json()["actions"]) == ("completed", [])
    sent.refresh_from_db()
    assert sent.outcome == "PEP given."
    assert [e.action for e in sent.events.order_by("occurred_at", "id")] == [
        "create",
        "send",
        "accept",
        "start",
        "complete",
    ]


def test_decline_needs_a_reason(api_client: Any, provider: User, sent: Referral) -> None:
    response = move(api_client, provider, sent, {"action": "decline", "reason": "  "})
    assert response.status_code == 400
    assert response.json() == {"reason": ["This field is required."]}
    response = move(api_client, provider, sent, {"action": "decline", "reason": "No bed tonight."})
    assert response.json()["state"] == "declined"


def test_the_wpa_sends_a_draft_and_cancels(
    api_client: Any, wpa: User, planted: Survivor, refer: Callable[..., Referral]
) -> None:
    draft = refer(planted)
    response = move(api_client, wpa, draft, {"action": "send"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["view"]) == ("sent", "full")
    assert move(api_client, wpa, draft, {"action": "cancel"}).json() == {
        "reason": ["This field is required."]
    }
    cancelled = move(api_client, wpa, draft, {"action": "cancel", "reason": "She moved to Bukavu."})
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["reason"] == "She moved to Bukavu."


def test_sending_without_consent_is_400_and_nothing_moves(
    api_client: Any, wpa: User, make_survivor: Callable[..., Survivor], refer: Callable[..., Referral]
) -> None:
    draft = refer(make_survivor(wpa))
    response = move(api_client, wpa, draft, {"action": "send"})
    assert response.status_code == 400
    assert "consent" in response.json()
    draft.refresh_from_db()
    assert draft.state == "draft"


@pytest.mark.parametrize(
    ("persona", "body"),
    [
        ("wpa", {"action": "accept"}),
        ("senior_wpa", {"action": "decline", "reason": "x"}),
        ("provider", {"action": "cancel", "reason": "x"}),
        ("provider", {"action": "send"}),
    ],
)
def test_the_wrong_side_gets_403(
    api_client: Any, request: pytest.FixtureRequest, sent: Referral, persona: str, body: dict[str, str]
) -> None:
    response = move(api_client, request.getfixturevalue(persona), sent, body)
    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.state == "sent"


@pytest.mark.parametrize(
    ("persona", "body"),
    [
        ("provider", {"action": "start"}),  # not accepted yet
        ("provider", {"action": "complete"}),
        ("wpa", {"action": "send"}),  # sent already
    ],
)
def test_an_illegal_move_is_409(
    api_client: Any, request: pytest.FixtureRequest, sent: Referral, persona: str, body: dict[str, str]
) -> None:
    response = move(api_client, request.getfixturevalue(persona), sent, body)
    assert response.status_code == 409
    assert "not possible" in response.json()["detail"]


def test_accepting_twice_is_409_and_403_comes_before_409(
    api_client: Any, provider: User, colleague: User, wpa: User, sent: Referral
) -> None:
    assert move(api_client, provider, sent, {"action": "accept"}).status_code == 200
    assert move(api_client, colleague, sent, {"action": "accept"}).status_code == 409
    assert move(api_client, wpa, sent, {"action": "accept"}).status_code == 403  # who, then the state


@pytest.mark.parametrize("persona", ["clinic_user", "wpa_other", "outsider"])
def test_out_of_scope_is_404_whatever_the_body(
    api_client: Any, request: pytest.FixtureRequest, sent: Referral, persona: str
) -> None:
    for body in ({"action": "accept"}, {"action": "nope"}, {"colour": "red"}):
        response = move(api_client, request.getfixturevalue(persona), sent, body)
        assert response.status_code == 404


@pytest.mark.parametrize("persona", ["analyst", "reporter", "admin_user"])
def test_roles_without_referrals_get_404(
    api_client: Any, request: pytest.FixtureRequest, sent: Referral, persona: str
) -> None:
    assert move(api_client, request.getfixturevalue(persona), sent, {"action": "accept"}).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "action"),
        ({"action": "revoke"}, "action"),  # the system's alone
        ({"action": "teleport"}, "action"),
        ({"action": {"name": "accept"}}, "action"),  # nested
        ({"action": "accept", "colour": "red"}, "colour"),  # unknown
        ({"action": "accept", "reason": "why not"}, "reason"),  # not used by accept
        ({"action": "decline", "reason": {"text": "x"}}, "reason"),
        ({"action": "decline", "reason": "r" * 5001}, "reason"),
    ],
)
def test_bad_bodies_are_400(api_client: Any, provider: User, sent: Referral, body: Any, field: str) -> None:
    response = move(api_client, provider, sent, body)
    assert response.status_code == 400
    assert field in response.json()
    sent.refresh_from_db()
    assert sent.state == "sent"


def test_a_list_body_is_400(api_client: Any, provider: User, sent: Referral) -> None:
    response = move(api_client, provider, sent, [{"action": "accept"}])
    assert response.status_code == 400
