"""Providers, provider users and consented cases for the referral tests, built through the
real services. Personas: see tests/conftest.py; `provider` (Goma) works for `hospital`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from referrals.models import ProviderMembership, Referral, ServiceProvider
from referrals.services import referral_create
from survivors.models import Consent, ConsentText, Survivor
from survivors.services import consent_record
from tests.factories import UserFactory
from tests.survivors import conftest as survivor_fixtures

# The survivor tests' cases, registered through the real services.
case = survivor_fixtures.case
consent_text = survivor_fixtures.consent_text
make_survivor = survivor_fixtures.make_survivor


def provider_make(name: str, offices: list[FieldOffice], **values: Any) -> ServiceProvider:
    values.setdefault("service_types", ["medical", "psychosocial"])
    provider = ServiceProvider.objects.create(name=name, **values)
    provider.field_offices.set(offices)
    return provider


@pytest.fixture
def hospital(office: FieldOffice, other_office: FieldOffice) -> ServiceProvider:
    """HEAL Africa, Goma and Bunia: medical and psychosocial, PEP."""
    return provider_make("HEAL Africa", [office, other_office], pep_available=True)


@pytest.fixture
def clinic(office: FieldOffice) -> ServiceProvider:
    """Another Goma provider, medical too."""
    return provider_make("Clinique Ngangi", [office])


@pytest.fixture
def provider(office: FieldOffice, hospital: ServiceProvider) -> User:
    """The `provider` persona, a user of the hospital."""
    user = UserFactory(username="provider", roles=[Role.PROVIDER], offices=[office])
    ProviderMembership.objects.create(user=user, provider=hospital)
    return user


@pytest.fixture
def colleague(office: FieldOffice, hospital: ServiceProvider) -> User:
    """A second user of the hospital."""
    user = UserFactory(username="provider2", roles=[Role.PROVIDER], offices=[office])
    ProviderMembership.objects.create(user=user, provider=hospital)
    return user


@pytest.fixture
def clinic_user(office: FieldOffice, clinic: ServiceProvider) -> User:
    user = UserFactory(username="clinic", roles=[Role.PROVIDER], offices=[office])
    ProviderMembership.objects.create(user=user, provider=clinic)
    return user


@pytest.fixture
def consent(wpa: User, consent_text: ConsentText) -> Callable[..., Consent]:
    """`consent(case, purpose, service_type=..., provider=...)`: a grant recorded by the WPA."""

    def record(survivor: Survivor, purpose: str = Consent.Purpose.REFERRAL, **values: Any) -> Consent:
        if purpose == Consent.Purpose.REFERRAL:
            values.setdefault("service_type", "medical")
        return consent_record(
            actor=wpa,
            survivor=survivor,
            purpose=purpose,
            given_by=Consent.GivenBy.SURVIVOR,
            method=Consent.Method.ORAL_WITNESSED,
            explained_in=Consent.Language.SWAHILI,
            consent_text=consent_text,
            **values,
        )

    return record


@pytest.fixture
def refer(wpa: User, hospital: ServiceProvider) -> Callable[..., Referral]:
    """`refer(case, **values)`: a referral created by the case's WPA (a draft unless send=True)."""

    def create(survivor: Survivor, **values: Any) -> Referral:
        values.setdefault("actor", wpa)
        values.setdefault("provider", hospital)
        values.setdefault("service_type", "medical")
        values.setdefault("urgency", Referral.Urgency.EMERGENCY)
        return referral_create(survivor=survivor, **values)

    return create
