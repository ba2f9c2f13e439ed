"""The development SMTP sink: accepts every message on 127.0.0.1 and keeps it as a file.

`make run` starts it (crsv/devenv.py) on the port the application sends to (`EMAIL_PORT`,
1025 in development), so that what a developer reads is what the outbox really sent: one
`.eml` file per message under `.devdata/mail/`, named by the time it arrived (UTC) and a hash
of its Message-ID (the same notification resent after a crash gets the same hash, next to the
first file). The bytes are those the server received, unchanged; open them with any mail
client, or read them as text.

Development only: it listens on the loopback address, refuses nothing and relays nothing.
Command line: `python -m crsv.mailsink --dir .devdata/mail --port 1025`.
This module must not import Django (devenv runs it before anything is configured).
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import hashlib
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

DEFAULT_PORT = 1025


def message_file_name(content: bytes, received_at: datetime) -> str:
    """`<UTC time to the microsecond>-<12 hex of the SHA-256 of the Message-ID>.eml`; a message
    without a Message-ID is named by the hash of its bytes."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(content)
    message_id = (headers.get("Message-ID") or "").strip()
    digest = hashlib.sha256(message_id.encode() if message_id else content).hexdigest()[:12]
    return f"{received_at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}-{digest}.eml"


class MailDirectoryHandler:
    """An aiosmtpd handler writing each accepted message's bytes to its own file in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or envelope.content
        path = self.folder / message_file_name(content, datetime.now(UTC))
        # Written beside, then renamed: a reader never sees half a message.
        partial = path.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(path)
        return "250 Message accepted for delivery"


def mail_sink_start(folder: Path, port: int, host: str = "127.0.0.1") -> Controller:
    """Start the sink in a thread (returns once it accepts connections); `.stop()` it."""
    controller = Controller(MailDirectoryHandler(folder), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Development SMTP sink: one .eml file per message.")
    parser.add_argument("--dir", type=Path, required=True, help="folder the messages are written to")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    controller = mail_sink_start(args.dir, args.port, args.host)
    print(f"Mail sink on {args.host}:{args.port}, writing to {args.dir}", flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
