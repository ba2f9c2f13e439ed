"""The demo service directory: a dozen fictional providers in Goma, Bunia and Bukavu, and
the provider users who work for three of them (development)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

from crsv.accounts.models import FieldOffice, Membership, User
from crsv.accounts.roles import Role
from incidents.models import Location
from referrals.models import ProviderMembership, ServiceProvider

MED, PSY, LEGAL, SAFETY, LIVELIHOOD, EDUCATION = (
    "medical", "psychosocial", "legal_aid", "safety", "livelihood", "education",
)  # fmt: skip


@dataclass(frozen=True)
class _Provider:
    name: str
    offices: tuple[str, ...]
    locations: tuple[str, ...]  # p-codes of the territories and cities covered
    service_types: tuple[str, ...]
    email: str
    hours: str
    languages: tuple[str, ...] = ("fr", "sw")
    pep: bool = False
    contraception: bool = False
    child_friendly: bool = False
    male: bool = False
    active: bool = True


H24 = "Emergencies 24/7; consultations Monday-Saturday 08:00-17:00"
OFFICE_HOURS = "Monday-Friday 08:00-16:00"
PROVIDERS = [
    # Goma
    _Provider(
        "Hôpital Espoir de Goma",
        ("GOM",),
        ("CD6103", "CD6107"),
        (MED, PSY),
        "urgences@espoir-goma.example.org",
        H24,
        ("fr", "sw", "rw"),
        pep=True,
        contraception=True,
        male=True,
    ),
    _Provider(
        "Centre d'écoute Tumaini",
        ("GOM",),
        ("CD6103", "CD6106"),
        (PSY, EDUCATION),
        "ecoute@tumaini.example.org",
        OFFICE_HOURS,
        child_friendly=True,
    ),
    _Provider(
        "Clinique juridique Haki Sasa",
        ("GOM", "BKV"),
        ("CD6103", "CD6201"),
        (LEGAL,),
        "accueil@hakisasa.example.org",
        OFFICE_HOURS,
        ("fr", "sw", "en"),
    ),
    _Provider(
        "Maison d'accueil Amani",
        ("GOM",),
        ("CD6103",),
        (SAFETY,),
        "refuge@maison-amani.example.org",
        "Admissions at any hour through the focal point",
    ),
    _Provider(
        "Atelier Uzima",
        ("GOM", "BKV"),
        ("CD6103", "CD6201"),
        (LIVELIHOOD, EDUCATION),
        "formation@uzima.example.org",
        "Monday-Saturday 08:00-13:00",
    ),
    # Bunia
    _Provider(
        "Hôpital Umoja de Bunia",
        ("BUN",),
        ("CD5401", "CD5404"),
        (MED, PSY),
        "urgences@umoja-bunia.example.org",
        H24,
        ("fr", "sw", "ln"),
        pep=True,
        contraception=True,
    ),
    _Provider(
        "Centre Furaha pour enfants",
        ("BUN",),
        ("CD5401", "CD5403"),
        (PSY, EDUCATION),
        "enfants@furaha.example.org",
        OFFICE_HOURS,
        child_friendly=True,
    ),
    _Provider(
        "Clinique juridique Ituri Haki",
        ("BUN",),
        ("CD5401",),
        (LEGAL,),
        "contact@ituri-haki.example.org",
        OFFICE_HOURS,
        ("fr", "sw", "ln", "en"),
    ),
    # Bukavu
    _Provider(
        "Hôpital Tujenge de Bukavu",
        ("BKV",),
        ("CD6201", "CD6204", "CD6209"),
        (MED, PSY),
        "urgences@tujenge-bukavu.example.org",
        H24,
        pep=True,
        contraception=True,
        child_friendly=True,
    ),
    _Provider(
        "Centre Jasiri pour hommes survivants",
        ("BKV", "GOM"),
        ("CD6201", "CD6103"),
        (PSY, MED),
        "jasiri@jasiri.example.org",
        OFFICE_HOURS,
        ("fr", "sw", "en"),
        male=True,
    ),
    _Provider(
        "Refuge Neema",
        ("BKV",),
        ("CD6201",),
        (SAFETY, LIVELIHOOD),
        "refuge@neema.example.org",
        "Admissions at any hour through the focal point",
    ),
    _Provider(
        "Dispensaire mobile Kivu Sud",
        ("BKV",),
        ("CD6205", "CD6208"),
        (MED,),
        "mobile@kivusud.example.org",
        "Tours on Tuesdays and Fridays",
        active=False,
    ),
]
# The provider users: (username, first name, last name, office, organisation). `provider` is one
# of bootstrap's demo users; the others are added here as the incidents' demo adds its users.
PROVIDER_USERS = [
    ("provider", "Pauline", "Mwamini", "GOM", "Hôpital Espoir de Goma"),
    ("provider_bunia", "Josée", "Kabuo", "BUN", "Hôpital Umoja de Bunia"),
    ("provider_bukavu", "Clarisse", "Namegabe", "BKV", "Hôpital Tujenge de Bukavu"),
]
EXTRA_USERNAMES = [row[0] for row in PROVIDER_USERS if row[0] != "provider"]


def providers_ensure(offices: dict[str, FieldOffice]) -> int:
    """The directory's demo providers, by name; returns how many were created."""
    created = 0
    for spec in PROVIDERS:
        if ServiceProvider.objects.filter(name=spec.name).exists():
            continue
        provider = ServiceProvider.objects.create(
            name=spec.name,
            service_types=list(spec.service_types),
            contact_email=spec.email,
            hours=spec.hours,
            languages=list(spec.languages),
            pep_available=spec.pep,
            emergency_contraception=spec.contraception,
            child_friendly=spec.child_friendly,
            serves_male_survivors=spec.male,
            active=spec.active,
        )
        provider.field_offices.set([offices[code] for code in spec.offices])
        provider.locations.set(Location.objects.filter(pcode__in=spec.locations))
        created += 1
    return created


def provider_users_ensure(offices: dict[str, FieldOffice]) -> dict[str, User]:
    """Each provider user in her organisation; the extra ones created as bootstrap does."""
    password = settings.CRSV_DEMO_PASSWORD
    users = {}
    for username, first, last, office, organisation in PROVIDER_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@monusco.example.org"},
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get_or_create(name=Role.PROVIDER)[0])
        Membership.objects.get_or_create(user=user, field_office=offices[office])
        ProviderMembership.objects.get_or_create(
            user=user, defaults={"provider": ServiceProvider.objects.get(name=organisation)}
        )
        users[username] = user
    return users


def provider_user_of(users: dict[str, User], provider: ServiceProvider) -> User:
    for username, _first, _last, _office, organisation in PROVIDER_USERS:
        if organisation == provider.name:
            return users[username]
    raise ImproperlyConfigured(f"No demo user works for {provider.name}.")
