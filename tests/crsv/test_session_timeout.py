"""Idle and absolute session timeouts; dates shown in the office's time zone."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from crsv.accounts.models import User
from crsv.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT, SESSION_TIME_ZONE
from tests.conftest import verify_second_factor
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client: Client, wpa: User) -> Client:
    assert client.login(username="wpa", password=PASSWORD)
    verify_second_factor(client, wpa)
    assert client.get("/").status_code == 200
    return client


def _age(client: Client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_active_session_stays(signed_in: Client) -> None:
    _age(signed_in, SESSION_LAST_SEEN, 14 * 60)
    assert signed_in.get("/").status_code == 200
    assert time.time() - signed_in.session[SESSION_LAST_SEEN] < 5  # activity refreshed it


def test_idle_session_is_logged_out(signed_in: Client) -> None:
    _age(signed_in, SESSION_LAST_SEEN, 16 * 60)
    response = signed_in.get("/", follow=True)
    assert response.redirect_chain[0][1] == 302
    assert "Your session expired" in response.content.decode()
    assert signed_in.get("/").status_code == 302


def test_absolute_timeout(signed_in: Client) -> None:
    _age(signed_in, SESSION_LOGIN_AT, 11 * 3600)
    assert signed_in.get("/").status_code == 302


def test_office_time_zone_kept_at_login(signed_in: Client) -> None:
    assert signed_in.session[SESSION_TIME_ZONE] == "Africa/Lubumbashi"
