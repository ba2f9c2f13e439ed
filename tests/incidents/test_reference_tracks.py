"""Issue 8 item 12: SEA incidents number in their own sequence, and analysts see no reference
numbers at all (pages, API, history), nor search or order by them: gaps in the numbers an
analyst saw were exactly the SEA incidents."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import User
from incidents import services
from incidents.models import Incident, IncidentReferenceCounter
from incidents.reference_numbers import reference_format, reference_is_sea
from incidents.services import PerpetratorData
from tests.incidents.factories import UN_PERPETRATOR, office_today
from tests.incidents.pages import text
from tests.incidents.test_api_common import LIST, as_user, detail_url, history_url

pytestmark = pytest.mark.django_db
CRSV = re.compile(r"MONUSCO-GOM-(\d{4})-(\d{5})")
SEA = re.compile(r"MONUSCO-GOM-(\d{4})-SEA-(\d{5})")
NOT_UN = [PerpetratorData(category="unidentified_armed_men", count=2)]


def _number(pattern: re.Pattern[str], reference: str | None) -> int:
    match = pattern.fullmatch(reference or "")
    assert match, reference
    return int(match.group(2))


def test_the_format() -> None:
    crsv = reference_format(mission_code="MONUSCO", office_code="GOM", year=2026, number=42)
    sea = reference_format(mission_code="MONUSCO", office_code="GOM", year=2026, number=3, sea=True)
    assert (crsv, sea) == ("MONUSCO-GOM-2026-00042", "MONUSCO-GOM-2026-SEA-00003")
    assert reference_is_sea(sea) and not reference_is_sea(crsv)
    assert not reference_is_sea("MONUSCO-SEA-2026-00001")  # an office whose code is SEA


def test_sea_incidents_leave_no_gap_in_the_crsv_sequence(
    make_incident: Callable[..., Incident], reporter: User
) -> None:
    first = make_incident("submitted", reporter=reporter)
    sea = make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR)
    second = make_incident("submitted", reporter=reporter)
    sea_again = make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR)
    assert [_number(CRSV, first.reference), _number(CRSV, second.reference)] == [1, 2]
    assert [_number(SEA, sea.reference), _number(SEA, sea_again.reference)] == [1, 2]
    year = office_today(reporter).year
    assert sea.reference == f"MONUSCO-GOM-{year}-SEA-00001"
    counters = dict(IncidentReferenceCounter.objects.values_list("sea", "last"))
    assert counters == {False: 2, True: 2}


def _returned_and_resubmitted(
    incident: Incident, *, reporter: User, reviewer: User, perpetrators: list[PerpetratorData]
) -> Incident:
    incident = services.incident_return(actor=reviewer, incident=incident, reason="Check the perpetrators.")
    incident = services.incident_update(actor=reporter, incident=incident, perpetrators=perpetrators)
    return services.incident_submit(actor=reporter, incident=incident)


def test_a_crsv_incident_reclassified_as_sea_keeps_its_number(
    make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    """Its number was handed out and quoted; only senior WPAs see it from now on."""
    incident = make_incident("submitted", reporter=reporter)
    reference, submitted_at = incident.reference, incident.submitted_at
    incident = _returned_and_resubmitted(
        incident, reporter=reporter, reviewer=wpa, perpetrators=UN_PERPETRATOR
    )
    assert incident.is_sea and incident.reference == reference and incident.submitted_at == submitted_at
    later = make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR)
    assert _number(SEA, later.reference) == 1


def test_an_sea_incident_reclassified_as_crsv_gets_a_crsv_number(
    make_incident: Callable[..., Incident], reporter: User, senior_wpa: User
) -> None:
    """Its SEA number would show the office's staff, who see no SEA incident, how many there were."""
    make_incident("submitted", reporter=reporter)  # CRSV 00001
    incident = make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR)
    assert _number(SEA, incident.reference) == 1
    submitted_at = incident.submitted_at
    incident = _returned_and_resubmitted(
        incident, reporter=reporter, reviewer=senior_wpa, perpetrators=NOT_UN
    )
    assert not incident.is_sea
    assert _number(CRSV, incident.reference) == 2
    assert incident.submitted_at == submitted_at  # still the first submission


# --- analysts see no reference ---------------------------------------------------------------


@pytest.fixture
def submitted(make_incident: Callable[..., Incident], reporter: User) -> Incident:
    incident = make_incident("under_review", reporter=reporter)
    assert incident.reference
    return incident


def test_the_api_gives_analysts_no_reference(
    api_client: Any, submitted: Incident, analyst: User, wpa: User
) -> None:
    client = as_user(api_client, analyst)
    reference = submitted.reference or ""
    rows = client.get(LIST).json()["results"]
    assert [row["public_id"] for row in rows] == [str(submitted.public_id)]
    assert "reference" not in rows[0]
    assert "reference" not in client.get(detail_url(submitted)).json()
    for url in (LIST, detail_url(submitted), history_url(submitted)):
        assert reference.encode() not in client.get(url).content, url
    # Others still do.
    client = as_user(api_client, wpa)
    assert client.get(LIST).json()["results"][0]["reference"] == reference
    assert client.get(detail_url(submitted)).json()["reference"] == reference


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"reference": "GOM-2026"}, "reference"),
        ({"ordering": "reference"}, "ordering"),
        ({"ordering": "-reference"}, "ordering"),
    ],
)
def test_analysts_cannot_search_or_order_by_reference(
    api_client: Any, submitted: Incident, analyst: User, wpa: User, params: dict[str, str], field: str
) -> None:
    response = as_user(api_client, analyst).get(LIST, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert as_user(api_client, wpa).get(LIST, params).status_code == 200


def test_the_pages_give_analysts_no_reference(
    login: Callable[[User], Client], submitted: Incident, analyst: User
) -> None:
    client = login(analyst)
    reference = submitted.reference or ""
    listing = client.get(reverse("incidents:list"))
    detail = client.get(reverse("incidents:detail", args=[submitted.public_id]))
    for response in (listing, detail):
        assert response.status_code == 200
        assert reference not in text(response)
        assert str(submitted.public_id) in text(response)
    assert f"Incident {submitted.public_id}" in text(detail)
    assert 'name="reference"' not in listing.content.decode()  # no search by reference
    assert 'value="reference"' not in listing.content.decode()  # no ordering by it
    ordered = client.get(reverse("incidents:list"), {"ordering": "-reference"})
    assert reference not in text(ordered)
    assert ordered.content.decode().count("<tr><td>") == 0  # refused, not ordered
    searched = client.get(reverse("incidents:list"), {"reference": "GOM"})  # ignored: no such filter
    assert reference not in text(searched) and str(submitted.public_id) in text(searched)


def test_the_pages_still_show_references_to_others(
    login: Callable[[User], Client], submitted: Incident, reporter: User, wpa: User
) -> None:
    for user in (reporter, wpa):
        client = login(user)
        assert (submitted.reference or "-") in text(client.get(reverse("incidents:list")))
        assert (submitted.reference or "-") in text(
            client.get(reverse("incidents:detail", args=[submitted.public_id]))
        )
