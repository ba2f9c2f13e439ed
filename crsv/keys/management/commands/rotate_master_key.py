"""`manage.py rotate_master_key`: re-wrap every data key under the active master key.

Put the new key first in CRSV_MASTER_KEYS (keeping the old one after it), run this, then remove
the old key from the environment (and escrow it offline for as long as backups are kept).
Safe to kill at any point and to rerun: each batch commits on its own.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from crsv.crypto import keyring
from crsv.keys.services import data_key_rewrap_batch, data_keys_to_rotate


class Command(BaseCommand):
    help = "Re-wrap every data key under the active (first) master key of CRSV_MASTER_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        total = data_keys_to_rotate()
        active = keyring().active_id
        self.stdout.write(f"{total} data keys to re-wrap under master key {active!r}")
        done = 0
        while True:
            count = data_key_rewrap_batch(batch_size=options["batch_size"])
            if count == 0:
                break
            done += count
            self._progress(done, total)
        if total:
            sys.stderr.write("\n")
        left = data_keys_to_rotate()
        self.stdout.write(f"re-wrapped {done} data keys; {left} left under other master keys")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        share = min(done / total, 1.0) if total else 1.0
        bar = "#" * int(width * share)
        sys.stderr.write(f"\r[{bar:<{width}}] {done}/{total} ({share:.0%})")
        sys.stderr.flush()
