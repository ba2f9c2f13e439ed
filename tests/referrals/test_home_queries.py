"""The home page's queries do not grow with the rows its lines count (issue 11 item 6): each
persona's page costs the same with one row of every kind as with ten, and stays bounded."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from referrals.models import Referral, ServiceProvider
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, Survivor
from survivors.services import survivor_break_glass, survivor_register
from tests.factories import UserFactory
from tests.home_lines import lines_of
from tests.incidents.factories import LocationFactory, incident_in_state
from tests.survivors.conftest import ADULT

pytestmark = pytest.mark.django_db

PERSONAS = ("reporter", "wpa", "senior_wpa", "provider", "admin_user", "auditor")
# The most any persona's home page may cost: the session, the user, her roles and offices, one
# aggregate per app's lines (two for survivors: the break-glass openings), the panels. Measured:
# reporter 5, WPA 8, senior WPA 13, provider 7, administrator 6, auditor 6.
MAX_QUERIES = 15


@pytest.fixture
def add_rows(
    office: FieldOffice,
    reporter: User,
    wpa: User,
    senior_wpa: User,
    hospital: ServiceProvider,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
) -> Callable[[int], None]:
    """`add_rows(n)`: n more of every kind a line counts: drafts, returned and submitted
    incidents, one under the WPA's review; the WPA's cases, each with a sent referral;
    unassigned cases; break-glass openings by another senior WPA; locked accounts without a second
    factor (and, through the services, audit events)."""
    place = LocationFactory(pcode="CD70", name="Nord-Kivu", admin_level=1)
    other_senior = UserFactory(username="senior_2", roles=[Role.SENIOR_WPA], offices=[office])

    def add(n: int) -> None:
        for index in range(n):
            for state in ("draft", "returned", "submitted", "under_review"):
                incident_in_state(state, reporter=reporter, reviewer=wpa, location=place)
            case = survivor_register(
                actor=wpa, field_office=office, identity=SurvivorIdentity(name=f"Case {index}"), profile=ADULT
            )
            consent(case)
            refer(case, send=True)
            unassigned: Survivor = survivor_register(
                actor=reporter,
                field_office=office,
                identity=SurvivorIdentity(name=f"New {index}"),
                profile=ADULT,
            )
            survivor_break_glass(actor=other_senior, survivor=unassigned, reason="Safety emergency.")
            # An account without a second factor, locked out (an administrator's lines).
            newcomer = UserFactory(username=f"newcomer_{uuid.uuid4().hex[:8]}", roles=[], offices=[office])
            AccessAttempt.objects.create(
                username=newcomer.username, ip_address="198.51.100.7", user_agent="", failures_since_start=5
            )

    return add


def _home_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_home_page_costs_the_same_with_one_row_or_ten(
    persona: str,
    request: pytest.FixtureRequest,
    add_rows: Callable[[int], None],
    login: Callable[[User], Client],
) -> None:
    user = request.getfixturevalue(persona)
    client = login(user)
    add_rows(1)
    with_one = _home_queries(client)
    counted = {name: line.count for name, line in lines_of(user).items()}
    add_rows(9)
    with_ten = _home_queries(client)
    grown = {name: line.count for name, line in lines_of(user).items()}
    assert with_one == with_ten <= MAX_QUERIES, (with_one, with_ten)
    # The lines did count the new rows (the page was not cheap by counting nothing).
    assert any(grown[name] > counted[name] for name in counted if counted[name])
