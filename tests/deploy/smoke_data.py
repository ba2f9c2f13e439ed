"""The production smoke test's first start on the server, after `migrate`: the documented
commands (deploy/README.md, "First start": `createsuperuser`, `bootstrap --admin`), the places
(`load_locations`), then the organisation as an administrator would make it in the admin site,
through the same services the admin site calls (every change audited).

Run inside one `manage.py shell` with the production settings (one interpreter start instead of
four: the commands are called as `manage.py` would call them):

    manage.py shell --no-imports -c "from tests.deploy.smoke_data import smoke_data_make; ..."

The first administrator (a superuser with no field office) makes the mission, its office, the
WPA, and a second administrator for that office: the service directory is managed by an
administrator of the provider's mission, and nobody gives herself an office. The WPA has no
second factor yet: she enrols her authenticator at her first sign-in, as every new user does.
Prints one `provider=<public id>` line.
"""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction

from crsv.accounts.models import FieldOffice, Mission, User
from crsv.accounts.roles import Role
from crsv.accounts.services import user_create
from incidents.models import Location
from referrals.models import ServiceType
from referrals.services.directory import provider_save


def smoke_data_make(
    *, admin: str, wpa: str, password: str, provider_email: str, places: str, place_code: str
) -> None:
    call_command("createsuperuser", interactive=False, username=admin, email=f"{admin}@crsv.example.org")
    call_command("bootstrap", admin=admin)
    call_command("load_locations", places)
    _organisation_make(
        first=User.objects.get(username=admin),
        wpa=wpa,
        password=password,
        provider_email=provider_email,
        place_code=place_code,
    )


@transaction.atomic
def _organisation_make(*, first: User, wpa: str, password: str, provider_email: str, place_code: str) -> None:
    mission = Mission.objects.create(code="SMOKE", name="Smoke-test mission")
    office = FieldOffice.objects.create(
        mission=mission, code="GOM", name="Goma", time_zone="Africa/Lubumbashi"
    )
    user = User(username=wpa, first_name="Esther", last_name="Smoke", email=f"{wpa}@crsv.example.org")
    user.set_password(password)
    user_create(actor=first, user=user, roles={Role.WPA}, offices=[office])
    office_admin = User(username=f"{first.username}_goma", email=f"{first.username}_goma@crsv.example.org")
    office_admin.set_unusable_password()
    user_create(actor=first, user=office_admin, roles={Role.ADMIN}, offices=[office])
    provider = provider_save(
        actor=office_admin,
        provider=None,
        values={
            "name": "Hôpital de la fumée (smoke test)",
            "service_types": [ServiceType.MEDICAL],
            "contact_email": provider_email,
            "languages": ["fr", "en"],
            "pep_available": True,
            "active": True,
        },
        offices=[office],
        locations=[Location.objects.get(pcode=place_code)],
    )
    print(f"provider={provider.public_id}")
