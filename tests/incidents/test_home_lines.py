"""The incidents' lines of the home page: a reporter's drafts and returned incidents, a
reviewer's submitted incidents and those under her review; scoped, and each link lists exactly
the rows counted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from crsv.accounts.models import User
from incidents.models import Incident
from tests.home_lines import counts_of, lines_of, links_list_their_rows

pytestmark = pytest.mark.django_db

MakeIncident = Callable[..., Incident]


@pytest.fixture
def goma_and_bunia(
    make_incident: MakeIncident, reporter: User, reporter_other: User, wpa: User, wpa_other: User
) -> None:
    """Goma: two drafts, one returned, two submitted, one under the Goma WPA's review, one
    closed. Bunia: a draft, a submitted, one under the Bunia WPA's review."""
    for state in ("draft", "draft", "returned", "submitted", "submitted", "under_review", "closed"):
        make_incident(state, reporter=reporter, reviewer=wpa)
    for state in ("draft", "submitted", "under_review"):
        make_incident(state, reporter=reporter_other, reviewer=wpa_other)


@pytest.mark.usefixtures("goma_and_bunia")
def test_each_persona_sees_her_lines_with_her_counts(
    reporter: User, wpa: User, wpa_other: User, senior_wpa: User, analyst: User, admin_user: User
) -> None:
    def incident_counts(user: User) -> dict[str, int]:
        return {name: n for name, n in counts_of(user).items() if name.startswith("incidents.")}

    assert incident_counts(reporter) == {"incidents.drafts": 2, "incidents.returned": 1}
    # Her office's submitted incidents, not Bunia's; only those under her own review.
    assert incident_counts(wpa) == {
        "incidents.drafts": 0,
        "incidents.returned": 0,
        "incidents.submitted": 2,
        "incidents.under_review": 1,
    }
    assert incident_counts(wpa_other) == {
        "incidents.drafts": 0,
        "incidents.returned": 0,
        "incidents.submitted": 1,
        "incidents.under_review": 1,
    }
    # The whole mission's submitted ones; none is under her review. Nobody's drafts.
    assert incident_counts(senior_wpa) == {
        "incidents.drafts": 0,
        "incidents.returned": 0,
        "incidents.submitted": 3,
        "incidents.under_review": 0,
    }
    assert incident_counts(analyst) == {}
    assert incident_counts(admin_user) == {}


def test_the_returned_line_is_urgent_only_when_it_counts(
    make_incident: MakeIncident, reporter: User, wpa: User
) -> None:
    assert not lines_of(reporter)["incidents.returned"].urgent
    make_incident("returned", reporter=reporter, reviewer=wpa)
    line = lines_of(reporter)["incidents.returned"]
    assert (line.count, line.urgent) == (1, True)


@pytest.mark.usefixtures("goma_and_bunia")
@pytest.mark.parametrize("persona", ["reporter", "wpa", "wpa_other", "senior_wpa"])
def test_each_link_lists_exactly_the_rows_counted(
    persona: str, request: pytest.FixtureRequest, login: Callable[[User], Client]
) -> None:
    user = request.getfixturevalue(persona)
    assert links_list_their_rows(login(user), user, app="incidents") >= 2


@pytest.mark.usefixtures("goma_and_bunia")
def test_the_list_filters_assigned_to_me_and_reported_by_me(
    login: Callable[[User], Client], wpa: User
) -> None:
    client = login(wpa)
    rows = client.get("/incidents/?assigned=me").context["rows"]  # under review, and closed by her
    assert sorted(row.status for row in rows) == [Incident.Status.CLOSED, Incident.Status.UNDER_REVIEW]
    assert client.get("/incidents/?reported=me").context["rows"] == []
    response = client.get("/incidents/?assigned=someone")
    assert response.context["rows"] == [] and "assigned" in response.context["form"].errors
