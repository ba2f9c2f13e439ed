"""Helpers of the tests of an intake posted after its session expired: a reporter's browser
(the test client, CSRF checked) with the intake page open, and time travel through the
session's own timestamps (`crsv.middleware`), never by sleeping."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from django.test import Client

from crsv.accounts.models import User
from crsv.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from tests.conftest import verify_second_factor
from tests.factories import PASSWORD
from tests.incidents.pages import input_value

CREATE = "/incidents/new/"
IDLE = 15 * 60
ABSOLUTE = 10 * 3600


@dataclass
class OpenIntake:
    """A signed-in browser showing the empty intake: its CSRF token and the form's one-time key."""

    client: Client
    user: User
    csrf: str
    key: str

    def post(self, data: dict[str, str], **extra: Any) -> Any:
        return self.client.post(
            CREATE, {"csrfmiddlewaretoken": self.csrf, "intake_key": self.key} | data, **extra
        )

    def idle_for(self, seconds: float) -> None:
        session_stamp(self.client, SESSION_LAST_SEEN, seconds)

    def signed_in_for(self, seconds: float) -> None:
        session_stamp(self.client, SESSION_LOGIN_AT, seconds)

    def sign_in_again(self, user: User | None = None) -> Any:
        """Sign in (password and second factor) in the same browser; the first page after it."""
        user = user or self.user
        assert self.client.login(username=user.username, password=PASSWORD)
        verify_second_factor(self.client, user)
        return self.client.get("/")


def session_stamp(client: Client, key: str, seconds_ago: float) -> None:
    session = client.session
    session[key] = time.time() - seconds_ago
    session.save()


def open_intake(user: User) -> OpenIntake:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=user.username, password=PASSWORD)
    verify_second_factor(client, user)
    page = client.get(CREATE)
    assert page.status_code == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    key = input_value(page, "intake_key")
    assert csrf and key
    return OpenIntake(client=client, user=user, csrf=csrf.group(1), key=key)


def offer_link(page: Any) -> str | None:
    """The address the "open it" link of the page's messages leads to, if there is one."""
    found = re.search(
        r'saved as a draft[^<]*<a href="([^"]+)">open it</a>', page.content.decode() if page else ""
    )
    return found.group(1) if found else None
