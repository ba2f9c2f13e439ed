"""`manage.py locations_synthesize --villages N [--dry-run]`: the demo's admin levels 1-3, then N
synthetic villages under them (incidents/locations/synthetic.py). Idempotent."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.locations import LocationFileError
from incidents.locations.synthetic import VILLAGES_MAX, locations_synthesize


class Command(BaseCommand):
    help = (
        "Load the demo's locations, then N synthetic villages (deterministic names and p-codes) "
        "in groupements under its territories: for the demo and the benchmark, never production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--villages", type=int, required=True, help=f"how many, 1 to {VILLAGES_MAX}")
        parser.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = locations_synthesize(villages=options["villages"], dry_run=options["dry_run"])
        except (ValueError, LocationFileError) as error:
            raise CommandError(str(error)) from error
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            f"synthetic locations: {result.created} {verb} created, {result.updated} {verb} updated, "
            f"{result.unchanged} unchanged ({time.monotonic() - started:.1f} s)"
        )
