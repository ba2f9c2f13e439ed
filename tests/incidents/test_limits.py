"""One set of limits for every door (issue 8 items 9 and 10): the service's, in
`incidents/services/limits.py`, refused alike by the intake page, the API and the services;
and a page never builds more rows than the service accepts, whatever the POST claims."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import FieldOffice, User
from incidents import services
from incidents.api.serializers import IncidentInput, PerpetratorInput, TransitionInput
from incidents.forms import IncidentForm, PerpetratorForm, ReasonForm
from incidents.forms.intake import PerpetratorFormSet, ViolationFormSet
from incidents.models import Incident, Location
from incidents.services import PerpetratorData
from incidents.services.limits import (
    EARLIEST_DATE,
    NARRATIVE_MAX_LENGTH,
    PERPETRATOR_COUNT_MAX,
    PERPETRATOR_NAMES_MAX_LENGTH,
    PERPETRATOR_TEXT_MAX_LENGTH,
    PERPETRATORS_MAX,
    REASON_MAX_LENGTH,
    TALLY_MAX,
    VIOLATIONS_MAX,
)
from tests.incidents.factories import incident_draft, office_today
from tests.incidents.pages import error_beside, intake_data, perpetrator_row, section, text
from tests.incidents.test_api_common import LIST, as_user, transitions_url
from tests.incidents.test_api_create import complete_body

pytestmark = pytest.mark.django_db
CREATE = "/incidents/new/"
TOO_MANY_PERPETRATORS = f"Record at most {PERPETRATORS_MAX} perpetrators."
TOO_EARLY = f"The date cannot be before {EARLIEST_DATE.isoformat()}."
ANCIENT = "0001-01-01"


def _perpetrator_rows(response: Any) -> int:
    return len(re.findall(r"<legend>Perpetrator \d+</legend>", response.content.decode()))


def _violation_rows(response: Any) -> int:
    return len(re.findall(r'name="violations-\d+-form"', response.content.decode()))


def test_forms_and_serializers_read_the_services_limits() -> None:
    """No copy of a limit that could drift: both doors carry the service's constants."""
    api, page = IncidentInput().fields, IncidentForm.base_fields
    assert api["narrative"].max_length == page["narrative"].max_length == NARRATIVE_MAX_LENGTH  # type: ignore[attr-defined]
    assert api["perpetrators"].max_length == PerpetratorFormSet.absolute_max == PERPETRATORS_MAX  # type: ignore[attr-defined]
    assert PerpetratorFormSet.max_num == PERPETRATORS_MAX and PerpetratorFormSet.validate_max
    assert api["violations"].max_length == ViolationFormSet.absolute_max == VIOLATIONS_MAX  # type: ignore[attr-defined]
    assert api["tally_women"].max_value == page["tally_women"].max_value == TALLY_MAX  # type: ignore[attr-defined]
    row_api, row_page = PerpetratorInput().fields, PerpetratorForm.base_fields
    assert row_api["count"].max_value == row_page["count"].max_value == PERPETRATOR_COUNT_MAX  # type: ignore[attr-defined]
    for name in ("unit", "commander"):
        assert row_api[name].max_length == row_page[name].max_length == PERPETRATOR_TEXT_MAX_LENGTH  # type: ignore[attr-defined]
    assert row_api["names"].max_length == row_page["names"].max_length == PERPETRATOR_NAMES_MAX_LENGTH  # type: ignore[attr-defined]
    assert TransitionInput().fields["reason"].max_length == REASON_MAX_LENGTH  # type: ignore[attr-defined]
    assert ReasonForm.base_fields["reason"].max_length == REASON_MAX_LENGTH  # type: ignore[attr-defined]


# --- item 9: the intake page caps its rows ---------------------------------------------------


def test_add_rows_with_2000_rows_claimed_renders_at_most_the_cap(
    login: Callable[[User], Client], reporter: User, sake: Location, office: FieldOffice
) -> None:
    data = intake_data(location=sake, today=office_today(reporter), office=office, intent="add_rows")
    data |= {"violations-TOTAL_FORMS": "2000", "perpetrators-TOTAL_FORMS": "2000"}
    response = login(reporter).post(CREATE, data)
    assert response.status_code == 200
    assert _perpetrator_rows(response) == PERPETRATORS_MAX
    assert _violation_rows(response) == VIOLATIONS_MAX
    # Was 11.5 MB for 2000 rows; 50 rows of selects are a few hundred kB.
    assert len(response.content) < 1_000_000, len(response.content)
    assert not Incident.objects.exists()


def test_add_rows_stops_at_the_cap(
    login: Callable[[User], Client], reporter: User, sake: Location, office: FieldOffice
) -> None:
    rows = tuple(perpetrator_row(count=str(n + 1)) for n in range(PERPETRATORS_MAX))
    data = intake_data(
        location=sake,
        today=office_today(reporter),
        office=office,
        perpetrators=rows,
        extra_rows=0,
        intent="add_rows",
    )
    response = login(reporter).post(CREATE, data)
    assert response.status_code == 200
    assert _perpetrator_rows(response) == PERPETRATORS_MAX  # not 52
    assert (
        f'name="perpetrators-{PERPETRATORS_MAX - 1}-count" value="{PERPETRATORS_MAX}"'
        in response.content.decode()
    )


def test_saving_more_rows_than_the_cap_is_refused_beside_the_group(
    login: Callable[[User], Client], reporter: User, sake: Location, office: FieldOffice
) -> None:
    rows = tuple(perpetrator_row() for _ in range(PERPETRATORS_MAX + 1))
    data = intake_data(
        location=sake, today=office_today(reporter), office=office, perpetrators=rows, extra_rows=0
    )
    response = login(reporter).post(CREATE, data)
    assert response.status_code == 200
    assert TOO_MANY_PERPETRATORS in section(response, "perpetrators")
    assert _perpetrator_rows(response) == PERPETRATORS_MAX
    assert not Incident.objects.exists()


# --- item 10: the same limits on both doors --------------------------------------------------


@pytest.mark.parametrize("length", [NARRATIVE_MAX_LENGTH + 1, 2_400_000])
def test_page_refuses_a_narrative_over_the_limit_and_keeps_it(
    login: Callable[[User], Client], reporter: User, sake: Location, office: FieldOffice, length: int
) -> None:
    narrative = ("Long account. " * (length // 14 + 1))[:length]
    data = intake_data(location=sake, today=office_today(reporter), office=office, narrative=narrative)
    response = login(reporter).post(CREATE, data)
    assert response.status_code == 200
    assert f"at most {NARRATIVE_MAX_LENGTH} characters" in error_beside(response, "id_narrative")
    assert narrative in text(response)  # what was typed is kept
    assert not Incident.objects.exists()


def test_api_refuses_the_same_narrative(api_client: Any, reporter: User, sake: Location) -> None:
    body = complete_body(reporter, sake) | {"narrative": "x" * (NARRATIVE_MAX_LENGTH + 1)}
    response = as_user(api_client, reporter).post(LIST, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["narrative"]
    body["narrative"] = "x" * NARRATIVE_MAX_LENGTH  # the limit itself is fine, on both doors
    assert as_user(api_client, reporter).post(LIST, body, format="json").status_code == 201


def test_api_refuses_more_perpetrators_than_the_page(api_client: Any, reporter: User, sake: Location) -> None:
    body = complete_body(reporter, sake)
    body["perpetrators"] = body["perpetrators"] * (PERPETRATORS_MAX + 1)
    response = as_user(api_client, reporter).post(LIST, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["perpetrators"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize("field", ["reported_on", "incident_date_start"])
def test_page_refuses_a_date_before_the_earliest(
    login: Callable[[User], Client], reporter: User, sake: Location, office: FieldOffice, field: str
) -> None:
    values = {"reported_on": ANCIENT} if field == "reported_on" else {"incident_date_start": ANCIENT}
    data = intake_data(location=sake, today=office_today(reporter), office=office, **values)
    response = login(reporter).post(CREATE, data)
    assert response.status_code == 200
    assert TOO_EARLY in error_beside(response, f"id_{field}")
    assert f'value="{ANCIENT}"' in response.content.decode()  # kept
    assert not Incident.objects.exists()


@pytest.mark.parametrize("field", ["reported_on", "incident_date_start"])
def test_api_refuses_a_date_before_the_earliest(
    api_client: Any, reporter: User, sake: Location, field: str
) -> None:
    body = complete_body(reporter, sake) | {field: ANCIENT}
    response = as_user(api_client, reporter).post(LIST, body, format="json")
    assert response.status_code == 400
    assert TOO_EARLY in response.json()[field]
    assert not Incident.objects.exists()


def _under_review(make_incident: Callable[..., Incident], reporter: User) -> Incident:
    return make_incident("under_review", reporter=reporter)


def test_page_refuses_a_verification_date_before_the_earliest(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = _under_review(make_incident, reporter)
    url = reverse("incidents:transition", args=[incident.public_id])
    data = {"action": "verify", "outcome": "verified", "method": "survivor_interview", "verified_on": ANCIENT}
    response = login(wpa).post(url, data)
    assert response.status_code == 200
    assert TOO_EARLY in text(response)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.UNDER_REVIEW and incident.verified_on is None


def test_api_refuses_a_verification_date_before_the_earliest(
    api_client: Any, make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = _under_review(make_incident, reporter)
    body = {"action": "verify", "outcome": "verified", "method": "survivor_interview", "verified_on": ANCIENT}
    response = as_user(api_client, wpa).post(transitions_url(incident), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"verified_on": [TOO_EARLY]}
    incident.refresh_from_db()
    assert incident.status == Incident.Status.UNDER_REVIEW


def test_the_services_enforce_the_limits_whoever_calls(reporter: User, sake: Location) -> None:
    """The third door (demo data, commands, future callers): the service itself refuses."""
    with pytest.raises(ValidationError) as error:
        incident_draft(
            reporter,
            location=sake,
            narrative="x" * (NARRATIVE_MAX_LENGTH + 1),
            reported_on=date(1, 1, 1),
            tally_women=TALLY_MAX + 1,
            perpetrators=[PerpetratorData(category="civilians")] * (PERPETRATORS_MAX + 1),
        )
    problems = error.value.message_dict
    assert set(problems) >= {"narrative", "reported_on", "tallies", "perpetrators"}
    assert problems["perpetrators"] == [TOO_MANY_PERPETRATORS]
    with pytest.raises(ValidationError) as error:
        incident_draft(
            reporter, location=sake, perpetrators=[PerpetratorData(category="civilians", names="n" * 5001)]
        )
    assert (
        "Perpetrator 1: names can be at most 5000 characters long."
        in error.value.message_dict["perpetrators"]
    )
    assert not Incident.objects.exists()


def test_a_reason_over_the_limit_is_refused_by_the_service(
    make_incident: Callable[..., Incident], reporter: User, wpa: User
) -> None:
    incident = make_incident("submitted", reporter=reporter)
    with pytest.raises(ValidationError) as error:
        services.incident_return(actor=wpa, incident=incident, reason="r" * (REASON_MAX_LENGTH + 1))
    assert list(error.value.message_dict) == ["reason"]
