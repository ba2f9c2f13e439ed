"""The shared real SMTP server (tests/smtp_sink.py) and the test kind `test.ping`."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crsv.notifications.models import Notification
from crsv.notifications.registry import NotificationKind, notification_kind_register, notification_kinds
from tests.smtp_sink import SinkHandler, smtp  # noqa: F401  (the fixture, for this folder's tests)

TEMPLATES = Path(__file__).parent / "templates"


def _ping_context(notification: Notification) -> dict[str, Any]:
    return {"reference": f"PING-{str(notification.object_public_id)[:8]}"}


def _ping_link(notification: Notification) -> str:
    return f"/notifications/#{notification.public_id}"


@pytest.fixture(autouse=True)
def ping_kind(settings: Any) -> Iterator[str]:
    """The kind `test.ping`, with its templates in this folder (extending the platform's layout)."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], TEMPLATES]
    settings.TEMPLATES = templates
    notification_kind_register(
        NotificationKind(name="test.ping", label="Ping", context=_ping_context, link=_ping_link)
    )
    yield "test.ping"
    notification_kinds.pop("test.ping", None)
