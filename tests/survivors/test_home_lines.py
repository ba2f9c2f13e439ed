"""The survivor cases' lines of the home page: a WPA's cases, a senior WPA's unassigned and
dormant cases and the other senior WPAs' break-glass openings; scoped, and each link lists
exactly the rows counted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from crsv.accounts.models import FieldOffice, Membership, User
from crsv.accounts.roles import Role
from survivors.identity import SurvivorIdentity
from survivors.models import Survivor
from survivors.services import survivor_break_glass, survivor_register
from tests.factories import UserFactory
from tests.home_lines import counts_of, lines_of, links_list_their_rows
from tests.survivors.conftest import ADULT

pytestmark = pytest.mark.django_db


def register(actor: User, office: FieldOffice, name: str = "Esperance Kavira") -> Survivor:
    return survivor_register(
        actor=actor, field_office=office, identity=SurvivorIdentity(name=name), profile=ADULT
    )


@pytest.fixture
def gone_wpa(office: FieldOffice) -> User:
    """A Goma WPA who will leave the office, her case staying assigned to her."""
    return UserFactory(username="wpa_gone", roles=[Role.WPA], offices=[office])


@pytest.fixture
def goma_and_bunia(
    office: FieldOffice,
    other_office: FieldOffice,
    reporter: User,
    wpa: User,
    wpa_other: User,
    gone_wpa: User,
) -> None:
    """Goma: two cases of the Goma WPA, one registered by the reporter (unassigned), one of a
    WPA who then left the office (dormant). Bunia: one case of the Bunia WPA."""
    register(wpa, office)
    register(wpa, office, "Amani Furaha")
    register(reporter, office, "Neema Bahati")
    register(gone_wpa, office, "Sifa Mapendo")
    Membership.objects.filter(user=gone_wpa).delete()
    register(wpa_other, other_office, "Zawadi Kahindo")


def _survivor_counts(user: User) -> dict[str, int]:
    return {name: n for name, n in counts_of(user).items() if name.startswith("survivors.")}


@pytest.mark.usefixtures("goma_and_bunia")
def test_each_persona_sees_her_lines_with_her_counts(
    reporter: User, wpa: User, wpa_other: User, senior_wpa: User, analyst: User, provider: User
) -> None:
    # No case is linked to a rape inside its 72-hour window (tests/referrals/test_clocks.py).
    assert _survivor_counts(wpa) == {"survivors.medical_window": 0, "survivors.assigned": 2}
    assert _survivor_counts(wpa_other) == {"survivors.medical_window": 0, "survivors.assigned": 1}
    assert _survivor_counts(senior_wpa) == {
        "survivors.medical_window": 0,
        "survivors.assigned": 0,
        "survivors.unassigned": 1,
        "survivors.dormant": 1,
        "survivors.break_glass": 0,
    }
    assert lines_of(senior_wpa)["survivors.dormant"].urgent
    for nobody in (reporter, analyst, provider):
        assert _survivor_counts(nobody) == {}


def test_a_senior_wpa_of_another_mission_counts_none_of_ours(
    office: FieldOffice, foreign_office: FieldOffice, reporter: User
) -> None:
    register(reporter, office)
    foreign_senior = UserFactory(username="senior_bangui", roles=[Role.SENIOR_WPA], offices=[foreign_office])
    assert _survivor_counts(foreign_senior)["survivors.unassigned"] == 0


@pytest.mark.usefixtures("goma_and_bunia")
@pytest.mark.parametrize("persona", ["wpa", "wpa_other", "senior_wpa"])
def test_each_link_lists_exactly_the_rows_counted(
    persona: str, request: pytest.FixtureRequest, login: Callable[[User], Client]
) -> None:
    user = request.getfixturevalue(persona)
    followed = links_list_their_rows(
        login(user), user, app="survivors", skip=frozenset({"survivors.break_glass"})
    )
    assert followed >= 1


def test_break_glass_openings_by_the_others_are_counted_and_shown_where_the_line_leads(
    office: FieldOffice, reporter: User, senior_wpa: User, login: Callable[[User], Client]
) -> None:
    other_senior = UserFactory(username="senior_2", roles=[Role.SENIOR_WPA], offices=[office])
    for name in ("Esperance Kavira", "Amani Furaha"):
        case = register(reporter, office, name)
        survivor_break_glass(actor=other_senior, survivor=case, reason="Safety emergency reported.")
    line = lines_of(senior_wpa)["survivors.break_glass"]
    assert line.count == 2 and line.url == "/#break-glass-heading"
    assert lines_of(other_senior)["survivors.break_glass"].count == 0  # her own are not news to her
    response = login(senior_wpa).get(line.url)
    (panel,) = [panel for template, panel in response.context["panels"] if "break_glass" in panel]
    assert len(panel["break_glass"]) == 2
    assert 'id="break-glass-heading"' in response.content.decode()
