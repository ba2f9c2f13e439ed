"""Platform endpoints that belong to no app: the health check."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crsv import health


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Public: up/down of the database, Redis and beat; 503 when the database or Redis is down.

    Beat being down does not fail the check (the web app still serves), but it is reported.
    """
    database = health.database_up()
    redis = health.redis_up()
    last_beat = health.beat_last_seen() if redis else None
    body = {
        "status": "ok" if database and redis else "error",
        "database": "up" if database else "down",
        "redis": "up" if redis else "down",
        "beat": "up" if health.beat_up(last_beat) else "down",
        "beat_last_seen": datetime.fromtimestamp(last_beat, UTC).isoformat() if last_beat else None,
    }
    return JsonResponse(body, status=200 if database and redis else 503)
