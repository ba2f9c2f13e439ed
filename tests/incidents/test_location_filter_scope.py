"""Issue 8 item 11: a list can be filtered by a location finer than admin level 2 only by
those all of whose rows show the exact place. A reporter's rows of her colleagues' incidents
show admin level 2: filtering by the village would tell her where they happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from crsv.accounts.models import User
from incidents import selectors
from incidents.models import Incident, Location
from incidents.selectors import IncidentFilters
from tests.incidents.test_api_common import LIST, as_user

pytestmark = pytest.mark.django_db
REFUSED = {"location": ["Choose a province or a territory."]}


def _ids(response: Any) -> set[str]:
    return {row["public_id"] for row in response.json()["results"]}


def test_a_reporter_cannot_locate_a_colleagues_incident(
    api_client: Any,
    make_incident: Callable[..., Incident],
    reporter: User,
    colleague: User,
    sake: Location,
    masisi: Location,
) -> None:
    theirs = make_incident("submitted", reporter=colleague)  # at Sake (admin 3); her row shows Masisi
    client = as_user(api_client, reporter)
    row = client.get(LIST).json()["results"][0]
    assert row["public_id"] == str(theirs.public_id) and row["location"]["name"] == "Masisi"
    response = client.get(LIST, {"location": str(sake.public_id)})
    assert response.status_code == 400
    assert response.json() == REFUSED
    # Admin level 2, what her row shows, is fine.
    assert _ids(client.get(LIST, {"location": str(masisi.public_id)})) == {str(theirs.public_id)}


@pytest.mark.parametrize("persona", ["wpa", "senior_wpa"])
def test_reviewers_see_every_row_exactly_and_may_filter_finely(
    api_client: Any,
    request: pytest.FixtureRequest,
    make_incident: Callable[..., Incident],
    colleague: User,
    sake: Location,
    persona: str,
) -> None:
    theirs = make_incident("submitted", reporter=colleague)
    response = as_user(api_client, request.getfixturevalue(persona)).get(
        LIST, {"location": str(sake.public_id)}
    )
    assert response.status_code == 200
    assert _ids(response) == {str(theirs.public_id)}


def test_one_rule_in_the_selector(reporter: User, analyst: User, wpa: User, sake: Location) -> None:
    """The page and the API both go through `selectors.incident_list`, which refuses it."""
    for user in (reporter, analyst):
        with pytest.raises(ValidationError) as error:
            selectors.incident_list(user=user, filters=IncidentFilters(location=sake))
        assert error.value.message_dict == REFUSED
    selectors.incident_list(user=wpa, filters=IncidentFilters(location=sake))  # no error
