"""Survivor cases built through the real services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crsv.accounts.models import User
from survivors.identity import SurvivorIdentity
from survivors.models import ConsentText, Survivor
from survivors.services import SurvivorProfile, survivor_register

ADULT = SurvivorProfile(sex=Survivor.Sex.FEMALE, age=24)
CHILD = SurvivorProfile(sex=Survivor.Sex.FEMALE, age=14)


@pytest.fixture
def make_survivor(office: Any) -> Callable[..., Survivor]:
    def make(
        actor: User, *, name: str = "Esperance Kavira", profile: SurvivorProfile = ADULT, **identity: str
    ) -> Survivor:
        return survivor_register(
            actor=actor,
            field_office=office,
            identity=SurvivorIdentity(name=name, **identity),
            profile=profile,
        )

    return make


@pytest.fixture
def case(make_survivor: Callable[..., Survivor], wpa: User) -> Survivor:
    """An adult's case registered (and so owned) by the Goma WPA."""
    return make_survivor(wpa, phone="+243 970 000 001")


@pytest.fixture
def consent_text() -> ConsentText:
    """The English text v1.0 (seeded by a migration; re-made after a transactional test's flush)."""
    from django.utils import timezone

    text, _ = ConsentText.objects.get_or_create(
        version="1.0",
        language="en",
        defaults={"title": "Informed consent", "body": "Consent text.", "published_at": timezone.now()},
    )
    return text
