"""Demo survivor cases: about sixty fictional ones in Goma, Bunia and Bukavu (development).

`survivors_demo_ensure()` is called by `manage.py bootstrap --demo` after the incidents' demo
(the registry keeps the order of INSTALLED_APPS: incidents, survivors, referrals), whose
incidents and per-office WPAs it needs. Everything goes through the real services: each case is
registered by its office's WPA (who then holds it) with its consents at intake and linked to one
of the office's demo incidents; a few Goma cases are registered by the reporter and assigned to
the WPA by the senior WPA. Names are invented and marked "(demo)", phone numbers are not
numbers, and nothing here names a real person. Deterministic (a seeded random generator).

The consents here name no provider: survivors may not import referrals, so the consents naming
a directory provider are recorded by the referrals' demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from crsv.accounts.models import FieldOffice, Mission, User
from incidents.models import Incident
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import (
    ConsentGrant,
    SurvivorProfile,
    consent_record,
    survivor_assign,
    survivor_intake,
    survivor_register,
)

MISSION = "MONUSCO"
SEED = 20260210
# Per office: how many cases, and the WPA who registers and holds them.
OFFICES = {"GOM": (26, "wpa"), "BUN": (18, "wpa_bunia"), "BKV": (16, "wpa_bukavu")}
# Of Goma's cases, how many the reporter registers and the senior WPA assigns to the WPA.
REPORTED_IN_GOMA = 3
# Invented names, marked "(demo)" where they are shown.
GIVEN_NAMES = [
    "Amaniya", "Bahatiya", "Chausiku", "Dorinesse", "Elikia", "Faraja", "Ganyira", "Hekima",
    "Imaniya", "Jasirita", "Kasimira", "Lumbiya", "Malaika", "Neemani", "Osiana", "Pendoza",
    "Rehemani", "Safira", "Tumainia", "Upendoa", "Wemaya", "Zawadina",
]  # fmt: skip
MALE_GIVEN_NAMES = ["Baraka-Demo", "Jabarito", "Shujaano", "Tumaino"]
FAMILY_NAMES = [
    "Kavumbi", "Lubisoni", "Mukalazi", "Nyangoma", "Rwabuzi", "Sifakio", "Tembwela", "Wabindo",
]  # fmt: skip
SAFE_CONTACT = [
    ("Through the health centre's focal point, never at home", "Weekdays 09:00-12:00"),
    ("A call to the phone she gave, asking for 'Mama' only", "Afternoons after 15:00"),
    ("In person at the women's association meeting", "Thursdays"),
]
# How often each referral consent is given at intake (the others are left to a later visit).
REFERRAL_CONSENT_RATES = {
    Consent.ServiceType.MEDICAL: 0.9,
    Consent.ServiceType.PSYCHOSOCIAL: 0.8,
    Consent.ServiceType.LEGAL_AID: 0.4,
    Consent.ServiceType.SAFETY: 0.25,
    Consent.ServiceType.LIVELIHOOD: 0.25,
}


@dataclass(frozen=True)
class _Plan:
    """One demo case to register."""

    office: FieldOffice
    wpa: User
    profile: SurvivorProfile
    identity: SurvivorIdentity
    reported: bool  # registered by the reporter, then assigned


def consent_text_current() -> ConsentText:
    """The current English consent text (seeded by a migration; made if an admin removed it)."""
    text = (
        ConsentText.objects.filter(language="en", retired_at__isnull=True).order_by("-published_at").first()
    )
    if text is None:
        text, _ = ConsentText.objects.get_or_create(
            version="1.0",
            language="en",
            defaults={"title": "Informed consent", "body": "Consent text.", "published_at": timezone.now()},
        )
    return text


def _profile(rng: random.Random, index: int) -> SurvivorProfile:
    """Mostly adult women; every ninth case a child (12-17 or younger), every eleventh a man."""
    if index % 9 == 4:
        age = rng.randint(9, 16)
        sex = Survivor.Sex.FEMALE if rng.random() < 0.8 else Survivor.Sex.MALE
    else:
        age = rng.randint(18, 55)
        sex = Survivor.Sex.MALE if index % 11 == 7 else Survivor.Sex.FEMALE
    return SurvivorProfile(
        sex=sex,
        age=age,
        disability=rng.choice([Survivor.Disability.NONE] * 6 + [Survivor.Disability.PHYSICAL]),
        displacement_status=rng.choice(
            [
                Survivor.Displacement.IDP,
                Survivor.Displacement.IDP,
                Survivor.Displacement.RESIDENT,
                Survivor.Displacement.RETURNEE,
            ]
        ),
        interview_count=rng.randint(1, 2),
    )


def _identity(
    rng: random.Random, index: int, office: FieldOffice, profile: SurvivorProfile
) -> SurvivorIdentity:
    given = rng.choice(MALE_GIVEN_NAMES if profile.sex == Survivor.Sex.MALE else GIVEN_NAMES)
    family = rng.choice(FAMILY_NAMES)
    method, times = rng.choice(SAFE_CONTACT)
    child = profile.age is not None and profile.age < 18
    return SurvivorIdentity(
        name=f"{given} {family} (demo)",
        phone=f"+243 000 000 {index:03d}",  # not a number anyone holds
        address=f"Demo quarter {rng.randint(1, 12)}, {office.name}",
        caregiver=f"{rng.choice(GIVEN_NAMES)} {family} (demo), aunt" if child else "",
        safe_contact_method=method,
        safe_contact_times=times,
        notes="Fictional case for the demonstration.",
    )


def _grants(rng: random.Random, text: ConsentText, child: bool) -> list[ConsentGrant]:
    """Case management always; referral per service type, statistics and contact often. A
    child's are given by a caregiver with the child's assent."""
    case_management = ConsentGrant(
        purpose=Consent.Purpose.CASE_MANAGEMENT,
        given_by=Consent.GivenBy.CAREGIVER if child else Consent.GivenBy.SURVIVOR,
        child_assent=child,
        method=rng.choice([Consent.Method.ORAL_WITNESSED, Consent.Method.WRITTEN]),
        explained_in=rng.choice([Consent.Language.SWAHILI, Consent.Language.FRENCH]),
        consent_text=text,
    )
    grants = [case_management]
    services = [s for s, rate in REFERRAL_CONSENT_RATES.items() if rng.random() < rate]
    if child:
        services.append(Consent.ServiceType.EDUCATION)
    for service_type in services:
        grants.append(replace(case_management, purpose=Consent.Purpose.REFERRAL, service_type=service_type))
    if rng.random() < 0.7:
        grants.append(replace(case_management, purpose=Consent.Purpose.STATISTICS))
    if rng.random() < 0.5:
        grants.append(replace(case_management, purpose=Consent.Purpose.CONTACT))
    return grants


def _incident_for(rng: random.Random, pools: dict[str, list[Incident]], profile: SurvivorProfile) -> Incident:
    """One of the office's incidents the WPA sees, with a survivor like this one counted."""
    child = profile.age is not None and profile.age < 18
    male = profile.sex == Survivor.Sex.MALE
    key = ("boys" if male else "girls") if child else ("men" if male else "women")
    return rng.choice(pools[key] or pools["any"])


def _incident_pools(wpa: User, office: FieldOffice) -> dict[str, list[Incident]]:
    seen = list(
        Incident.objects.visible_to(wpa)
        .filter(field_office=office)
        .exclude(status=Incident.Status.DRAFT)
        .order_by("id")
    )
    if not seen:
        raise ImproperlyConfigured("No demo incidents: the incidents' demo runs before the survivors'.")
    return {
        "any": seen,
        "women": [i for i in seen if i.tally_women],
        "girls": [i for i in seen if i.tally_girls],
        "men": [i for i in seen if i.tally_men],
        "boys": [i for i in seen if i.tally_boys],
    }


def _users(*usernames: str) -> dict[str, User]:
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    missing = sorted(set(usernames) - set(users))
    if missing:
        raise ImproperlyConfigured(
            f"Demo users missing ({', '.join(missing)}): the incidents' demo runs before the survivors'."
        )
    return users


@transaction.atomic
def survivors_demo_ensure() -> int:
    """Register the demo cases unless the demo mission already has cases; returns how many
    were created (0: there were some already)."""
    mission = Mission.objects.filter(code=MISSION).first()
    if mission is None:
        raise ImproperlyConfigured("The demo mission is missing: run manage.py bootstrap --demo.")
    if Survivor.objects.filter(mission=mission).exists():
        return 0
    users = _users("reporter", "senior_wpa", *(wpa for _count, wpa in OFFICES.values()))
    offices = {o.code: o for o in FieldOffice.objects.filter(mission=mission, code__in=OFFICES)}
    text = consent_text_current()
    rng = random.Random(SEED)  # noqa: S311  (demo data, not security)
    created = 0
    for code, (count, username) in OFFICES.items():
        office, wpa = offices[code], users[username]
        pools = _incident_pools(wpa, office)
        for index in range(count):
            profile = _profile(rng, index)
            plan = _Plan(
                office=office,
                wpa=wpa,
                profile=profile,
                identity=_identity(rng, created + 1, office, profile),
                reported=code == "GOM" and index >= count - REPORTED_IN_GOMA,
            )
            _register(rng, plan, _incident_for(rng, pools, profile), text, users)
            created += 1
    return created


def _register(
    rng: random.Random, plan: _Plan, incident: Incident, text: ConsentText, users: dict[str, User]
) -> Survivor:
    child = plan.profile.age is not None and plan.profile.age < 18
    grants = _grants(rng, text, child)
    if not plan.reported:
        return survivor_intake(
            actor=plan.wpa,
            field_office=plan.office,
            identity=plan.identity,
            profile=plan.profile,
            consents=grants,
            incident=incident,
        )
    # A reporter's case waits for a WPA (a reporter records no consent): the senior WPA assigns
    # it, and the WPA then records the consents.
    survivor = survivor_register(
        actor=users["reporter"],
        field_office=plan.office,
        identity=plan.identity,
        profile=plan.profile,
        incident=incident
        if Incident.objects.visible_to(users["reporter"]).filter(pk=incident.pk).exists()
        else None,
    )
    survivor = survivor_assign(actor=users["senior_wpa"], survivor=survivor, assignee=plan.wpa)
    for grant in grants:
        consent_record(actor=plan.wpa, survivor=survivor, **grant.__dict__)
    return survivor
