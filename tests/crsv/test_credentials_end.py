"""`user_credentials_end`: one mechanism ends every session and API token of a user at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from crsv.accounts.models import ApiToken, User
from crsv.accounts.services import api_token_issue, user_credentials_end
from tests.conftest import verify_second_factor

pytestmark = pytest.mark.django_db
ME = "/api/v1/incidents/"


def _bearer(api_client: Any, raw: str) -> int:
    return int(api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code)


def test_ending_credentials_kills_sessions_and_tokens_of_that_user_only(
    login: Callable[[User], Client], api_client: Any, wpa: User, wpa_other: User
) -> None:
    client = login(wpa)
    other = Client()
    other.force_login(wpa_other)
    verify_second_factor(other, wpa_other)
    raw, _ = api_token_issue(user=wpa)
    raw_other, _ = api_token_issue(user=wpa_other)
    assert client.get("/").status_code == 200
    assert _bearer(api_client, raw) == 200

    revoked = user_credentials_end(user=wpa)

    assert revoked == 1
    assert ApiToken.objects.get(user=wpa).revoked_at is not None
    assert client.get("/").status_code == 302  # signed out: back to the sign-in page
    assert _bearer(api_client, raw) == 401
    assert other.get("/").status_code == 200
    assert _bearer(api_client, raw_other) == 200


def test_a_token_issued_afterwards_works(api_client: Any, wpa: User) -> None:
    user_credentials_end(user=wpa)
    raw, _ = api_token_issue(user=User.objects.get(pk=wpa.pk))
    assert _bearer(api_client, raw) == 200


def test_a_password_change_kills_tokens_without_any_call(api_client: Any, wpa: User) -> None:
    """The token carries the auth hash it was issued under, which includes the password hash:
    a password changed by any path (admin form, `changepassword`, shell) ends it."""
    raw, _ = api_token_issue(user=wpa)
    wpa.set_password("a-completely-new-password-2026")
    wpa.save()
    assert _bearer(api_client, raw) == 401


def test_a_token_row_with_a_forged_hash_is_refused(api_client: Any, wpa: User) -> None:
    raw, token = api_token_issue(user=wpa)
    ApiToken.objects.filter(pk=token.pk).update(auth_hash="")
    assert _bearer(api_client, raw) == 401
