"""Issue 8 items 6 and 13: what ends a user's tokens and sessions; DELETE /api/v1/auth/token/;
signing out ends one session only; the session id changes at the second factor."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from crsv.accounts import two_factor
from crsv.accounts.models import ApiToken, AuthenticatorDevice, User
from crsv.accounts.services import api_token_issue
from crsv.audit.models import AuditEvent
from tests.conftest import current_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"
PROBE = "/api/v1/survivors/"
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"


def _bearer(api_client: Any, raw: str) -> Any:
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def test_delete_revokes_the_token_it_comes_with(api_client: Any, wpa: User) -> None:
    raw, token = api_token_issue(user=wpa)
    other_raw, _ = api_token_issue(user=wpa)
    client = _bearer(api_client, raw)
    assert client.get(PROBE).status_code == 200
    response = client.delete(TOKEN)
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(PROBE).status_code == 401
    assert client.delete(TOKEN).status_code == 401
    assert (
        AuditEvent.objects.filter(actor=wpa, action="token_revoked", object_public_id=token.public_id).count()
        == 1
    )
    # Only that token: the user's other token still works.
    assert _bearer(api_client, other_raw).get(PROBE).status_code == 200


def test_delete_without_a_valid_token_is_401(api_client: Any, login: Any, wpa: User) -> None:
    assert api_client.delete(TOKEN).status_code == 401
    assert _bearer(api_client, "not-a-token").delete(TOKEN).status_code == 401
    # A verified browser session does not end an API client's token.
    _raw, token = api_token_issue(user=wpa)
    browser = login(wpa)
    assert browser.delete(TOKEN).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_dies_with_a_password_change(api_client: Any, wpa: User) -> None:
    raw, _ = api_token_issue(user=wpa)
    assert _bearer(api_client, raw).get(PROBE).status_code == 200
    wpa.set_password("another-long-password-1")
    wpa.save()
    assert api_client.get(PROBE).status_code == 401


def test_a_token_dies_with_a_second_factor_reset(api_client: Any, wpa: User, admin_user: User) -> None:
    raw, token = api_token_issue(user=wpa)
    assert _bearer(api_client, raw).get(PROBE).status_code == 200
    two_factor.two_factor_reset(actor=admin_user, user=wpa)
    assert api_client.get(PROBE).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_session_dies_with_a_second_factor_reset(login: Any, wpa: User, admin_user: User) -> None:
    client = login(wpa)
    assert client.get("/").status_code == 200
    two_factor.two_factor_reset(actor=admin_user, user=wpa)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_signing_out_ends_that_session_only(wpa: User) -> None:
    from tests.conftest import verify_second_factor

    first, second = Client(), Client()
    for client in (first, second):
        client.force_login(wpa)
        verify_second_factor(client, wpa)
    raw, _ = api_token_issue(user=wpa)
    assert first.post("/accounts/logout/").status_code == 200
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 200
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get(PROBE).status_code == 200


def test_the_session_id_changes_when_the_code_is_accepted(client: Client, wpa: User) -> None:
    device = two_factor.demo_device_ensure(user=wpa)
    assert client.post("/accounts/login/", {"username": "wpa", "password": PASSWORD}).status_code == 302
    before = client.session.session_key
    assert client.post(VERIFY, {"token": current_code(device), "next": "/"}).status_code == 302
    after = client.session.session_key
    assert before != after
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get("/").status_code == 200


def test_the_session_id_changes_when_enrolment_is_confirmed(client: Client, wpa: User) -> None:
    assert client.post("/accounts/login/", {"username": "wpa", "password": PASSWORD}).status_code == 302
    client.get(SETUP)
    before = client.session.session_key
    device = AuthenticatorDevice.objects.get(user=wpa, confirmed=False)
    assert client.post(SETUP, {"token": current_code(device), "next": "/"}).status_code == 200
    after = client.session.session_key
    assert before != after
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get("/").status_code == 200


def test_the_token_endpoint_schema_documents_delete(client: Client) -> None:
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    operation = schema["paths"][TOKEN]["delete"]
    assert set(operation["responses"]) == {"204", "401"}
    assert operation["security"] == [{"bearerAuth": []}]
    assert ApiToken  # the model the operation revokes
