"""The keep-alive ping (crsv.accounts.keep_alive): typing keeps a session alive, from the ping
on, never beyond the absolute lifetime; the optional script that sends it (static/js/keep_alive.js)
is on signed-in pages, as a file the Content-Security-Policy allows. Time travels through the
session's own timestamps, never by sleeping."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from crsv.accounts.keep_alive import keep_alive_seconds
from crsv.accounts.models import User
from crsv.accounts.two_factor import demo_device_ensure
from crsv.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from tests.conftest import verify_second_factor
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
PING = "/accounts/keep-alive/"
IDLE = 15 * 60
ABSOLUTE = 10 * 3600


@pytest.fixture
def signed_in(wpa: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="wpa", password=PASSWORD)
    verify_second_factor(client, wpa)
    assert client.get("/").status_code == 200
    return client


def _set(client: Client, key: str, seconds_ago: float) -> None:
    session = client.session
    session[key] = time.time() - seconds_ago
    session.save()


def _ping(client: Client) -> Any:
    return client.post(PING, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)


def _signed_out(client: Client) -> bool:
    return client.get("/").status_code == 302


def test_a_ping_answers_204_uncached(signed_in: Client) -> None:
    response = _ping(signed_in)
    assert response.status_code == 204
    assert "no-store" in response["Cache-Control"]
    assert response.content == b""


def test_a_ping_restarts_the_idle_period(signed_in: Client) -> None:
    # 14 minutes without a request: a ping, and the idle period starts again from it.
    _set(signed_in, SESSION_LAST_SEEN, IDLE - 60)
    assert _ping(signed_in).status_code == 204
    assert time.time() - signed_in.session[SESSION_LAST_SEEN] < 5
    # The next 14 minutes pass; still alive, since the idle period counts from the ping.
    _set(signed_in, SESSION_LAST_SEEN, IDLE - 60)
    assert not _signed_out(signed_in)


def test_a_ping_marks_the_second_not_the_minute(signed_in: Client) -> None:
    """Ordinary requests record activity once a minute; the ping records its own second, so the
    idle period counts from it exactly."""
    _set(signed_in, SESSION_LAST_SEEN, 30)
    assert _ping(signed_in).status_code == 204
    assert time.time() - signed_in.session[SESSION_LAST_SEEN] < 5


def test_without_a_ping_the_idle_session_ends(signed_in: Client) -> None:
    _set(signed_in, SESSION_LAST_SEEN, IDLE + 60)
    assert _signed_out(signed_in)


def test_a_ping_after_the_idle_timeout_revives_nothing(signed_in: Client) -> None:
    """Refused, and the session left as it was: expired, for the form's post that may follow
    (tests/incidents/test_intake_after_timeout.py), and good for nothing else."""
    _set(signed_in, SESSION_LAST_SEEN, IDLE + 1)
    key, last_seen = signed_in.session.session_key, signed_in.session[SESSION_LAST_SEEN]
    response = _ping(signed_in)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert signed_in.session.session_key == key and signed_in.session[SESSION_LAST_SEEN] == last_seen
    assert _signed_out(signed_in)  # any other request ends it
    assert not Session.objects.filter(session_key=key).exists()


def test_pings_never_extend_the_absolute_lifetime(signed_in: Client) -> None:
    _set(signed_in, SESSION_LOGIN_AT, ABSOLUTE - 60)
    signed_in_at = signed_in.session[SESSION_LOGIN_AT]
    assert _ping(signed_in).status_code == 204
    assert signed_in.session[SESSION_LOGIN_AT] == signed_in_at  # untouched by the ping
    _set(signed_in, SESSION_LOGIN_AT, ABSOLUTE + 1)
    _set(signed_in, SESSION_LAST_SEEN, 10)  # typing all along
    response = _ping(signed_in)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert _signed_out(signed_in)


def test_a_ping_without_the_csrf_token_is_refused(signed_in: Client) -> None:
    # Half a minute: under the minute at which any request would mark activity, so only the
    # ping's own mark could move it.
    _set(signed_in, SESSION_LAST_SEEN, 30)
    assert signed_in.post(PING).status_code == 403
    assert signed_in.post(PING, HTTP_X_CSRFTOKEN="x" * 32).status_code == 403
    assert time.time() - signed_in.session[SESSION_LAST_SEEN] >= 29  # not kept alive


def test_only_post(signed_in: Client) -> None:
    assert signed_in.get(PING).status_code == 405


def test_a_session_without_its_second_factor_is_sent_to_it(wpa: User) -> None:
    client = Client()
    assert client.login(username="wpa", password=PASSWORD)
    response = client.post(PING)
    assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"]


def test_the_timeouts_are_read_on_each_request(signed_in: Client, settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = timedelta(seconds=30)
    _set(signed_in, SESSION_LAST_SEEN, 40)
    assert _signed_out(signed_in)


def test_the_interval_is_a_quarter_of_the_idle_timeout_at_most_three_minutes(settings: Any) -> None:
    assert timedelta(minutes=15) == settings.SESSION_IDLE_TIMEOUT
    assert keep_alive_seconds() == 180
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=8)
    assert keep_alive_seconds() == 120
    settings.SESSION_IDLE_TIMEOUT = timedelta(seconds=8)
    assert keep_alive_seconds() == 2
    settings.SESSION_IDLE_TIMEOUT = timedelta(seconds=2)
    assert keep_alive_seconds() == 1


def _script_tags(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html)


def test_signed_in_pages_load_the_script_as_a_file(signed_in: Client) -> None:
    response = signed_in.get("/incidents/")
    tags = _script_tags(response.content.decode())
    assert tags == [
        '<script src="/static/js/keep_alive.js" defer data-keep-alive-url="/accounts/keep-alive/"'
        ' data-keep-alive-seconds="180">'
    ]
    assert "<script>" not in response.content.decode()  # no inline code
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "connect-src 'self'" in policy


def test_pages_of_no_signed_in_user_do_not_load_it(client: Client, wpa: User) -> None:
    assert _script_tags(client.get("/accounts/login/").content.decode()) == []
    demo_device_ensure(user=wpa)
    assert client.login(username="wpa", password=PASSWORD)  # password only: not yet verified
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200 and _script_tags(page.content.decode()) == []


def test_the_script_is_served_and_sends_no_typed_value(client: Client) -> None:
    response = client.get("/static/js/keep_alive.js")
    assert response.status_code == 200
    chunks = response.streaming_content if response.streaming else [response.content]
    source = b"".join(chunks).decode()
    assert "X-CSRFToken" in source and 'method: "POST"' in source
    assert "body:" not in source and "FormData" not in source  # the ping carries no form value
    assert "http://" not in source and "https://" not in source  # nothing from elsewhere
    assert settings.STATIC_URL == "/static/"
