"""`manage.py totp_code <username>`: the current two-factor code of a demo user (development only),
so the demo can be tried without an authenticator app. Refused outside development."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from crsv.accounts import two_factor
from crsv.accounts.models import User


class Command(BaseCommand):
    help = "Print a demo user's current TOTP code (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEVELOPMENT:
            raise CommandError("Refused outside development (CRSV_ENV=development).")
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        device = two_factor.totp_device(user)
        if device is None:
            raise CommandError("This user has no authenticator yet (run `manage.py bootstrap --demo`).")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
