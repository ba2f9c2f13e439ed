"""`manage.py bootstrap [--demo]`: roles and their permissions; with --demo, demo data (the
platform's mission, offices and users, then what each app registered in crsv.registry)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from crsv.accounts import two_factor
from crsv.accounts.models import FieldOffice, Membership, Mission, User
from crsv.accounts.roles import Capability, Role, roles_ensure, roles_for
from crsv.accounts.services import user_admin_designate
from crsv.registry import demo_data

# Model-level permissions for the Django admin only; records are scoped by visible_to(user). The
# user, role and audit screens are further limited by role in their ModelAdmins (only the admin
# role manages users, only the auditor reads the trail), whatever permissions a group holds.
# `bootstrap` sets each role's permissions to exactly these: one granted by hand is taken back.
ROLE_ADMIN_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMIN: [
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.add_mission",
        "accounts.change_mission",
        "accounts.view_mission",
        "accounts.add_fieldoffice",
        "accounts.change_fieldoffice",
        "accounts.view_fieldoffice",
        "auth.view_group",
        # Unlock a locked-out sign-in (django-axes): see and delete its attempt rows.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ],
    Role.AUDITOR: ["audit.view_auditevent", "audit.view_accessevent"],
}


DEMO_OFFICES = [
    # (code, name, time zone): Goma, Bunia and Bukavu are UTC+2; Kinshasa is UTC+1.
    ("GOM", "Goma", "Africa/Lubumbashi"),
    ("BUN", "Bunia", "Africa/Lubumbashi"),
    ("BKV", "Bukavu", "Africa/Lubumbashi"),
    ("KIN", "Kinshasa", "Africa/Kinshasa"),
]

DEMO_USERS = [
    # (username, first name, last name, role, office)
    ("reporter", "Rachel", "Mbuyi", Role.REPORTER, "GOM"),
    ("wpa", "Esther", "Kahindo", Role.WPA, "GOM"),
    ("senior_wpa", "Solange", "Bahati", Role.SENIOR_WPA, "GOM"),
    ("analyst", "Amadou", "Diallo", Role.ANALYST, "GOM"),
    ("provider", "Pauline", "Mwamini", Role.PROVIDER, "GOM"),
    ("admin", "Ade", "Okafor", Role.ADMIN, "GOM"),
    ("auditor", "Ingrid", "Larsen", Role.AUDITOR, "GOM"),
    ("wpa_bunia", "Grace", "Uwase", Role.WPA, "BUN"),
]


def _permissions(codes: list[str]) -> list[Permission]:
    found = []
    for code in codes:
        app_label, codename = code.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def role_permissions_ensure() -> None:
    """Create the roles and give each exactly its permissions above (none for the other roles)."""
    for group in roles_ensure():
        group.permissions.set(_permissions(ROLE_ADMIN_PERMISSIONS.get(group.name, [])))


class Command(BaseCommand):
    help = "Create the roles (idempotent); with --demo, the demo mission, offices and users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="also load demo data (development only)")
        parser.add_argument(
            "--admin",
            metavar="USERNAME",
            help="give this existing user the admin role (the first administrator, after createsuperuser)",
        )
        parser.add_argument(
            "--office",
            metavar="MISSION-CODE",
            action="append",
            default=[],
            help="with --admin: also make her a member of this field office, e.g. MONUSCO-GOM (repeatable)",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        role_permissions_ensure()
        self.stdout.write(f"roles: {', '.join(r.value for r in Role)}")
        if options["office"] and not options["admin"]:
            raise CommandError("--office goes with --admin.")
        if options["admin"]:
            self._admin(options["admin"], options["office"])
        if options["demo"]:
            if not settings.DEVELOPMENT:
                raise CommandError("Demo data is refused outside development (CRSV_ENV=development).")
            self._demo()

    def _admin(self, username: str, office_labels: list[str]) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}: create it first (manage.py createsuperuser).")
        offices = []
        for label in office_labels:
            mission_code, _dash, code = label.partition("-")
            office = FieldOffice.objects.filter(mission__code=mission_code, code=code).first()
            if office is None:
                raise CommandError(
                    f"No field office {label!r}: create it first (MISSION-CODE, e.g. MONUSCO-GOM)."
                )
            offices.append(office)
        try:
            changed = user_admin_designate(user=user, offices=offices)
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from refused
        self.stdout.write(f"admin: {username} {'is now' if changed else 'already is'} an administrator")

    def _demo(self) -> None:
        mission, _ = Mission.objects.get_or_create(
            code="MONUSCO",
            defaults={"name": "United Nations Organization Stabilization Mission in the DR Congo"},
        )
        offices = {}
        for code, name, tz in DEMO_OFFICES:
            offices[code], _ = FieldOffice.objects.update_or_create(
                mission=mission,
                code=code,
                defaults={"name": name, "time_zone": tz},
            )
        password = settings.CRSV_DEMO_PASSWORD
        for username, first, last, role, office in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@monusco.example.org"},
            )
            if created or not user.check_password(password):
                user.set_password(password)
            user.is_staff = role in roles_for(Capability.ENTER_ADMIN_SITE)  # Django admin access only
            user.save()
            user.groups.add(Group.objects.get(name=role))
            Membership.objects.get_or_create(user=user, field_office=offices[office])
        self.stdout.write(f"demo: mission {mission.code}, {len(offices)} offices, {len(DEMO_USERS)} users")
        usernames = [u[0] for u in DEMO_USERS]
        for demo in demo_data.values():  # each app's demo records (crsv.registry)
            loaded = demo.ensure()
            self.stdout.write(f"demo {demo.name}: " + (f"{loaded} created" if loaded else "present"))
            usernames += demo.usernames
        # Development only (this command refuses --demo elsewhere): the demo users' authenticators,
        # to add to an app by URI, or to compute codes with `oathtool --totp -b <secret>`.
        self.stdout.write("demo two-factor authenticators (otpauth URIs):")
        for user in User.objects.filter(username__in=usernames).order_by("username"):
            self.stdout.write(f"  {user.username:<15} {two_factor.demo_device_ensure(user=user).config_url}")
