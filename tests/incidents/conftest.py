"""Fixtures for the incidents tests: a small place tree and a few more personas.

Places: Nord-Kivu (CD61, admin 1) > Masisi (CD6106, admin 2) > Sake (CD610602, admin 3).
Extra personas, beside those of tests/conftest.py:

- `colleague`      : role reporter, Goma (another reporter of the reporter's office)
- `reporter_other` : role reporter, Bunia
- `foreign_reporter`: role reporter, MINUSCA Bangui (the outsider's office)
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from incidents.models import Incident, Location, PartyToConflict
from tests.factories import UserFactory
from tests.incidents.factories import LocationFactory, PartyFactory, incident_in_state
from tests.incidents.list_world import world  # noqa: F401  (a fixture of the list API tests)


@pytest.fixture
def nord_kivu() -> Location:
    return LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)


@pytest.fixture
def masisi(nord_kivu: Location) -> Location:
    return LocationFactory(pcode="CD6106", name="Masisi", admin_level=2, parent=nord_kivu)


@pytest.fixture
def sake(masisi: Location) -> Location:
    return LocationFactory(
        pcode="CD610602",
        name="Sake",
        admin_level=3,
        parent=masisi,
        latitude=Decimal("-1.573600"),
        longitude=Decimal("29.043600"),
    )


@pytest.fixture
def m23() -> PartyToConflict:
    return PartyFactory(name="M23/AFC", aliases=["M23"], listed_in_sg_annex=True)


@pytest.fixture
def colleague(office: FieldOffice) -> User:
    return UserFactory(username="colleague", roles=[Role.REPORTER], offices=[office])


@pytest.fixture
def reporter_other(other_office: FieldOffice) -> User:
    return UserFactory(username="reporter_bunia", roles=[Role.REPORTER], offices=[other_office])


@pytest.fixture
def foreign_reporter(foreign_office: FieldOffice) -> User:
    return UserFactory(username="reporter_bangui", roles=[Role.REPORTER], offices=[foreign_office])


@pytest.fixture
def make_incident(sake: Location, wpa: User) -> Callable[..., Incident]:
    """`make_incident(state, reporter=..., reviewer=wpa, **fields)` through the services."""

    def _make(state: str, *, reporter: User, reviewer: User | None = None, **kwargs: Any) -> Incident:
        return incident_in_state(state, reporter=reporter, reviewer=reviewer or wpa, location=sake, **kwargs)

    return _make
