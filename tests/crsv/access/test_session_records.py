"""A browser session is recorded at sign-in under the key the browser ends up holding: the key
changes at the password step (Django's login) and again at the second factor, after the
`user_logged_in` receiver ran. Through the real sign-in pages, not force_login."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from crsv.accounts import two_factor
from crsv.accounts.models import AuthenticatorDevice, User, UserSession
from crsv.accounts.sessions import user_session_end
from tests.conftest import current_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (Linux; Android 10) Firefox/115.0"


def _cookie(client: Client) -> str:
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


def _password_step(client: Client, user: User) -> str:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return _cookie(client)


def test_the_row_follows_the_key_through_the_second_factor(target: User) -> None:
    device = two_factor.demo_device_ensure(user=target)
    client = Client(HTTP_USER_AGENT=BROWSER)
    client.get("/accounts/login/")
    after_password = _password_step(client, target)
    row = UserSession.objects.get(user=target)
    assert row.session_key == after_password

    response = client.post("/accounts/two-factor/", {"token": current_code(device), "next": "/"})

    assert response.status_code == 302
    final = _cookie(client)
    assert final != after_password  # the second factor gave the session a new key
    row.refresh_from_db()
    assert row.session_key == final
    assert Session.objects.filter(session_key=final).exists()
    assert UserSession.objects.filter(user=target).count() == 1
    assert row.ip_address == "127.0.0.1"
    assert row.user_agent == BROWSER
    assert client.get("/").status_code == 200


def test_the_row_follows_the_key_through_enrolment(target: User) -> None:
    client = Client()
    _password_step(client, target)
    client.get("/accounts/two-factor/setup/")
    device = AuthenticatorDevice.objects.get(user=target, confirmed=False)

    done = client.post("/accounts/two-factor/setup/", {"token": current_code(device), "next": "/"})

    assert done.status_code == 200  # the recovery codes
    assert UserSession.objects.get(user=target).session_key == _cookie(client)


def test_a_sign_in_over_another_users_session_is_recorded(target: User, wpa: User) -> None:
    """Signing in over another user's session flushes it: it has no key until saved, and the
    receiver saves it to record the key its cookie will carry."""
    from django.contrib.auth import login
    from django.test import RequestFactory

    from crsv.accounts.browser_sessions import SessionStore

    request = RequestFactory().get("/")
    request.session = SessionStore()
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    login(request, wpa, backend=backend)
    first = request.session.session_key
    login(request, target, backend=backend)

    assert request.session.session_key not in (None, first)
    assert UserSession.objects.get(user=target).session_key == request.session.session_key
    assert not UserSession.objects.filter(user=wpa).exists()  # her session was flushed: its row went
    assert Session.objects.filter(session_key=request.session.session_key).exists()


def test_signing_out_deletes_the_row(target: User) -> None:
    device = two_factor.demo_device_ensure(user=target)
    client = Client()
    _password_step(client, target)
    client.post("/accounts/two-factor/", {"token": current_code(device), "next": "/"})
    assert UserSession.objects.filter(user=target).exists()

    client.post("/accounts/logout/")

    assert not UserSession.objects.filter(user=target).exists()


def test_clearsessions_takes_the_rows_of_expired_sessions(target: User, wpa: User) -> None:
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from tests.crsv.access.conftest import signed_in

    signed_in(target), signed_in(wpa)
    Session.objects.filter(session_key=UserSession.objects.get(user=target).session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    call_command("clearsessions")
    assert list(UserSession.objects.values_list("user__username", flat=True)) == [wpa.username]


def test_an_administrator_ends_the_session_the_browser_holds(admin_user: User, target: User) -> None:
    device = two_factor.demo_device_ensure(user=target)
    client = Client()
    _password_step(client, target)
    client.post("/accounts/two-factor/", {"token": current_code(device), "next": "/"})
    assert client.get("/").status_code == 200

    user_session_end(actor=admin_user, user=target, session_id=UserSession.objects.get(user=target).pk)

    response: Any = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Session.objects.filter(session_key=_cookie(client)).exists()
