"""POST /api/v1/auth/token/ and Bearer authentication."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from crsv.accounts.models import ApiToken, User
from crsv.accounts.services import api_token_hash, api_token_issue
from crsv.accounts.two_factor import demo_device_ensure
from crsv.audit.models import AuditEvent
from tests.conftest import current_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def test_token_is_issued_and_stored_hashed(api_client: Any, wpa: User) -> None:
    code = current_code(demo_device_ensure(user=wpa))
    response = api_client.post(
        URL, {"username": "wpa", "password": PASSWORD, "otp_token": code}, format="json"
    )
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    raw = response.json()["token"]
    assert len(raw) >= 40
    token = ApiToken.objects.get(user=wpa)
    assert token.key_hash == api_token_hash(raw)
    assert raw not in token.key_hash
    assert response.json()["expires_at"].startswith(str(token.expires_at.year))
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_ISSUED, actor=wpa).exists()


def test_wrong_password_is_401_with_message(api_client: Any, wpa: User) -> None:
    response = api_client.post(URL, {"username": "wpa", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong username or password."}
    assert not ApiToken.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 1


def test_missing_fields_are_400_with_field_errors(api_client: Any) -> None:
    response = api_client.post(URL, {"username": "wpa"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_inactive_user_gets_no_token(api_client: Any, wpa: User) -> None:
    wpa.is_active = False
    wpa.save()
    response = api_client.post(URL, {"username": "wpa", "password": PASSWORD}, format="json")
    assert response.status_code == 401


def test_bearer_token_authenticates(api_client: Any, wpa: User) -> None:
    raw, _ = api_token_issue(user=wpa)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api_client.get("/api/v1/auth/token/").status_code == 405  # authenticated, wrong verb


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer not-a-token", "Invalid token."),
        ("Bearer a b", "Invalid Authorization header: use 'Bearer <token>'."),
    ],
)
def test_bad_bearer_is_401(api_client: Any, header: str, message: str) -> None:
    from django.urls import path
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class Probe(APIView):
        def get(self, request: Any) -> Response:
            return Response({"ok": True})

    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().get("/probe", HTTP_AUTHORIZATION=header)
    response = Probe.as_view()(request)
    assert response.status_code == 401
    assert response.data["detail"] == message
    assert response["WWW-Authenticate"] == "Bearer"
    assert path  # keeps the import honest for type checkers


def test_expired_token_is_refused(wpa: User) -> None:
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    raw, token = api_token_issue(user=wpa)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    class Probe(APIView):
        def get(self, request: Any) -> Any:
            from rest_framework.response import Response

            return Response({"user": request.user.username})

    ok = Probe.as_view()(APIRequestFactory().get("/p", HTTP_AUTHORIZATION=f"Bearer {raw}"))
    assert ok.status_code == 401
    assert ok.data["detail"] == "The token has expired; request a new one."


def test_valid_token_reaches_the_view(wpa: User) -> None:
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    raw, _ = api_token_issue(user=wpa)

    class Probe(APIView):
        def get(self, request: Any) -> Response:
            return Response({"user": request.user.username})

    response = Probe.as_view()(APIRequestFactory().get("/p", HTTP_AUTHORIZATION=f"Bearer {raw}"))
    assert response.status_code == 200
    assert response.data == {"user": "wpa"}


def test_token_endpoint_is_throttled(api_client: Any, wpa: User) -> None:
    codes = [
        api_client.post(URL, {"username": "wpa", "password": "x"}, format="json").status_code
        for _ in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429
