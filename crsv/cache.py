"""The Django cache (Redis) that never fails a request when Redis is down.

Redis holds only what may be lost: sessions and the sign-in lockout counters live in PostgreSQL
(SESSION_ENGINE, AXES_HANDLER), and the outbox's rows are in PostgreSQL too. What uses the cache:

- DRF's throttle of `POST /api/v1/auth/token/` (10 per minute per address). With Redis down it
  reads no history and lets the request through: the token endpoint stays usable, and guessing
  is still bounded by the lockout (django-axes, in the database), which counts every failure.
- Beat's heartbeat for `/healthz` (`crsv.health`): down Redis reads as a stale beat, and
  `/healthz` reports Redis down by pinging the client directly, not through these methods.

So each operation that cannot reach Redis is logged (once per call, the error's class only) and
answers as a cache miss: `get` returns the default, `add` and `set` store nothing, `has_key` is
False, `delete` deletes nothing. `incr` of a missing key still raises ValueError, as Django's does.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


def _unreachable(operation: str, exc: BaseException) -> None:
    logger.warning("cache %s skipped: Redis unreachable (%s)", operation, type(exc).__name__)


class TolerantRedisCache(RedisCache):
    """RedisCache whose connection errors are logged and answered as a miss (module docstring)."""

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as exc:
            _unreachable("add", exc)
            return False

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            _unreachable("get", exc)
            return default

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as exc:
            _unreachable("set", exc)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except UNREACHABLE as exc:
            _unreachable("touch", exc)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except UNREACHABLE as exc:
            _unreachable("delete", exc)
            return False

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as exc:
            _unreachable("get_many", exc)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except UNREACHABLE as exc:
            _unreachable("has_key", exc)
            return False

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as exc:
            _unreachable("incr", exc)
            raise ValueError("Key not found: the cache is unreachable") from exc

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as exc:
            _unreachable("set_many", exc)
            return list(data)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as exc:
            _unreachable("delete_many", exc)

    def clear(self) -> None:
        try:
            super().clear()
        except UNREACHABLE as exc:
            _unreachable("clear", exc)
