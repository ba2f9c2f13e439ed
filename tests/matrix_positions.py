"""Object positions more than one app's permission matrix names (tests/matrix.py), built through
the real services: a case referred to the `provider` persona's organisation ("referred to me"),
a case erased through `survivor_erase`, and the people of the other mission (MINUSCA Bangui,
the `outsider`'s office) that a case there needs.

Each builder takes the row's `Scene` and returns what it made; the tables turn that into their
placeholders' values.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from incidents.models import Incident
from referrals.models import ProviderMembership, Referral, ServiceProvider
from referrals.services import referral_create
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import SurvivorProfile, consent_record, survivor_erase, survivor_register
from tests.factories import UserFactory
from tests.matrix import Scene


def consent_text() -> ConsentText:
    """The English text v1.0 (seeded by a migration; made again after a transactional flush)."""
    text, _ = ConsentText.objects.get_or_create(
        version="1.0",
        language="en",
        defaults={"title": "Informed consent", "body": "Consent text.", "published_at": timezone.now()},
    )
    return text


def case_register(
    owner: User, *, office: FieldOffice | None = None, incident: Incident | None = None
) -> Survivor:
    """A case registered by `owner` in her office (assigned to her if she is a WPA)."""
    office = office or owner.primary_office()
    assert office is not None
    return survivor_register(
        actor=owner,
        field_office=office,
        identity=SurvivorIdentity(name="Esperance Kavira", phone="+243 970 000 001"),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=24),
        incident=incident,
    )


def consent_give(actor: User, survivor: Survivor, purpose: str, **values: Any) -> Consent:
    return consent_record(
        actor=actor,
        survivor=survivor,
        purpose=purpose,
        given_by=Consent.GivenBy.SURVIVOR,
        method=Consent.Method.ORAL_WITNESSED,
        explained_in=Consent.Language.SWAHILI,
        consent_text=consent_text(),
        **values,
    )


def organisation_of(user: User, office: FieldOffice) -> ServiceProvider:
    """The provider organisation `user` works for, serving `office` too; a new one ("Hôpital
    de la matrice", medical) with her as its user when she works for none."""
    membership = ProviderMembership.objects.filter(user=user).select_related("provider").first()
    if membership is not None:
        organisation = membership.provider
    else:
        organisation = ServiceProvider.objects.create(
            name="Hôpital de la matrice", service_types=["medical", "psychosocial"]
        )
        ProviderMembership.objects.create(user=user, provider=organisation)
    organisation.field_offices.add(office)
    return organisation


def referral_sent(actor: User, survivor: Survivor, organisation: ServiceProvider) -> Referral:
    """A medical referral of `survivor` to `organisation`, consented and sent by `actor`."""
    consent_give(actor, survivor, Consent.Purpose.REFERRAL, service_type="medical")
    return referral_create(
        actor=actor,
        survivor=survivor,
        provider=organisation,
        service_type="medical",
        urgency=Referral.Urgency.EMERGENCY,
        send=True,
    )


def case_referred(
    scene: Scene, *, owner: str = "wpa", provider: str = "provider", incident: Incident | None = None
) -> tuple[Survivor, Referral]:
    """`owner`'s case, referred (sent) to the organisation the `provider` persona works for."""
    author: User = scene.fixture(owner)
    survivor = case_register(author, incident=incident)
    organisation = organisation_of(scene.fixture(provider), survivor.field_office)
    return survivor, referral_sent(author, survivor, organisation)


def case_erase(scene: Scene, survivor: Survivor) -> Survivor:
    """The senior WPA erases the case (crypto-shredding): `survivor_erase`."""
    return survivor_erase(actor=scene.fixture("senior_wpa"), survivor=survivor, reason="survivor_request")


def other_mission_people(scene: Scene) -> dict[str, Any]:
    """MINUSCA Bangui's people beside the `outsider` (a WPA there): a senior WPA who grants, a
    reporter to grant to, and a user of a Bangui provider organisation."""
    office: FieldOffice = scene.fixture("foreign_office")
    return {
        "senior": UserFactory(username="senior_bangui", roles=[Role.SENIOR_WPA], offices=[office]),
        "grantee": UserFactory(username="grantee_bangui", roles=[Role.REPORTER], offices=[office]),
        "provider": UserFactory(username="provider_bangui", roles=[Role.PROVIDER], offices=[office]),
    }


def referral_other_office(scene: Scene, *, organisation: str = "hospital") -> dict[str, Any]:
    """A Bunia case of the Bunia WPA, referred (sent) to `organisation` (a fixture serving Bunia)."""
    author: User = scene.fixture("wpa_other")
    survivor = case_register(author)
    return {"public_id": referral_sent(author, survivor, scene.fixture(organisation)).public_id}


def referral_other_mission(scene: Scene) -> dict[str, Any]:
    """A MINUSCA Bangui case of the `outsider`, referred (sent) to a Bangui organisation."""
    outsider: User = scene.fixture("outsider")
    survivor = case_register(outsider)
    organisation = organisation_of(other_mission_people(scene)["provider"], survivor.field_office)
    return {"public_id": referral_sent(outsider, survivor, organisation).public_id}
