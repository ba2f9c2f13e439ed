"""Fixtures and builders of the identifiable-export tests, through the real services. Import the
fixtures a test module uses (`from tests.reports.identifiable_world import hospital  # noqa: F401`).

Personas: those of tests/conftest.py (all MONUSCO; Goma unless said), plus `second_senior`, a
second senior WPA of Goma. `hospital` (HEAL Africa) and `clinic` (Clinique Ngangi) are providers
of the directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from referrals.models import ServiceProvider
from reports.identifiable.models import IdentifiableExport
from reports.identifiable.services import identifiable_export_request
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, Survivor
from survivors.services import SurvivorProfile, survivor_register
from tests.factories import UserFactory
from tests.matrix_positions import consent_give

REASON = "Prosecution file before the military court; the prosecutor needs to reach the witnesses."


def provider_make(name: str, offices: Sequence[FieldOffice]) -> ServiceProvider:
    provider = ServiceProvider.objects.create(name=name, service_types=["medical", "legal_aid"])
    provider.field_offices.set(offices)
    return provider


@pytest.fixture
def hospital(office: FieldOffice, other_office: FieldOffice) -> ServiceProvider:
    return provider_make("HEAL Africa", [office, other_office])


@pytest.fixture
def clinic(office: FieldOffice) -> ServiceProvider:
    return provider_make("Clinique Ngangi", [office])


@pytest.fixture
def second_senior(office: FieldOffice) -> User:
    return UserFactory(username="senior_two", roles=[Role.SENIOR_WPA], offices=[office])


def case_of(
    owner: User, *, name: str = "Esperance Kavira", office: FieldOffice | None = None, **identity: str
) -> Survivor:
    """A case registered (and so held) by `owner` in her office."""
    field_office = office or owner.primary_office()
    assert field_office is not None
    identity.setdefault("phone", "+243 970 000 001")
    return survivor_register(
        actor=owner,
        field_office=field_office,
        identity=SurvivorIdentity(name=name, **identity),
        profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=24),
    )


def share(actor: User, survivor: Survivor, provider: ServiceProvider, **values: Any) -> Consent:
    """Her consent to share identifiable data with `provider`."""
    return consent_give(actor, survivor, Consent.Purpose.SHARE_IDENTIFIABLE, provider=provider, **values)


def legal(actor: User, survivor: Survivor) -> Consent:
    return consent_give(actor, survivor, Consent.Purpose.LEGAL)


def ask(
    actor: User,
    cases: Sequence[Survivor],
    provider: ServiceProvider | None = None,
    *,
    recipient: str | None = None,
    reason: str = REASON,
) -> IdentifiableExport:
    """`actor` requests an export of `cases` to `provider` (a legal use without one)."""
    if recipient is None:
        recipient = IdentifiableExport.Recipient.PROVIDER if provider else IdentifiableExport.Recipient.LEGAL
    return identifiable_export_request(
        actor=actor,
        recipient=recipient,
        provider=provider,
        survivor_codes=[c.code for c in cases],
        reason=reason,
    )
