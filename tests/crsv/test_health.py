"""/healthz reports the database, Redis and beat, and answers 503 when a store is down."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from crsv import health
from crsv.tasks import beat_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeat() -> None:
    cache.delete(health.BEAT_KEY)


def test_all_up(client: Client) -> None:
    beat_heartbeat()  # what beat schedules every minute, run here directly
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "up"
    assert body["redis"] == "up"
    assert body["beat"] == "up"
    assert body["beat_last_seen"] is not None


def test_beat_never_seen_is_down_but_not_fatal(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["beat"] == "down"


def test_stale_beat_is_down(client: Client) -> None:
    cache.set(health.BEAT_KEY, time.time() - 600, timeout=None)
    assert client.get("/healthz").json()["beat"] == "down"


def test_redis_down_is_503(client: Client, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "down"
    assert response.json()["database"] == "up"
    assert response.json()["beat"] == "down"


def test_database_down_is_503(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection

    def broken_cursor(*args: object, **kwargs: object) -> None:
        raise connection.Database.OperationalError("server closed the connection")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
