"""A real local SMTP server for tests (aiosmtpd, in a thread, on a free port), shared by every
app's notification tests: `from tests.smtp_sink import smtp` makes the fixture available in a
module; `smtp.messages` holds the bytes of every message the server accepted."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller


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
    """Django's SMTP backend pointed at a fresh local server for the test."""
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
