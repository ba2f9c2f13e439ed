"""Two-factor sign-in for every role: enrolment, verification, replay, recovery codes, API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from crsv.accounts import two_factor
from crsv.accounts.models import AuthenticatorDevice, User
from crsv.accounts.services import api_token_issue
from crsv.audit.models import AuditEvent
from tests.conftest import current_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
VERIFY = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"


def _password_login(client: Client, username: str) -> None:
    assert client.login(username=username, password=PASSWORD)


@pytest.mark.parametrize(
    "persona", ["reporter", "wpa", "senior_wpa", "analyst", "provider", "admin_user", "auditor", "no_role"]
)
@pytest.mark.parametrize("path", ["/", "/survivors/", "/survivors/new/", "/admin/"])
def test_password_alone_gets_nowhere(
    client: Client, request: pytest.FixtureRequest, persona: str, path: str
) -> None:
    user = request.getfixturevalue(persona)
    _password_login(client, user.username)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_unverified_session_is_401_on_the_api(client: Client, wpa: User) -> None:
    _password_login(client, "wpa")
    response = client.get("/api/v1/survivors/")
    assert response.status_code == 401


def test_enrolment_on_first_sign_in(client: Client, wpa: User) -> None:
    _password_login(client, "wpa")
    response = client.get(VERIFY, follow=True)
    assert response.redirect_chain[-1][0].startswith(SETUP)
    body = response.content.decode()
    assert 'src="data:image/svg+xml' in body  # the QR code, rendered on the server
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', body)
    assert secret is not None
    device = AuthenticatorDevice.objects.get(user=wpa, confirmed=False)
    done = client.post(SETUP, {"token": current_code(device), "next": "/"})
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{6})</code>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(actor=wpa, action="two_factor.enrolled").exists()


def test_wrong_enrolment_code_is_refused(client: Client, wpa: User) -> None:
    _password_login(client, "wpa")
    client.get(SETUP)
    wrong = client.post(SETUP, {"token": "000000"})
    assert "This code is wrong" in wrong.content.decode()
    assert not two_factor.has_two_factor(wpa)
    assert client.get("/").status_code == 302


def test_replayed_code_is_refused(client: Client, wpa: User) -> None:
    device = two_factor.demo_device_ensure(user=wpa)
    code = current_code(device)
    _password_login(client, "wpa")
    assert client.post(VERIFY, {"token": code, "next": "/"}).status_code == 302
    other = Client()
    _password_login(other, "wpa")
    replay = other.post(VERIFY, {"token": code, "next": "/"})
    assert replay.status_code == 200
    assert "already used" in replay.content.decode()
    assert other.get("/").status_code == 302
    assert AuditEvent.objects.filter(actor=wpa, action="two_factor.failed").count() == 1


def test_recovery_code_works_once(client: Client, wpa: User) -> None:
    two_factor.demo_device_ensure(user=wpa)
    code = two_factor.recovery_codes_replace(user=wpa)[0]
    _password_login(client, "wpa")
    assert client.post(VERIFY, {"token": code, "next": "/"}).status_code == 302
    assert client.get("/").status_code == 200
    again = Client()
    _password_login(again, "wpa")
    assert again.post(VERIFY, {"token": code, "next": "/"}).status_code == 200
    assert again.get("/").status_code == 302


def test_admin_reset_makes_the_user_enrol_again(wpa: User, admin_user: User) -> None:
    two_factor.demo_device_ensure(user=wpa)
    two_factor.two_factor_reset(actor=admin_user, user=wpa)
    assert not two_factor.has_two_factor(wpa)
    assert AuditEvent.objects.filter(actor=admin_user, action="two_factor.reset").exists()


def test_verify_ignores_an_offsite_next(client: Client, wpa: User) -> None:
    device = two_factor.demo_device_ensure(user=wpa)
    _password_login(client, "wpa")
    response = client.post(VERIFY, {"token": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize(
    ("otp", "message"),
    [
        (None, "A two-factor code is required (otp_token)."),
        ("123456", "Wrong, expired or already used two-factor code."),
    ],
)
def test_token_endpoint_needs_the_second_factor(
    api_client: Any, wpa: User, otp: str | None, message: str
) -> None:
    two_factor.demo_device_ensure(user=wpa)
    body = {"username": "wpa", "password": PASSWORD}
    if otp is not None:
        body["otp_token"] = otp
    response = api_client.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": message}


def test_token_endpoint_without_enrolment(api_client: Any, wpa: User) -> None:
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "wpa", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Set up two-factor sign-in in the web app first."}


def test_token_endpoint_with_code_and_replay(api_client: Any, wpa: User) -> None:
    device = two_factor.demo_device_ensure(user=wpa)
    body = {"username": "wpa", "password": PASSWORD, "otp_token": current_code(device)}
    assert api_client.post("/api/v1/auth/token/", body, format="json").status_code == 201
    assert api_client.post("/api/v1/auth/token/", body, format="json").status_code == 401


def test_bearer_token_is_verified_by_construction(api_client: Any, wpa: User) -> None:
    raw, _ = api_token_issue(user=wpa)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get("/api/v1/survivors/").status_code == 200


def test_a_reset_ends_verified_sessions_on_the_next_request(login: Any, wpa: User, admin_user: User) -> None:
    client = login(wpa)
    assert client.get("/").status_code == 200
    two_factor.two_factor_reset(actor=admin_user, user=wpa)
    response = client.get("/")
    assert response.status_code == 302
    # Issue 8 item 6: a reset ends the session itself (back to the password), not only its
    # second factor.
    assert response["Location"].startswith("/accounts/login/")
