"""The intake's location field: the search step without JavaScript ("Find" redisplays the page,
everything kept, nothing saved, no error shown), the chosen p-code checked by the server, the
edit page; and the type-ahead's JSON answers (POST /incidents/locations/search/)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crsv.accounts.models import FieldOffice, User
from incidents.models import Incident, Location
from tests.incidents.factories import LocationFactory, office_today
from tests.incidents.pages import NARRATIVE, error_beside, input_value, intake_data, selected, text

pytestmark = pytest.mark.django_db
CREATE = "/incidents/new/"
SEARCH = "/incidents/locations/search/"


@pytest.fixture
def villages(sake: Location) -> list[Location]:
    """Twenty-five villages of Bashali (Masisi), two of them with accents."""
    bashali = LocationFactory(pcode="CD610601", name="Bashali", admin_level=3, parent=sake.parent)
    names = ["Kibabi", "Kibabi-Bas", "Bétou", "Nyabiondo"] + [f"Kasika {n}" for n in range(21)]
    return [
        LocationFactory(pcode=f"CD610601V{n:02d}", name=name, admin_level=4, parent=bashali)
        for n, name in enumerate(names)
    ]


def _find(reporter: User, office: FieldOffice, sake: Location, query: str, **fields: str) -> dict[str, str]:
    posted = intake_data(location=sake, today=office_today(reporter), office=office, intent="find_location")
    posted.update(location="", location_query=query, **fields)
    return posted


def test_find_offers_the_matches_and_keeps_everything(
    login: Callable[[User], Client],
    reporter: User,
    office: FieldOffice,
    sake: Location,
    villages: list[Location],
) -> None:
    client = login(reporter)
    # Also a mistake elsewhere (the incident after the report): a search does not show it.
    posted = _find(reporter, office, sake, "betou", incident_date_start="2999-01-01")
    response = client.post(CREATE, posted)
    assert response.status_code == 200
    assert not Incident.objects.exists()
    page = text(response)
    assert NARRATIVE in page
    assert input_value(response, "location_query") == "betou"
    assert input_value(response, "incident_date_start") == "2999-01-01"
    assert "Nothing was saved" not in page and 'class="errorlist"' not in response.content.decode()
    assert re.findall(r'name="location" value="([^"]*)"', response.content.decode()) == ["CD610601V02", ""]
    assert "Bétou · Bashali · Masisi · Nord-Kivu (CD610601V02)" in page
    assert selected(response, "violations-1-form") == ["sexual_slavery"]
    # The same row count as posted: a search adds no row.
    assert 'name="violations-TOTAL_FORMS" value="3"' in response.content.decode()


def test_find_lists_at_most_twenty_and_says_when_none_match(
    login: Callable[[User], Client],
    reporter: User,
    office: FieldOffice,
    sake: Location,
    villages: list[Location],
) -> None:
    client = login(reporter)
    response = client.post(CREATE, _find(reporter, office, sake, "kasika"))
    offered = re.findall(r'name="location" value="(CD[^"]*)"', response.content.decode())
    assert len(offered) == 20
    response = client.post(CREATE, _find(reporter, office, sake, "nowhere at all"))
    assert "No location matches this search." in text(response)
    response = client.post(CREATE, _find(reporter, office, sake, "k"))
    assert "Type at least 2 letters" in text(response)
    assert not Incident.objects.exists()


def test_the_chosen_pcode_is_saved(
    login: Callable[[User], Client],
    reporter: User,
    office: FieldOffice,
    sake: Location,
    villages: list[Location],
) -> None:
    posted = intake_data(location=villages[2], today=office_today(reporter), office=office)
    posted["location_query"] = "something typed before choosing"  # the choice wins
    response = login(reporter).post(CREATE, posted)
    assert response.status_code == 302
    assert Incident.objects.get().location == villages[2]


def test_a_pcode_typed_in_the_box_is_taken(
    login: Callable[[User], Client],
    reporter: User,
    office: FieldOffice,
    sake: Location,
    villages: list[Location],
) -> None:
    client = login(reporter)
    for typed, expected in (("cd610601v03", villages[3]), ("Nyabiondo · Bashali (CD610601V03)", villages[3])):
        posted = intake_data(location=sake, today=office_today(reporter), office=office)
        posted.update(location="", location_query=typed)
        assert client.post(CREATE, posted).status_code == 302
        assert Incident.objects.order_by("-pk").first().location == expected  # type: ignore[union-attr]


def test_an_unknown_pcode_is_refused_beside_the_field(
    login: Callable[[User], Client], reporter: User, office: FieldOffice, sake: Location
) -> None:
    user = reporter
    posted = intake_data(location=sake, today=office_today(user), office=office)
    posted.update(location="CD999999", location_query="Sak")
    response = login(user).post(CREATE, posted)
    assert response.status_code == 200 and not Incident.objects.exists()
    assert "No location you may choose has the p-code CD999999." in error_beside(response, "id_location")
    assert input_value(response, "location_query") == "Sak"  # what was typed stays
    assert NARRATIVE in text(response)


def test_text_not_chosen_is_never_dropped(
    login: Callable[[User], Client],
    reporter: User,
    office: FieldOffice,
    sake: Location,
    villages: list[Location],
) -> None:
    posted = intake_data(location=sake, today=office_today(reporter), office=office)
    posted.update(location="", location_query="kibabi")
    response = login(reporter).post(CREATE, posted)
    assert response.status_code == 200 and not Incident.objects.exists()
    assert "Choose the location in the list" in error_beside(response, "id_location")
    offered = re.findall(r'name="location" value="(CD[^"]*)"', response.content.decode())
    assert offered == ["CD610601V00", "CD610601V01"]  # its matches, to choose from


def test_the_edit_page_shows_the_saved_place_and_keeps_it(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, sake: Location
) -> None:
    draft = make_incident("draft", reporter=reporter)
    client = login(reporter)
    url = f"/incidents/{draft.public_id}/edit/"
    response = client.get(url)
    assert selected(response, "location") == ["CD610602"]
    assert "Sake · Masisi · Nord-Kivu (CD610602)" in text(response)
    posted = intake_data(location=sake, today=office_today(reporter), office=None, intent="find_location")
    posted.update(location="CD610602", location_query="masisi")
    response = client.post(url, posted)
    assert selected(response, "location") == ["CD610602"]  # still chosen while searching
    assert "Masisi · Nord-Kivu (CD6106)" in text(response)


# --- the type-ahead's JSON --------------------------------------------------------------------


def test_search_answers_at_most_twenty_accent_blind(
    login: Callable[[User], Client], reporter: User, villages: list[Location]
) -> None:
    client = login(reporter)
    response = client.post(SEARCH, {"q": "BETOU"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "results": [{"pcode": "CD610601V02", "label": "Bétou · Bashali · Masisi · Nord-Kivu (CD610601V02)"}]
    }
    assert len(client.post(SEARCH, {"q": "kasika"}).json()["results"]) == 20
    assert client.post(SEARCH, {"q": "k"}).json() == {"results": []}
    assert client.get(SEARCH, {"q": "kasika"}).status_code == 405  # never in a URL


def test_search_costs_the_same_whatever_it_finds(
    login: Callable[[User], Client], reporter: User, villages: list[Location]
) -> None:
    client = login(reporter)
    client.post(SEARCH, {"q": "warm"})
    counts = []
    for query in ("kasika", "kibabi", "CD6106", "bétou"):
        with CaptureQueriesContext(connection) as queries:
            assert client.post(SEARCH, {"q": query}).json()["results"]
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


def test_search_needs_sign_in_and_an_incident_role(
    client: Client, login: Callable[[User], Client], provider: User, analyst: User, villages: list[Location]
) -> None:
    response = client.post(SEARCH, {"q": "kibabi"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert login(provider).post(SEARCH, {"q": "kibabi"}).status_code == 403
    # An analyst finds provinces and territories only.
    analyst_client = login(analyst)
    assert analyst_client.post(SEARCH, {"q": "kibabi"}).json() == {"results": []}
    assert [row["pcode"] for row in analyst_client.post(SEARCH, {"q": "masisi"}).json()["results"]] == [
        "CD6106"
    ]
