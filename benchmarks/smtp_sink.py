"""A discarding SMTP server for the notification benchmark: `python -m benchmarks.smtp_sink PORT`.

It accepts every message and keeps nothing, so the benchmark measures the senders, not a disk.
It runs in its own process: in the sender's process it would share the sender's interpreter.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from aiosmtpd.controller import Controller


class _Discard:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


def main() -> None:
    controller = Controller(_Discard(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
