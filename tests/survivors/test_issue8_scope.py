"""Issue 8, items 1 and 14: membership bounds survivor access; linked incidents follow identification.

Memberships are read with the user at authentication (crsv/accounts/scope.py): every check here
signs in again after a membership changes, through the session (pages) and a new bearer token
(API), as her next request would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crsv.accounts.models import FieldOffice, Membership, User
from incidents.models import Incident
from survivors.models import Survivor
from survivors.services import survivor_assign, survivor_break_glass, survivor_grant
from tests.survivors.test_api_common import CANARY_NAME, LIST, detail_url, link, with_token

pytestmark = pytest.mark.django_db


def _move(user: User, *, to: FieldOffice) -> None:
    """Her memberships replaced by one of `to` (what an admin's move does)."""
    Membership.objects.filter(user=user).delete()
    Membership.objects.create(user=user, field_office=to)


def _page_statuses(client: Client, survivor: Survivor) -> tuple[int, int, bool]:
    detail = client.get(reverse("survivors:detail", args=[survivor.public_id])).status_code
    edit = client.get(reverse("survivors:edit", args=[survivor.public_id])).status_code
    listed = survivor.code in client.get(reverse("survivors:list")).content.decode()
    return detail, edit, listed


def _api_statuses(api_client: Any, user: User, survivor: Survivor) -> tuple[int, int, bool]:
    api = with_token(api_client, user)
    detail = api.get(detail_url(survivor)).status_code
    patch = api.patch(detail_url(survivor), {"notes": "moved"}, format="json").status_code
    listed = any(row["code"] == survivor.code for row in api.get(LIST).json()["results"])
    return detail, patch, listed


def test_a_wpa_moved_to_another_office_loses_her_assigned_and_registered_cases(
    login: Callable[[User], Client],
    api_client: Any,
    make_survivor: Callable[..., Survivor],
    wpa: User,
    reporter: User,
    other_office: FieldOffice,
) -> None:
    assigned = make_survivor(wpa, name=CANARY_NAME)  # a WPA's own case is assigned to her
    registered = make_survivor(reporter)  # waits for a WPA: the reporter reads it until then
    assert _page_statuses(login(wpa), assigned) == (200, 200, True)
    assert _api_statuses(api_client, reporter, registered) == (200, 200, True)

    _move(wpa, to=other_office)
    _move(reporter, to=other_office)

    assert _page_statuses(login(wpa), assigned) == (404, 404, False)
    assert _api_statuses(api_client, wpa, assigned) == (404, 404, False)
    assert _page_statuses(login(reporter), registered) == (404, 404, False)
    assert _api_statuses(api_client, reporter, registered) == (404, 404, False)
    # Her assignment stays (dormant), for a senior WPA to reassign.
    assert Survivor.objects.get(pk=assigned.pk).assigned_wpa_id == wpa.pk


def test_a_wpa_moved_to_another_mission_loses_her_grants(
    login: Callable[[User], Client],
    api_client: Any,
    case: Survivor,
    senior_wpa: User,
    wpa_other: User,
    foreign_office: FieldOffice,
) -> None:
    survivor_grant(actor=senior_wpa, survivor=case, grantee=wpa_other)
    _move(wpa_other, to=foreign_office)

    assert _page_statuses(login(wpa_other), case) == (404, 404, False)
    assert _api_statuses(api_client, wpa_other, case) == (404, 404, False)


def test_a_bunia_wpa_granted_a_goma_case_still_reads_it(
    login: Callable[[User], Client], api_client: Any, case: Survivor, senior_wpa: User, wpa_other: User
) -> None:
    """Grants across the offices of one mission stay: that is how a case is shared."""
    survivor_grant(actor=senior_wpa, survivor=case, grantee=wpa_other)
    page = login(wpa_other).get(reverse("survivors:detail", args=[case.public_id]))
    assert page.status_code == 200
    assert "Esperance Kavira" in page.content.decode()
    body = with_token(api_client, wpa_other).get(detail_url(case)).json()
    assert (body["identifying"], body["name"]) == (True, "Esperance Kavira")


def test_a_senior_wpa_keeps_her_cases_in_every_office_of_her_mission(
    api_client: Any, senior_wpa: User, other_office: FieldOffice
) -> None:
    """Her reach is her missions: a case she registered (so holds) in Bunia, her office Goma."""
    from survivors.identity import SurvivorIdentity
    from survivors.services import SurvivorProfile, survivor_register

    held = survivor_register(
        actor=senior_wpa,
        field_office=other_office,
        identity=SurvivorIdentity(name=CANARY_NAME),
        profile=SurvivorProfile(),
    )
    body = with_token(api_client, senior_wpa).get(detail_url(held)).json()
    assert body["identifying"] is True


def test_a_senior_wpa_moved_to_another_mission_loses_her_break_glass(
    api_client: Any, case: Survivor, senior_wpa: User, foreign_office: FieldOffice
) -> None:
    survivor_break_glass(actor=senior_wpa, survivor=case, reason="Urgent safety check after a call")
    assert with_token(api_client, senior_wpa).get(detail_url(case)).json()["identifying"] is True
    _move(senior_wpa, to=foreign_office)
    assert with_token(api_client, senior_wpa).get(detail_url(case)).status_code == 404


# --- the dormant filter: cases whose assigned WPA left the office ---------------------------


def _dormant_cases(make_survivor: Callable[..., Survivor], owner: User, count: int) -> list[Survivor]:
    return [make_survivor(owner) for _ in range(count)]


def test_the_senior_wpa_lists_dormant_cases_on_the_page_and_the_api(
    login: Callable[[User], Client],
    api_client: Any,
    make_survivor: Callable[..., Survivor],
    wpa: User,
    senior_wpa: User,
    office: FieldOffice,
    other_office: FieldOffice,
) -> None:
    from tests.factories import UserFactory

    leaver = UserFactory(username="leaver", roles=["wpa"], offices=[office])
    dormant = make_survivor(leaver)
    active = make_survivor(wpa)
    unassigned = make_survivor(senior_wpa)
    Survivor.objects.filter(pk=unassigned.pk).update(assigned_wpa=None)
    _move(leaver, to=other_office)

    page = login(senior_wpa).get(reverse("survivors:list"), {"assignment": "dormant"})
    assert page.status_code == 200
    content = page.content.decode()
    assert dormant.code in content
    assert active.code not in content
    assert unassigned.code not in content
    everything = login(senior_wpa).get(reverse("survivors:list")).content.decode()
    assert all(s.code in everything for s in (dormant, active, unassigned))

    api = with_token(api_client, senior_wpa)
    rows = api.get(LIST, {"assignment": "dormant"}).json()["results"]
    assert [row["code"] for row in rows] == [dormant.code]
    assert api.get(LIST, {"assignment": "nonsense"}).status_code == 400
    assert api.get(LIST, {"unknown": "1"}).status_code == 400

    # Reassigned to a WPA of the office, the case leaves the list.
    survivor_assign(actor=senior_wpa, survivor=dormant, assignee=wpa)
    assert api.get(LIST, {"assignment": "dormant"}).json()["results"] == []


def test_the_dormant_list_costs_the_same_queries_whatever_its_length(
    login: Callable[[User], Client],
    api_client: Any,
    make_survivor: Callable[..., Survivor],
    senior_wpa: User,
    office: FieldOffice,
    other_office: FieldOffice,
) -> None:
    from tests.factories import UserFactory

    leaver = UserFactory(username="leaver", roles=["wpa"], offices=[office])
    _dormant_cases(make_survivor, leaver, 1)
    _move(leaver, to=other_office)
    client = login(senior_wpa)
    api = with_token(api_client, senior_wpa)

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("survivors:list"), {"assignment": "dormant"}).status_code == 200
        with CaptureQueriesContext(connection) as body:
            assert api.get(LIST, {"assignment": "dormant"}).status_code == 200
        return len(page), len(body)

    one = counts()
    Membership.objects.create(user=leaver, field_office=office)
    _dormant_cases(make_survivor, leaver, 4)
    Membership.objects.filter(user=leaver, field_office=office).delete()
    assert len(api.get(LIST, {"assignment": "dormant"}).json()["results"]) == 5
    assert counts() == one


# --- item 14: linked incidents are shown only with the identifying fields -------------------


def _linked_incident(reporter: User, wpa: User, case: Survivor) -> Incident:
    """A submitted incident (so it has a reference, and the senior WPA sees it) linked to the case."""
    from tests.incidents.factories import LocationFactory, incident_in_state

    province = LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)
    place = LocationFactory(pcode="CD6106", name="Masisi", admin_level=2, parent=province)
    incident = incident_in_state("submitted", reporter=reporter, reviewer=wpa, location=place)
    link(case, incident, by=wpa)
    assert incident.reference
    return incident


def test_a_senior_wpa_without_identifying_access_sees_no_linked_reference(
    login: Callable[[User], Client],
    api_client: Any,
    case: Survivor,
    reporter: User,
    wpa: User,
    senior_wpa: User,
) -> None:
    incident = _linked_incident(reporter, wpa, case)
    reference = incident.reference
    assert Incident.objects.visible_to(senior_wpa).filter(pk=incident.pk).exists()

    page = login(senior_wpa).get(reverse("survivors:detail", args=[case.public_id])).content.decode()
    assert reference not in page
    assert "incidents" not in with_token(api_client, senior_wpa).get(detail_url(case)).json()

    # With a break-glass she identifies the survivor, and both doors show the link.
    survivor_break_glass(actor=senior_wpa, survivor=case, reason="Urgent safety check after a call")
    page = login(senior_wpa).get(reverse("survivors:detail", args=[case.public_id])).content.decode()
    assert reference in page
    body = with_token(api_client, senior_wpa).get(detail_url(case)).json()
    assert [i["reference"] for i in body["incidents"]] == [reference]
