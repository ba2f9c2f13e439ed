"""`manage.py load_locations FILE [--dry-run]`: upsert locations from an HXL-tagged CSV."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incidents.locations import LocationFileError, locations_load_csv


class Command(BaseCommand):
    help = (
        "Load locations (admin levels with p-codes, optional point) from a CSV file with HXL "
        "hashtags (#adm1+name, #adm1+code, ..., #geo+lat, #geo+lon). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV file, UTF-8")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = locations_load_csv(options["path"], dry_run=options["dry_run"])
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {options['path']}") from error
        except LocationFileError as error:
            raise CommandError(str(error)) from error
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            f"locations: {result.created} {verb} created, {result.updated} {verb} updated, "
            f"{result.unchanged} unchanged"
        )
