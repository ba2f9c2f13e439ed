"""The incident detail page (/incidents/<id>/): scope, what each viewer sees, the history,
the workflow forms shown by the permission booleans, and the link to register a survivor."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crsv.accounts.models import User
from incidents import services
from incidents.models import Incident, PartyToConflict
from incidents.services import PerpetratorData
from tests.incidents.pages import COMMANDER, NAMES, NARRATIVE, UNIT, text

pytestmark = pytest.mark.django_db
RESTRICTED = (
    NARRATIVE,
    UNIT,
    COMMANDER,
    NAMES,
    "Check the dates.",
    "Sake",
    "CD610602",
    "-1.234567",
    "29.123456",
)


def _url(incident: Incident) -> str:
    return reverse("incidents:detail", args=[incident.public_id])


@pytest.fixture
def reviewed(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, m23: PartyToConflict
) -> Incident:
    """Returned once (a reason in its history), resubmitted, now under review by `wpa`."""
    incident = make_incident(
        "returned",
        reporter=reporter,
        narrative=NARRATIVE,
        latitude=Decimal("-1.234567"),
        longitude=Decimal("29.123456"),
        perpetrators=[
            PerpetratorData(
                category="non_state_armed_group",
                count=4,
                party=m23,
                unit=UNIT,
                commander=COMMANDER,
                names=NAMES,
            )
        ],
    )
    incident = services.incident_submit(actor=reporter, incident=incident)
    return services.incident_assign(actor=wpa, incident=incident, assignee=wpa)


def test_anonymous_is_sent_to_login(client: Client, reviewed: Incident) -> None:
    response = client.get(_url(reviewed))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["outsider", "wpa_other", "provider", "admin_user", "auditor", "no_role"])
def test_out_of_scope_is_404(
    login: Callable[[User], Client], request: pytest.FixtureRequest, reviewed: Incident, persona: str
) -> None:
    assert login(request.getfixturevalue(persona)).get(_url(reviewed)).status_code == 404


def test_a_draft_is_404_for_everyone_but_its_reporter(
    login: Callable[[User], Client],
    make_incident: Callable[..., Incident],
    reporter: User,
    colleague: User,
    wpa: User,
    senior_wpa: User,
    analyst: User,
) -> None:
    draft = make_incident("draft", reporter=reporter)
    for persona in (colleague, wpa, senior_wpa, analyst):
        assert login(persona).get(_url(draft)).status_code == 404
    response = login(reporter).get(_url(draft))
    assert response.status_code == 200
    assert "Draft incident" in text(response)


def test_unknown_or_malformed_ids_are_404(login: Callable[[User], Client], wpa: User) -> None:
    client = login(wpa)
    assert client.get("/incidents/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/incidents/not-a-uuid/").status_code == 404


def test_analyst_sees_the_incident_deidentified(
    login: Callable[[User], Client], analyst: User, reviewed: Incident
) -> None:
    response = login(analyst).get(_url(reviewed))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = text(response)
    # No reference for analysts (issue 8 item 12): the public id names the incident.
    assert reviewed.reference is not None and reviewed.reference not in body
    assert f"Incident {reviewed.public_id}" in body
    for restricted in RESTRICTED:
        assert restricted not in body, restricted
    assert "Masisi" in body and "M23/AFC" in body  # coarsened place; the named party stays
    assert "Restricted: the narrative is shown only" in body
    assert "Unit, commander and names are restricted." in body
    assert "Returned to reporter" in body  # the history, without its reasons
    assert 'action="/incidents/' not in body  # no workflow form
    assert "Register a survivor" not in body and "/survivors/new/" not in body


def test_a_colleague_of_the_reporter_sees_it_without_restricted_details(
    login: Callable[[User], Client], colleague: User, reviewed: Incident
) -> None:
    body = text(login(colleague).get(_url(reviewed)))
    for restricted in RESTRICTED:
        assert restricted not in body, restricted
    assert "Register a survivor" in body  # a reporter registers survivors of incidents she sees


def test_reviewer_sees_everything_and_the_review_actions(
    login: Callable[[User], Client], wpa: User, reviewed: Incident
) -> None:
    response = login(wpa).get(_url(reviewed))
    body = text(response)
    for restricted in RESTRICTED:
        assert restricted in body, restricted
    page = response.content.decode()
    for action in ("assign", "return", "verify"):
        assert f'name="action" value="{action}"' in page
    for action in ("submit", "reopen"):
        assert f'name="action" value="{action}"' not in page
    assert f'action="/incidents/{reviewed.public_id}/transition/"' in page
    assert f'href="/survivors/new/?incident={reviewed.public_id}"' in page
    assert "Edit</a>" not in page
    # Assign offers the reviewers of the office, by username.
    assert '<option value="wpa"' in page and '<option value="wpa_bunia"' not in page


def test_reporter_of_a_draft_may_edit_and_submit(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User
) -> None:
    draft = make_incident("draft", reporter=reporter)
    page = login(reporter).get(_url(draft)).content.decode()
    assert f'href="/incidents/{draft.public_id}/edit/"' in page
    assert 'name="action" value="submit"' in page
    for action in ("assign", "return", "verify", "reopen"):
        assert f'name="action" value="{action}"' not in page


def test_senior_wpa_may_reopen_a_closed_incident(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, senior_wpa: User
) -> None:
    closed = make_incident("closed", reporter=reporter)
    response = login(senior_wpa).get(_url(closed))
    page = response.content.decode()
    assert 'name="action" value="reopen"' in page
    assert 'name="action" value="verify"' not in page
    body = text(response)
    assert "Verified" in body and "Interview with the survivor" in body


def test_history_lists_every_step(login: Callable[[User], Client], wpa: User, reviewed: Incident) -> None:
    body = text(login(wpa).get(_url(reviewed)))
    history = body.split(">History<")[1]
    for label in ("Created", "Submitted", "Returned to reporter", "Assigned"):
        assert label in history
    assert "Check the dates." in history


def test_query_count_does_not_grow_with_children(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    client = login(wpa)

    def count(incident: Incident) -> int:
        client.get(_url(incident))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(incident)).status_code == 200
        return len(queries)

    one = make_incident("submitted", reporter=reporter, violations=("rape",))
    many = make_incident(
        "submitted",
        reporter=reporter,
        violations=("rape", "sexual_slavery", "forced_marriage"),
        perpetrators=[PerpetratorData(category="civilians"), PerpetratorData(category="unknown")],
    )
    assert count(one) == count(many)
