"""Redis down (the cache at a closed port): the cache answers as a miss, and the throttled token
endpoint still answers instead of failing with 500."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings: Any) -> None:
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = "redis://127.0.0.1:1/0"
    settings.CACHES = caches


def test_the_cache_answers_as_a_miss(cache_down: None, caplog: pytest.LogCaptureFixture) -> None:
    cache.set("k", 1)
    assert cache.get("k", "missing") == "missing"
    assert cache.add("k", 1) is False and cache.get_many(["k"]) == {}
    with pytest.raises(ValueError):
        cache.incr("k")
    assert "cache get skipped: Redis unreachable (ConnectionError)" in caplog.text


def test_the_token_endpoint_answers_with_redis_down(cache_down: None, client: Any, wpa: Any) -> None:
    response = client.post(
        "/api/v1/auth/token/", {"username": "wpa", "password": "wrong"}, content_type="application/json"
    )
    assert response.status_code in (400, 401)
