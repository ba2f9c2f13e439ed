"""The incident list page (/incidents/): role gate, scope, de-identification, filters,
orderings, keyset pagination and a query count constant in the number of rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crsv.accounts.models import FieldOffice, User
from incidents import selectors
from incidents.forms import ORDERING_CHOICES
from incidents.models import Incident, Location, PartyToConflict
from incidents.services import PerpetratorData
from incidents.views import listing
from tests.incidents.factories import LocationFactory, incident_in_state, office_today
from tests.incidents.pages import COMMANDER, NAMES, NARRATIVE, UNIT, text

pytestmark = pytest.mark.django_db
LIST = "/incidents/"


def _identified(m23: PartyToConflict) -> list[PerpetratorData]:
    return [
        PerpetratorData(
            category="non_state_armed_group", count=4, party=m23, unit=UNIT, commander=COMMANDER, names=NAMES
        )
    ]


def _references(response: object) -> list[str]:
    return re.findall(r">(MONUSCO-[A-Z]+-\d{4}-\d{5})</a>", response.content.decode())  # type: ignore[attr-defined]


def _rows(response: object) -> int:
    return response.content.decode().count("<tr><td>")  # type: ignore[attr-defined]


def test_url() -> None:
    assert reverse("incidents:list") == LIST


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["provider", "admin_user", "auditor", "no_role"])
def test_roles_that_cannot_list_get_403(
    login: Callable[[User], Client], request: pytest.FixtureRequest, persona: str
) -> None:
    assert login(request.getfixturevalue(persona)).get(LIST).status_code == 403


@pytest.mark.parametrize("persona", ["reporter", "wpa", "senior_wpa", "analyst"])
def test_listing_roles_get_the_page(
    login: Callable[[User], Client],
    request: pytest.FixtureRequest,
    persona: str,
    make_incident: Callable[..., Incident],
    reporter: User,
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    response = login(request.getfixturevalue(persona)).get(LIST)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    # Analysts see no references (issue 8 item 12): the public id names the row.
    assert _references(response) == ([] if persona == "analyst" else [incident.reference])
    assert f'href="/incidents/{incident.public_id}/"' in response.content.decode()
    if persona == "analyst":
        assert f">{incident.public_id}</a>" in response.content.decode()


def test_out_of_scope_incidents_are_not_listed(
    login: Callable[[User], Client],
    make_incident: Callable[..., Incident],
    reporter: User,
    outsider: User,
    wpa_other: User,
    colleague: User,
) -> None:
    draft = make_incident("draft", reporter=reporter)
    submitted = make_incident("submitted", reporter=reporter)
    for persona in (outsider, wpa_other):
        response = login(persona).get(LIST)
        assert response.status_code == 200
        assert _rows(response) == 0
    # A draft is its reporter's alone.
    page = login(colleague).get(LIST).content.decode()
    assert str(submitted.public_id) in page and str(draft.public_id) not in page
    page = login(reporter).get(LIST).content.decode()
    assert str(draft.public_id) in page and "Draft" in page


def test_analyst_gets_deidentified_rows_only(
    login: Callable[[User], Client],
    make_incident: Callable[..., Incident],
    reporter: User,
    analyst: User,
    wpa: User,
    m23: PartyToConflict,
) -> None:
    incident = make_incident(
        "under_review",
        reporter=reporter,
        perpetrators=_identified(m23),
        narrative=NARRATIVE,
        latitude=Decimal("-1.234567"),
        longitude=Decimal("29.123456"),
    )
    body = text(login(analyst).get(LIST))
    assert incident.reference and incident.reference not in body and str(incident.public_id) in body
    for restricted in (NARRATIVE, UNIT, COMMANDER, NAMES, "Sake", "CD610602", "-1.234567", "29.123456"):
        assert restricted not in body, restricted
    assert "Masisi" in body  # coarsened to admin level 2
    assert "Assigned to" not in body and wpa.display_name not in body.split("<tbody>")[1]
    # The WPA reviewing it sees the exact place and who has it.
    body = text(login(wpa).get(LIST))
    assert "Sake" in body and "Assigned to" in body
    assert NARRATIVE not in body  # a list never shows a narrative


def test_a_reporter_sees_a_colleagues_location_coarsened(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], colleague: User, reporter: User
) -> None:
    make_incident("submitted", reporter=colleague)
    body = text(login(reporter).get(LIST))
    assert "Masisi" in body and "Sake" not in body


def test_rows_escape_what_they_show(
    login: Callable[[User], Client], reporter: User, wpa: User, masisi: Location
) -> None:
    evil = LocationFactory(pcode="CD610699", name="<script>alert(1)</script>", admin_level=3, parent=masisi)
    incident_in_state("submitted", reporter=reporter, reviewer=wpa, location=evil)
    page = login(reporter).get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("persona", ["wpa", "analyst", "reporter"])
def test_query_count_is_constant_in_the_number_of_rows(
    login: Callable[[User], Client],
    request: pytest.FixtureRequest,
    make_incident: Callable[..., Incident],
    reporter: User,
    wpa: User,
    persona: str,
) -> None:
    client = login(request.getfixturevalue(persona))
    states = ["submitted", "under_review", "closed"]

    def count() -> tuple[int, int, list[str]]:
        client.get(LIST)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        return len(queries), _rows(response), [q["sql"] for q in queries.captured_queries]

    for n in range(3):
        make_incident(states[n % 3], reporter=reporter)
    few, rows_few, _sql = count()
    for n in range(17):
        make_incident(states[n % 3], reporter=reporter)
    many, rows_many, sql = count()
    assert (rows_few, rows_many) == (3, 20)
    assert few == many
    # Keyset: the incidents are never counted (the navigation's unread-notifications count is
    # not theirs).
    assert not any("COUNT(" in s.upper() and "INCIDENTS_INCIDENT" in s.upper() for s in sql)


FILTER_CASES = [
    ("status", "closed"),
    ("verification_status", "verified"),
    ("violation_form", "sexual_slavery"),
    ("perpetrator_category", "state_armed_forces"),
]


@pytest.fixture
def varied(make_incident: Callable[..., Incident], reporter: User) -> dict[str, Incident]:
    today = office_today(reporter)
    return {
        "plain": make_incident("submitted", reporter=reporter),
        "closed": make_incident("closed", reporter=reporter, violations=("sexual_slavery",)),
        "old": make_incident(
            "submitted",
            reporter=reporter,
            incident_date_start=today - timedelta(days=60),
            perpetrators=[PerpetratorData(category="state_armed_forces")],
        ),
    }


@pytest.mark.parametrize(("name", "value"), FILTER_CASES)
def test_each_filter_narrows_the_list(
    login: Callable[[User], Client], wpa: User, varied: dict[str, Incident], name: str, value: str
) -> None:
    client = login(wpa)
    assert len(_references(client.get(LIST))) == 3
    expected = {
        "status": {"closed"},
        "verification_status": {"closed"},
        "violation_form": {"closed"},
        "perpetrator_category": {"old"},
    }[name]
    found = set(_references(client.get(LIST, {name: value})))
    assert found == {varied[key].reference for key in expected}


def test_date_reference_and_office_filters(
    login: Callable[[User], Client],
    wpa: User,
    reporter: User,
    varied: dict[str, Incident],
    office: FieldOffice,
) -> None:
    client = login(wpa)
    today = office_today(reporter)
    recent = {
        "date_from": (today - timedelta(days=10)).isoformat(),
        "date_to": today.isoformat(),
    }
    found = set(_references(client.get(LIST, recent)))
    assert found == {varied["plain"].reference, varied["closed"].reference}
    reference = varied["old"].reference
    assert reference is not None
    assert _references(client.get(LIST, {"reference": reference[-5:]})) == [reference]
    assert len(_references(client.get(LIST, {"field_office": office.pk}))) == 3


def test_a_bad_filter_is_shown_beside_its_field(login: Callable[[User], Client], wpa: User) -> None:
    response = login(wpa).get(
        LIST, {"status": "nonsense", "date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    assert response.status_code == 200
    page = text(response)
    assert re.search(r'id="id_status_error"><li>Select a valid choice', page)
    assert re.search(r'id="id_date_to_error"><li>The end of the period cannot be before its start', page)


def test_an_office_outside_ones_scope_cannot_be_chosen(
    login: Callable[[User], Client], wpa: User, other_office: FieldOffice
) -> None:
    page = text(login(wpa).get(LIST, {"field_office": other_office.pk}))
    assert 'id="id_field_office_error"' in page


def test_orderings_offered_are_the_selectors() -> None:
    assert [name for name, _label in ORDERING_CHOICES] == list(selectors.ORDERINGS)


@pytest.mark.parametrize("ordering", list(selectors.ORDERINGS))
def test_keyset_pages_walk_every_row_once_in_every_ordering(
    login: Callable[[User], Client],
    make_incident: Callable[..., Incident],
    reporter: User,
    monkeypatch: pytest.MonkeyPatch,
    ordering: str,
) -> None:
    """Drafts have no reference and no date: the NULLs must page too (PostgreSQL puts them
    last ascending, first descending)."""
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    today = office_today(reporter)
    incidents = [
        make_incident("submitted", reporter=reporter, incident_date_start=today - timedelta(days=n % 3))
        for n in range(4)
    ]
    incidents += [make_incident("draft", reporter=reporter, date_precision="", incident_date_start=None)]
    incidents += [make_incident("draft", reporter=reporter, date_precision="", incident_date_start=None)]
    client = login(reporter)
    seen: list[str] = []
    url: str | None = f"{LIST}?ordering={ordering}"
    pages = 0
    while url:
        response = client.get(url)
        seen += re.findall(r'href="/incidents/([0-9a-f-]{36})/"', response.content.decode())
        found = re.search(r'<a href="([^"]+)" rel="next">', response.content.decode())
        url = LIST + found.group(1).replace("&amp;", "&") if found else None
        pages += 1
        assert pages < 10
    assert sorted(seen) == sorted(str(incident.public_id) for incident in incidents)
    expected = list(
        selectors.incident_list(user=reporter, ordering=ordering).values_list("public_id", flat=True)
    )
    assert seen == [str(key) for key in expected]
    assert pages == 3


def test_next_page_keeps_the_filters_and_a_bad_cursor_starts_over(
    login: Callable[[User], Client],
    make_incident: Callable[..., Incident],
    reporter: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    first = make_incident("submitted", reporter=reporter)
    second = make_incident("submitted", reporter=reporter)
    client = login(reporter)
    page = client.get(LIST, {"status": "submitted", "ordering": "created_at"}).content.decode()
    found = re.search(r'<a href="([^"]+)" rel="next">', page)
    assert found
    next_url = found.group(1).replace("&amp;", "&")
    assert "status=submitted" in next_url and "ordering=created_at" in next_url
    assert _references(client.get(LIST + next_url)) == [second.reference]
    assert _references(client.get(LIST, {"after": "not-a-cursor"})) == [second.reference]
    # A cursor of another ordering is refused (first page), not misread.
    foreign = LIST + next_url.replace("ordering=created_at", "ordering=-reference")
    assert _references(client.get(foreign)) == [second.reference]
    assert first.reference is not None and second.reference is not None
    assert second.reference > first.reference


@pytest.mark.parametrize("persona", ["wpa", "analyst"])
def test_the_blank_forms_kept_markup_is_the_bound_forms(
    login: Callable[[User], Client], request: pytest.FixtureRequest, persona: str, office: FieldOffice
) -> None:
    """A visit with no query shows the filter fields rendered once and kept (per language,
    offices and flags): the same markup as the form bound to an empty query, rows alike; a
    renamed office shows renamed."""
    client = login(request.getfixturevalue(persona))

    def fields(path: str, language: str = "en") -> str:
        html = client.get(path, headers={"accept-language": language}).content.decode()
        start = html.index('<div class="filter-grid">')
        return html[start : html.index("</form>", start)]

    assert client.get("/incidents/").context["blank_fields"]
    assert client.get("/incidents/?after=").context["blank_fields"] is None
    assert 'name="field_office"' in fields("/incidents/")
    assert fields("/incidents/") == fields("/incidents/?after=")
    office.name = "Goma-Centre"
    office.save()
    assert "Goma-Centre" in fields("/incidents/")
    french = fields("/incidents/", "fr")
    assert "Statut" in french and french == fields("/incidents/?after=", "fr")
