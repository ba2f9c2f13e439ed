"""`manage.py statistics_recompute [--check]`: rebuild the statistics rollup from a full scan.

Refreshes every survivor's consent flag from the ledger, compares the rollup with the
`reports_fact` view and replaces it (unless `--check`), then says how many keys differed. Exit
status 1 with `--check` when anything differed (a monitoring job can run it nightly).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.rollups import rollups_recompute


class Command(BaseCommand):
    help = "Recompute the statistics rollup from scratch and report any difference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a difference")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        result = rollups_recompute(replace=not check, run_by="statistics_recompute")
        self.stdout.write(
            f"{result.keys} keys; {result.differences} differed from a full scan; "
            f"{result.flags_changed} consent flags corrected; "
            + ("rollup replaced." if result.replaced else "rollup unchanged.")
        )
        if check and (result.differences or result.flags_changed):
            raise CommandError("the statistics rollup differs from a full scan")
