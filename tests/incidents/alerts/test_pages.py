"""The alert pages: the minimal form (under 10 KB, no script, the place searched without
JavaScript), the list (filters, keyset pages, a query count that does not grow), the alert page
(its buttons, its moves, the link form, what an analyst does not see) and the on-call roster."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import FieldOffice, User
from incidents import clock
from incidents.models import Alert, Incident, Location, OnCallAssignment
from incidents.selectors import alerts as selectors
from tests.incidents.alerts.conftest import CANARY
from tests.incidents.factories import LocationFactory

pytestmark = pytest.mark.django_db
NEW = "/incidents/alerts/new/"
LIST = "/incidents/alerts/"
FORM_BUDGET = 10 * 1024


def _post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": "cla",
        "place": "Sake",
        "indicators": ["abductions", "displacement"],
        "urgency": "critical",
        "description": "Two girls missing since the night.",
    }
    data.update(overrides)
    return data


def test_the_form_is_one_small_page_without_script(login: Callable[[User], Client], reporter: User) -> None:
    response = login(reporter).get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < FORM_BUDGET, len(response.content)
    assert "<script" not in html and " on" not in re.sub(r'"[^"]*"', '""', html).replace(" one", "")
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html  # 360 px
    for name in ("source", "place", "indicators", "urgency", "description"):
        assert f'name="{name}"' in html
    assert 'name="field_office"' not in html  # her only office
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_the_form_stays_under_budget_with_every_error_shown(
    login: Callable[[User], Client], reporter: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    reporter.memberships.create(field_office=other_office)  # two offices: a select more
    response = login(reporter).post(NEW, {"description": "x" * 1000, "place": "x" * 200})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert len(response.content) < FORM_BUDGET, len(response.content)


def test_an_alert_sent_from_the_form_comes_back_to_an_empty_form(
    login: Callable[[User], Client], reporter: User, wpa: User, sake: Location
) -> None:
    client = login(reporter)
    response = client.post(NEW, _post(), follow=True)
    alert = Alert.objects.get()
    assert (alert.location, alert.urgency, alert.source) == (sake, "critical", "cla")
    html = response.content.decode()
    assert response.redirect_chain == [(NEW, 302)]
    assert f"Alert {alert.reference} saved. Nobody is on call: sent to the office&#x27;s 1 WPA." in html
    assert "Two girls" not in html  # an empty form again


def test_a_place_matching_several_is_chosen_in_a_second_step(
    login: Callable[[User], Client], reporter: User, masisi: Location
) -> None:
    town = LocationFactory(pcode="CD610601", name="Masisi-Centre", admin_level=3, parent=masisi)
    client = login(reporter)
    response = client.post(NEW, _post(place="masisi"))
    html = response.content.decode()
    assert response.status_code == 200 and not Alert.objects.exists()
    assert '<select name="location"' in html and "CD6106" in html and "CD610601" in html
    assert len(response.content) < FORM_BUDGET
    client.post(NEW, _post(place="masisi", location="CD610601"))
    assert Alert.objects.get().location == town
    assert "No locality" in client.post(NEW, _post(place="Atlantis")).content.decode()
    client.post(NEW, _post(place="cd6106"))  # a p-code: that one place
    assert Alert.objects.latest("id").location == masisi


def test_the_list_filters_and_pages(
    login: Callable[[User], Client],
    raise_alert: Callable[..., Alert],
    alert_in_state: Callable[..., Alert],
    wpa: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    critical = raise_alert(urgency="critical")
    acknowledged = alert_in_state("acknowledged")
    client = login(wpa)
    listed = client.get(LIST).context["rows"]
    assert [row["alert"] for row in listed] == [acknowledged, critical]
    assert [row["alert"] for row in client.get(LIST, {"state": "new"}).context["rows"]] == [critical]
    assert [row["alert"] for row in client.get(LIST, {"urgency": "high"}).context["rows"]] == [acknowledged]
    monkeypatch.setattr(selectors, "ALERT_PAGE_SIZE", 1)
    first = client.get(LIST)
    assert [row["alert"] for row in first.context["rows"]] == [acknowledged]
    second = client.get(LIST + first.context["next_url"])
    assert [row["alert"] for row in second.context["rows"]] == [critical]
    assert second.context["next_url"] is None


def test_the_list_costs_the_same_with_one_row_or_twenty(
    login: Callable[[User], Client], raise_alert: Callable[..., Alert], wpa: User
) -> None:
    client = login(wpa)
    raise_alert()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(19):
        raise_alert()
    assert queries() == one


def test_the_alert_page_shows_what_each_may_see(
    login: Callable[[User], Client],
    raise_alert: Callable[..., Alert],
    wpa: User,
    analyst: User,
    reporter: User,
) -> None:
    alert = raise_alert()
    url = f"/incidents/alerts/{alert.public_id}/"
    page = login(wpa).get(url).content.decode()
    assert CANARY in page and "Sake" in page and 'value="acknowledge"' in page
    assert "no-store" in login(wpa).get(url)["Cache-Control"]
    mine = login(reporter).get(url).content.decode()
    assert CANARY in mine and 'value="acknowledge"' not in mine
    theirs = login(analyst).get(url).content.decode()
    assert CANARY not in theirs and "Sake" not in theirs and "Masisi" in theirs
    assert reporter.display_name not in theirs  # nor who entered it


def test_the_moves_from_the_page(
    login: Callable[[User], Client], raise_alert: Callable[..., Alert], wpa: User, senior_wpa: User
) -> None:
    alert = raise_alert()
    url = f"/incidents/alerts/{alert.public_id}/transition/"
    client = login(wpa)
    assert client.post(url, {"action": "acknowledge"}).status_code == 302
    response = client.post(url, {"action": "dispatch", "note": ""})
    assert response.status_code == 200 and "Say which response was dispatched." in response.content.decode()
    assert client.post(url, {"action": "dispatch", "note": "Patrol."}).status_code == 302
    assert client.post(url, {"action": "acknowledge"}).status_code == 409
    assert client.post(url, {"action": "launch"}).status_code == 400
    alert.refresh_from_db()
    assert alert.state == Alert.State.RESPONSE_DISPATCHED


def test_linking_an_incident_by_its_reference(
    login: Callable[[User], Client],
    raise_alert: Callable[..., Alert],
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
) -> None:
    alert = raise_alert()
    incident = make_incident("submitted", reporter=reporter)
    url = f"/incidents/alerts/{alert.public_id}/link/"
    client = login(wpa)
    wrong = client.post(url, {"reference": "MONUSCO-GOM-2020-99999"})
    assert wrong.status_code == 200 and "No submitted incident" in wrong.content.decode()
    assert client.post(url, {"reference": incident.reference.lower()}).status_code == 302
    assert list(alert.incidents.all()) == [incident]
    assert incident.reference in client.get(f"/incidents/alerts/{alert.public_id}/").content.decode()
    assert login(reporter).post(url, {"reference": incident.reference}).status_code == 403


def test_the_roster_page(
    login: Callable[[User], Client], wpa: User, senior_wpa: User, office: FieldOffice, reporter: User
) -> None:
    url = f"/incidents/alerts/on-call/{office.pk}/"
    client = login(wpa)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"user": str(senior_wpa.public_id), "starts_at": "2020-01-01T08:00", "ends_at": "2020-01-01T20:00"},
    )
    assert "must be in the future" in response.content.decode()
    tomorrow = clock.office_today(office) + timedelta(days=1)
    start, end = f"{tomorrow:%Y-%m-%d}T08:00", f"{tomorrow:%Y-%m-%d}T20:00"
    assert (
        client.post(url, {"user": str(senior_wpa.public_id), "starts_at": start, "ends_at": end}).status_code
        == 302
    )
    shift = OnCallAssignment.objects.get()
    assert shift.user == senior_wpa and shift.starts_at.hour == 6  # 08:00 in Lubumbashi is 06:00 UTC
    assert senior_wpa.display_name in client.get(url).content.decode()
    assert client.post(f"/incidents/alerts/on-call/shifts/{shift.public_id}/end/").status_code == 302
    shift.refresh_from_db()
    assert shift.ends_at == shift.starts_at and shift.ended_by == wpa  # not begun: never counts
    assert login(reporter).get(url).status_code == 403
