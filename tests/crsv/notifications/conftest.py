"""A real SMTP server (aiosmtpd, in a thread, on a free port) and the test kind `test.ping`."""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from crsv.notifications.models import Notification
from crsv.notifications.registry import NotificationKind, notification_kind_register, notification_kinds

TEMPLATES = Path(__file__).parent / "templates"


class SinkHandler:
    """Keeps every accepted message's bytes; answers `fail_reply` (e.g. "451 ...") to the next
    `fail_times` messages instead (-1: always). `peers` holds the client end of each connection
    that sent a message (one per SMTP connection)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.fail_reply = ""
        self.fail_times = 0
        self.refused = 0
        self.peers: set[object] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.add(session.peer)
        if self.fail_times:
            self.fail_times -= 1
            self.refused += 1
            return self.fail_reply
        self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[SinkHandler]:
    handler = SinkHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield handler
    finally:
        controller.stop()


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
