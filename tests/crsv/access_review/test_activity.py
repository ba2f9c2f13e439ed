"""Last activity (crsv.accounts.activity): written at most every 5 minutes per session or API
user, and not one query more on the requests in between."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from crsv.accounts.activity import ACTIVITY_INTERVAL, SESSION_ACTIVITY_AT, activity_cache_key
from crsv.accounts.models import ApiToken, User, UserSession
from crsv.accounts.services import api_token_issue
from crsv.accounts.two_factor import demo_device_ensure
from crsv.middleware import SESSION_LAST_SEEN
from tests.conftest import current_code, verify_second_factor

pytestmark = pytest.mark.django_db
MIDDLEWARE = "crsv.accounts.activity.ActivityMiddleware"
LONG_AGO = timezone.now() - timedelta(days=30)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    UserSession.objects.update_or_create(session_key=client.session.session_key, defaults={"user": user})
    return client


def _age(client: Client, **seconds: float) -> None:
    """Move the session's stamps `seconds` into the past: SESSION_ACTIVITY_AT=301, ..."""
    session = client.session
    for key, value in seconds.items():
        session[key] = time.time() - value
    session.save()


def _forget_activity(user: User) -> None:
    User.objects.filter(pk=user.pk).update(last_active_at=LONG_AGO)
    UserSession.objects.filter(user=user).update(last_seen_at=LONG_AGO)


def _activity(user: User) -> tuple[Any, Any]:
    seen = UserSession.objects.filter(user=user).values_list("last_seen_at", flat=True).first()
    return User.objects.get(pk=user.pk).last_active_at, seen


def _recent(moment: Any) -> bool:
    return moment is not None and timezone.now() - moment < timedelta(seconds=30)


def _writes(queries: CaptureQueriesContext) -> list[str]:
    marks = (
        'UPDATE "accounts_user" SET "last_active_at"',
        'UPDATE "accounts_usersession" SET "last_seen_at"',
    )
    return [q["sql"] for q in queries if q["sql"].startswith(marks)]


def test_the_middleware_is_installed_after_authentication_and_the_session_stamp() -> None:
    order = django_settings.MIDDLEWARE
    assert order.index(MIDDLEWARE) > order.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert order.index(MIDDLEWARE) > order.index("crsv.middleware.SessionTimeoutMiddleware")


def test_passing_the_second_factor_records_the_user_and_the_session(wpa: User) -> None:
    client = Client()
    client.force_login(wpa)  # the password step
    UserSession.objects.update_or_create(session_key=client.session.session_key, defaults={"user": wpa})
    _forget_activity(wpa)
    device = demo_device_ensure(user=wpa)
    response = client.post("/accounts/two-factor/", {"token": current_code(device), "next": "/"})
    assert response.status_code == 302
    user_seen, session_seen = _activity(wpa)
    assert _recent(user_seen) and _recent(session_seen)  # the row followed the session's new key
    assert time.time() - client.session[SESSION_ACTIVITY_AT] < 30


def test_a_session_without_a_stamp_writes_on_its_first_saved_request(wpa: User) -> None:
    client = _signed_in(wpa)
    _forget_activity(wpa)
    client.get("/")
    assert _activity(wpa) == (LONG_AGO, LONG_AGO)  # nothing saved the session: nothing written
    _age(client, **{SESSION_LAST_SEEN: 61})
    client.get("/")
    user_seen, session_seen = _activity(wpa)
    assert _recent(user_seen) and _recent(session_seen)


def test_the_requests_in_between_add_no_query(wpa: User, settings: Any) -> None:
    client = _signed_in(wpa)
    _age(client, **{SESSION_LAST_SEEN: 61})
    client.get("/")
    assert _recent(_activity(wpa)[0])
    _forget_activity(wpa)
    with CaptureQueriesContext(connection) as with_activity:
        assert client.get("/").status_code == 200
    # The same request without the middleware (a new client: the handler loads it once).
    bare = Client()
    bare.cookies = client.cookies
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]
    with CaptureQueriesContext(connection) as without_activity:
        assert bare.get("/").status_code == 200
    assert _writes(with_activity) == []
    assert len(with_activity) == len(without_activity)
    assert _activity(wpa) == (LONG_AGO, LONG_AGO)


def test_after_five_minutes_the_next_saved_session_writes(wpa: User) -> None:
    client = _signed_in(wpa)
    _age(client, **{SESSION_LAST_SEEN: 61})
    client.get("/")
    _forget_activity(wpa)
    # Due, but the session stamp is fresh (it is saved at most every 60 s): wait, no query.
    _age(client, **{SESSION_ACTIVITY_AT: ACTIVITY_INTERVAL + 1, SESSION_LAST_SEEN: 10})
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert _writes(queries) == []
    assert _activity(wpa) == (LONG_AGO, LONG_AGO)
    # The next request whose session is saved anyway writes, once.
    _age(client, **{SESSION_LAST_SEEN: 61})
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert len(_writes(queries)) == 2
    user_seen, session_seen = _activity(wpa)
    assert _recent(user_seen) and _recent(session_seen)
    _forget_activity(wpa)
    _age(client, **{SESSION_LAST_SEEN: 61})
    client.get("/")
    assert _activity(wpa) == (LONG_AGO, LONG_AGO)  # written less than 5 minutes ago


def test_only_this_sessions_row_is_written(wpa: User) -> None:
    mine, other = _signed_in(wpa), _signed_in(wpa)
    _forget_activity(wpa)
    _age(mine, **{SESSION_ACTIVITY_AT: ACTIVITY_INTERVAL + 1, SESSION_LAST_SEEN: 61})
    mine.get("/")
    seen = dict(UserSession.objects.filter(user=wpa).values_list("session_key", "last_seen_at"))
    assert _recent(seen[mine.session.session_key])
    assert seen[other.session.session_key] == LONG_AGO


def test_a_session_without_the_second_factor_is_not_activity(wpa: User) -> None:
    client = Client()
    client.force_login(wpa)
    _forget_activity(wpa)
    assert client.get("/accounts/two-factor/").status_code in (200, 302)
    assert client.get("/").status_code == 302  # to the second factor
    assert _activity(wpa)[0] == LONG_AGO


def test_anonymous_requests_record_nothing(wpa: User) -> None:
    _forget_activity(wpa)
    with CaptureQueriesContext(connection) as queries:
        Client().get("/accounts/login/")
    assert _writes(queries) == []


def _bearer(user: User, *, issued_ago: timedelta = timedelta(0)) -> APIClient:
    raw, token = api_token_issue(user=user)
    ApiToken.objects.filter(pk=token.pk).update(created_at=timezone.now() - issued_ago)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_a_fresh_token_is_its_own_activity_and_costs_no_query(wpa: User) -> None:
    """The token was issued (two factors) less than 5 minutes ago: nothing to write."""
    api = _bearer(wpa)
    _forget_activity(wpa)
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/incidents/").status_code == 200
    assert _writes(queries) == []
    assert _activity(wpa)[0] == LONG_AGO


def test_a_bearer_token_records_the_user_once_per_five_minutes(wpa: User) -> None:
    api = _bearer(wpa, issued_ago=timedelta(hours=1))
    _forget_activity(wpa)
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/incidents/").status_code == 200
    assert len(_writes(queries)) == 1
    assert _recent(_activity(wpa)[0])
    # The next requests read the fresh activity with the token: no query, no write.
    with CaptureQueriesContext(connection) as again:
        assert api.get("/api/v1/incidents/").status_code == 200
    assert _writes(again) == []
    assert len(again) == len(queries) - 1
    # Five minutes later it is due again; the cache key lets one request of a burst write.
    User.objects.filter(pk=wpa.pk).update(
        last_active_at=timezone.now() - timedelta(seconds=ACTIVITY_INTERVAL + 1)
    )
    assert cache.get(activity_cache_key(wpa.pk)) is not None  # another worker wrote just now
    api.get("/api/v1/incidents/")
    assert timezone.now() - User.objects.get(pk=wpa.pk).last_active_at > timedelta(seconds=ACTIVITY_INTERVAL)
    cache.delete(activity_cache_key(wpa.pk))  # its key expired
    api.get("/api/v1/incidents/")
    assert _recent(_activity(wpa)[0])


def test_a_refused_token_records_nothing(wpa: User) -> None:
    _forget_activity(wpa)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api.get("/api/v1/incidents/").status_code == 401
    assert _activity(wpa)[0] == LONG_AGO
