"""The world the schemathesis run explores, built through the real services, and one bearer token
per role (`crsv.accounts.services.api_token_issue`).

Every role reaches something: the reporter her own incidents (a draft, a returned one, a
submitted one) and a case she registered; the Goma WPA incidents under review, her cases, their
consents, a grant, and referrals in several states; the senior WPA all of those in the mission;
the analyst the submitted incidents; the provider the referrals sent to her hospital; the admin
the service directory; the auditor nothing but the schema's 403s. Bunia holds an incident, a
case and a referral out of the Goma users' reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role, roles_ensure
from crsv.accounts.services import api_token_issue
from incidents.models import Incident
from referrals.models import ProviderMembership, Referral, ServiceProvider
from referrals.services import referral_accept, referral_create
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import SurvivorProfile, consent_record, survivor_grant, survivor_register
from tests.factories import FieldOfficeFactory, MissionFactory, UserFactory
from tests.incidents.factories import LocationFactory, PartyFactory, incident_in_state

# The roles the run signs in as, in the order the tests are reported.
ROLES = (
    Role.REPORTER,
    Role.WPA,
    Role.SENIOR_WPA,
    Role.ANALYST,
    Role.PROVIDER,
    Role.ADMIN,
    Role.AUDITOR,
)


@dataclass(frozen=True)
class People:
    """The world's users: the personas of tests/conftest.py (Goma, and a WPA of Bunia)."""

    reporter: User
    wpa: User
    wpa_other: User
    senior_wpa: User
    analyst: User
    provider: User
    admin: User
    auditor: User
    office: FieldOffice
    other_office: FieldOffice


def people_make() -> People:
    mission = MissionFactory(code="MONUSCO")
    office = FieldOfficeFactory(mission=mission, code="GOM", name="Goma", time_zone="Africa/Lubumbashi")
    other = FieldOfficeFactory(mission=mission, code="BUN", name="Bunia", time_zone="Africa/Lubumbashi")

    def persona(username: str, role: str, at: FieldOffice = office) -> User:
        user: User = UserFactory(username=username, roles=[role], offices=[at])
        if role in (Role.ADMIN, Role.AUDITOR):
            user.is_staff = True
            user.save()
        return user

    return People(
        reporter=persona("reporter", Role.REPORTER),
        wpa=persona("wpa", Role.WPA),
        wpa_other=persona("wpa_bunia", Role.WPA, other),
        senior_wpa=persona("senior_wpa", Role.SENIOR_WPA),
        analyst=persona("analyst", Role.ANALYST),
        provider=persona("provider", Role.PROVIDER),
        admin=persona("admin", Role.ADMIN),
        auditor=persona("auditor", Role.AUDITOR),
        office=office,
        other_office=other,
    )


def _provider(name: str, offices: list[FieldOffice]) -> ServiceProvider:
    provider = ServiceProvider.objects.create(
        name=name,
        service_types=["medical", "psychosocial", "legal_aid"],
        contact_email="intake@example.org",
        pep_available=True,
    )
    provider.field_offices.set(offices)
    return provider


def _consent(actor: User, survivor: Survivor, purpose: str, **values: object) -> Consent:
    text, _ = ConsentText.objects.get_or_create(
        version="1.0",
        language="en",
        defaults={"title": "Informed consent", "body": "Consent text.", "published_at": timezone.now()},
    )
    return consent_record(
        actor=actor,
        survivor=survivor,
        purpose=purpose,
        given_by=Consent.GivenBy.SURVIVOR,
        method=Consent.Method.ORAL_WITNESSED,
        explained_in=Consent.Language.SWAHILI,
        consent_text=text,
        **values,  # type: ignore[arg-type]
    )


def _case(actor: User, office: FieldOffice, name: str, incident: Incident | None = None) -> Survivor:
    return survivor_register(
        actor=actor,
        field_office=office,
        identity=SurvivorIdentity(name=name, phone="+243 970 000 001", address="Sake"),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=24),
        incident=incident,
    )


def world_build() -> dict[str, str]:
    """Build the world; return a bearer token for each role of `ROLES`."""
    roles_ensure()
    p = people_make()
    nord_kivu = LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)
    masisi = LocationFactory(pcode="CD6106", name="Masisi", admin_level=2, parent=nord_kivu)
    sake = LocationFactory(
        pcode="CD610602",
        name="Sake",
        admin_level=3,
        parent=masisi,
        latitude=Decimal("-1.573600"),
        longitude=Decimal("29.043600"),
    )
    PartyFactory(name="M23/AFC", aliases=["M23"], listed_in_sg_annex=True)
    goma = {"reporter": p.reporter, "reviewer": p.wpa, "location": sake}
    for state in ("draft", "returned", "submitted", "under_review", "closed"):
        incident_in_state(state, **goma)
    reviewed = incident_in_state("under_review", **goma)
    incident_in_state("reopened", senior=p.senior_wpa, **goma)
    incident_in_state("under_review", reporter=p.wpa_other, reviewer=p.wpa_other, location=masisi)

    hospital = _provider("HEAL Africa", [p.office, p.other_office])
    _provider("Clinique Ngangi", [p.office])
    ProviderMembership.objects.create(user=p.provider, provider=hospital)

    # The WPA's cases, linked to an incident she reviews: consented to case management,
    # statistics and medical and psychosocial referrals; the second one granted to Bunia's WPA.
    cases = [_case(p.wpa, p.office, name, reviewed) for name in ("Esperance Kavira", "Neema Furaha")]
    for survivor in cases:
        for purpose in (Consent.Purpose.CASE_MANAGEMENT, Consent.Purpose.STATISTICS):
            _consent(p.wpa, survivor, purpose)
        _consent(p.wpa, survivor, Consent.Purpose.REFERRAL, service_type="medical")
        _consent(p.wpa, survivor, Consent.Purpose.REFERRAL, service_type="psychosocial")
    survivor_grant(actor=p.senior_wpa, survivor=cases[1], grantee=p.wpa_other)
    refer = {"actor": p.wpa, "provider": hospital, "urgency": Referral.Urgency.HIGH}
    referral_create(survivor=cases[0], service_type="psychosocial", **refer)  # a draft
    referral_create(survivor=cases[0], service_type="medical", send=True, **refer)  # sent
    accepted = referral_create(survivor=cases[1], service_type="medical", send=True, **refer)
    referral_accept(actor=p.provider, referral=accepted)
    _case(p.reporter, p.office, "Furaha Masika")  # a reporter's case, waiting for a WPA
    bunia = _case(p.wpa_other, p.other_office, "Amani Zawadi")
    _consent(p.wpa_other, bunia, Consent.Purpose.REFERRAL, service_type="medical")
    referral_create(
        actor=p.wpa_other,
        survivor=bunia,
        provider=hospital,
        service_type="medical",
        urgency=Referral.Urgency.ROUTINE,
        send=True,
    )

    users = {
        Role.REPORTER: p.reporter,
        Role.WPA: p.wpa,
        Role.SENIOR_WPA: p.senior_wpa,
        Role.ANALYST: p.analyst,
        Role.PROVIDER: p.provider,
        Role.ADMIN: p.admin,
        Role.AUDITOR: p.auditor,
    }
    return {role: api_token_issue(user=users[role])[0] for role in ROLES}
