"""Liveness of the parts the system needs: the database, Redis and the beat scheduler."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection

BEAT_KEY = "health:beat-heartbeat"


def database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means down; the reason goes to no one unauthenticated
        return False


def redis_up() -> bool:
    try:
        # The cache's own client, so this checks the connection the app really uses.
        return bool(cache._cache.get_client(write=True).ping())  # type: ignore[attr-defined]  # RedisCache
    except Exception:
        return False


def beat_heartbeat_record() -> None:
    cache.set(BEAT_KEY, time.time(), timeout=None)


def beat_last_seen() -> float | None:
    try:
        value = cache.get(BEAT_KEY)
    except Exception:
        return None
    return float(value) if value is not None else None


def beat_up(last_seen: float | None) -> bool:
    stale_after = settings.CRSV_BEAT_STALE_AFTER.total_seconds()
    return last_seen is not None and time.time() - last_seen <= stale_after
