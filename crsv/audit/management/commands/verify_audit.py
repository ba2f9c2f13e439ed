"""`manage.py verify_audit`: recompute the audit trail's seals; exit 1 on the first broken link."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from crsv.audit.verification import audit_verify


class Command(BaseCommand):
    help = (
        "Recompute the hash chains over every sealed audit row and compare them with the seals and "
        "the head file (AUDIT_SEAL_FILE). Exits 1 on the first broken link."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        quiet = options["verbosity"] < 1

        def progress(table: str, done: int, total: int) -> None:
            if quiet:
                return
            share = done / total if total else 1.0
            bar = "#" * int(share * 30)
            self.stderr.write(f"\r{table} [{bar:<30}] {done:,}/{total:,} rows", ending="")
            if done >= total:
                self.stderr.write("")

        report = audit_verify(progress=progress)
        for table in report.tables:
            self.stdout.write(
                f"{table.table}: {table.sealed_rows:,} sealed rows in {table.seals:,} seals checked"
            )
        if report.file_heads is None:
            self.stdout.write(
                "head file: not set (AUDIT_SEAL_FILE): the newest seals are checked by the database only"
            )
        else:
            self.stdout.write(f"head file: {report.file_heads:,} heads checked")
        unsealed = sum(table.unsealed_rows for table in report.tables)
        self.stdout.write(
            f"{unsealed:,} rows newer than the margin (or not yet sealed), protected by the triggers only"
        )
        self.stdout.write(f"{time.monotonic() - started:.1f} s")
        if report.broken is not None:
            self.stdout.write(f"BROKEN: {report.broken}")
            raise CommandError(f"audit trail broken at {report.broken}", returncode=1)
        self.stdout.write("audit trail intact")
