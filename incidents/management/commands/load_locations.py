"""`manage.py load_locations FILE [--language XX] [--dry-run]`: upsert locations from a CSV file,
HXL-tagged or an OCHA common operational dataset (incidents/locations/)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.locations import LocationFileError, locations_load_csv


class Command(BaseCommand):
    help = (
        "Load locations (admin levels with p-codes, optional point) from a CSV file: HXL hashtags "
        "(#adm1+name, #adm1+code, ..., #geo+lat, #geo+lon), or an OCHA COD file (ADM1_PCODE, "
        "ADM1_FR, ..., and villages: PCODE, NAME beside ADM3_PCODE). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV file, UTF-8")
        parser.add_argument(
            "--language",
            default="",
            help="a COD file's names in this language when it has several (FR, EN, ...)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = locations_load_csv(
                options["path"], dry_run=options["dry_run"], language=options["language"]
            )
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {options['path']}") from error
        except LocationFileError as error:
            raise CommandError(str(error)) from error
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            f"locations: {result.created} {verb} created, {result.updated} {verb} updated, "
            f"{result.unchanged} unchanged"
        )
        if options["verbosity"] > 1:
            self.stdout.write(f"in {time.monotonic() - started:.1f} s")
