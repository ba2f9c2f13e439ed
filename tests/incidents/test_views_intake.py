"""The intake page (/incidents/new/, /incidents/<id>/edit/): access, saving a draft or
submitting, all or nothing, every message beside its field, every input kept."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crsv.accounts.models import FieldOffice, User
from incidents.models import Incident, IncidentEvent, Location, PartyToConflict
from tests.incidents.factories import LocationFactory, PartyFactory, office_today
from tests.incidents.pages import (
    COMMANDER,
    NARRATIVE,
    UNIT,
    error_beside,
    input_value,
    intake_data,
    perpetrator_row,
    section,
    selected,
    text,
)

pytestmark = pytest.mark.django_db
CREATE = "/incidents/new/"


def _edit(incident: Incident) -> str:
    return reverse("incidents:edit", args=[incident.public_id])


@pytest.fixture
def draft(make_incident: Callable[..., Incident], reporter: User) -> Incident:
    return make_incident("draft", reporter=reporter)


def test_urls() -> None:
    assert reverse("incidents:create") == CREATE


def test_anonymous_is_sent_to_login(client: Client, draft: Incident) -> None:
    for url in (CREATE, _edit(draft)):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, url
            assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["analyst", "provider", "admin_user", "auditor", "no_role"])
def test_roles_that_cannot_log_incidents_get_403(
    login: Callable[[User], Client],
    request: pytest.FixtureRequest,
    persona: str,
    sake: Location,
    office: FieldOffice,
) -> None:
    client = login(request.getfixturevalue(persona))
    assert client.get(CREATE).status_code == 403
    user = request.getfixturevalue(persona)
    posted = intake_data(location=sake, today=office_today(user), office=office)
    assert client.post(CREATE, posted).status_code == 403
    assert not Incident.objects.exists()


def test_page_labels_every_input_and_asks_the_gbvims_questions(
    login: Callable[[User], Client], reporter: User, sake: Location, m23: PartyToConflict
) -> None:
    response = login(reporter).get(CREATE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', page)
    assert len(ids) > 40
    for element_id in ids:
        assert f'for="{element_id}"' in page, f"no label for {element_id}"
    body = text(response)
    for question in (
        "Was there penetration?",
        "Was there other unwanted sexual contact?",
        "Was there physical assault?",
        "Was it a forced marriage?",
        "Were resources, opportunities or services denied?",
        "Was there psychological or emotional abuse?",
    ):
        assert question in body
    # Derived fields are never inputs.
    for derived in ("reporting_delay_band", "gbvims_core_type", "is_sea", "is_late_verification", "status"):
        assert f'name="{derived}"' not in page
    # A location is searched (a box and "Find"), never chosen in a list of every place.
    assert '<select name="location"' not in page and "CD610602" not in page
    assert 'name="location_query"' in page and 'name="intent" value="find_location"' in page
    assert "M23/AFC" in body
    assert input_value(response, "reported_on") == office_today(reporter).isoformat()
    assert 'name="intent" value="save"' in page and 'name="intent" value="submit"' in page


def test_save_draft_with_two_violations_and_one_perpetrator(
    login: Callable[[User], Client], reporter: User, office: FieldOffice, sake: Location, m23: PartyToConflict
) -> None:
    posted = intake_data(
        location=sake,
        today=office_today(reporter),
        office=office,
        perpetrators=(perpetrator_row(party=m23),),
        extra_rows=2,
    )
    response = login(reporter).post(CREATE, posted)
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[incident.public_id])
    assert incident.status == Incident.Status.DRAFT and incident.reference is None
    assert incident.reported_by == reporter and incident.field_office == office
    assert incident.location == sake and incident.narrative == NARRATIVE
    assert incident.gbvims_core_type == "rape"  # derived from the answers
    assert incident.reporting_delay_band == "0_3"
    assert sorted(incident.violations.values_list("form", flat=True)) == ["rape", "sexual_slavery"]
    perpetrator = incident.perpetrators.get()  # the blank extra rows were ignored
    assert (perpetrator.party, perpetrator.unit, perpetrator.count) == (m23, UNIT, 3)
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"  # type: ignore[attr-defined]


def test_submit_gives_the_reference(
    login: Callable[[User], Client], reporter: User, office: FieldOffice, sake: Location
) -> None:
    posted = intake_data(location=sake, today=office_today(reporter), office=office, intent="submit")
    client = login(reporter)
    response = client.post(CREATE, posted, follow=True)
    incident = Incident.objects.get()
    assert incident.status == Incident.Status.SUBMITTED
    assert incident.reference and incident.reference.startswith("MONUSCO-GOM-")
    assert f"Incident {incident.reference} submitted." in text(response)
    actions = list(IncidentEvent.objects.filter(incident=incident).values_list("action", flat=True))
    assert actions == ["create", "submit"]


def test_incident_after_report_is_shown_beside_the_date_and_everything_is_kept(
    login: Callable[[User], Client], reporter: User, office: FieldOffice, sake: Location, m23: PartyToConflict
) -> None:
    today = office_today(reporter)
    posted = intake_data(
        location=sake,
        today=today,
        office=office,
        reported_on=(today - timedelta(days=5)).isoformat(),
        incident_date_start=(today - timedelta(days=1)).isoformat(),
        perpetrators=(perpetrator_row(party=m23),),
        intent="submit",
    )
    response = login(reporter).post(CREATE, posted)
    assert response.status_code == 200
    assert "The incident cannot have happened after the date of report." in error_beside(
        response, "id_incident_date_start"
    )
    assert "Nothing was saved" in text(response)
    assert not Incident.objects.exists()
    # Every input kept: typed text, dates, selects, radios and the child rows.
    assert NARRATIVE in text(response)
    assert input_value(response, "incident_date_start") == (today - timedelta(days=1)).isoformat()
    assert selected(response, "location") == [sake.pcode]
    assert selected(response, "gbvims_physical_assault") == ["yes"]
    assert selected(response, "violations-1-form") == ["sexual_slavery"]
    assert selected(response, "perpetrators-0-party") == [str(m23.public_id)]
    assert input_value(response, "perpetrators-0-unit") == UNIT
    assert input_value(response, "perpetrators-0-commander") == COMMANDER


def test_form_level_errors_are_beside_their_field(
    login: Callable[[User], Client], reporter: User, sake: Location, office: FieldOffice
) -> None:
    posted = intake_data(
        location=sake, today=office_today(reporter), office=office, reported_on="not-a-date", tally_girls="-1"
    )
    posted["perpetrators-0-count"] = "0"
    response = login(reporter).post(CREATE, posted)
    assert "Enter a valid date." in error_beside(response, "id_reported_on")
    assert "greater than or equal to 0" in error_beside(response, "id_tally_girls")
    assert "greater than or equal to 1" in error_beside(response, "id_perpetrators-0-count")
    assert input_value(response, "reported_on") == "not-a-date"
    assert not Incident.objects.exists()


def test_submitting_incomplete_saves_nothing_and_shows_group_messages(
    login: Callable[[User], Client], reporter: User, sake: Location, office: FieldOffice
) -> None:
    """Create and submit run in one transaction: a failed submission leaves no draft behind."""
    posted = intake_data(
        location=sake,
        today=office_today(reporter),
        office=office,
        violations=(),
        tally_women="0",
        narrative="",
        source_channel="",
        intent="submit",
    )
    response = login(reporter).post(CREATE, posted)
    assert response.status_code == 200
    assert not Incident.objects.exists()
    assert not IncidentEvent.objects.exists()
    assert "Count at least one survivor" in section(response, "tallies")
    assert "Record at least one violation." in section(response, "violations")
    assert "Describe what happened." in error_beside(response, "id_narrative")
    assert "Say how the incident became known." in error_beside(response, "id_source_channel")


def test_child_row_problems_show_in_their_formset(
    login: Callable[[User], Client],
    reporter: User,
    sake: Location,
    m23: PartyToConflict,
    office: FieldOffice,
) -> None:
    posted = intake_data(
        location=sake,
        today=office_today(reporter),
        office=office,
        violations=("rape", "rape"),
        perpetrators=(perpetrator_row(category="civilians", party=m23),),
    )
    response = login(reporter).post(CREATE, posted)
    assert "Violation 2: Rape is already listed." in section(response, "violations")
    assert "Perpetrator 1: a party to the conflict can be named only" in section(response, "perpetrators")
    assert not Incident.objects.exists()


def test_a_field_office_not_ones_own_is_refused(
    login: Callable[[User], Client], reporter: User, other_office: FieldOffice, sake: Location
) -> None:
    posted = intake_data(location=sake, today=office_today(reporter), office=other_office)
    response = login(reporter).post(CREATE, posted)
    assert "Select a valid choice" in error_beside(response, "id_field_office")
    assert not Incident.objects.exists()


def test_add_more_rows_keeps_input_saves_nothing_and_shows_no_error(
    login: Callable[[User], Client],
    reporter: User,
    sake: Location,
    m23: PartyToConflict,
    office: FieldOffice,
) -> None:
    posted = intake_data(
        location=sake,
        today=office_today(reporter),
        office=office,
        perpetrators=(perpetrator_row(party=m23),),
        intent="add_rows",
        extra_rows=0,
        tally_women="not a number",
    )
    response = login(reporter).post(CREATE, posted)
    assert response.status_code == 200
    assert not Incident.objects.exists()
    page = response.content.decode()
    assert 'name="violations-TOTAL_FORMS" value="4"' in page  # 2 typed + 2 more
    assert 'name="perpetrators-TOTAL_FORMS" value="3"' in page  # 1 typed + 2 more
    assert 'class="errorlist"' not in page
    assert input_value(response, "tally_women") == "not a number"
    assert selected(response, "violations-1-form") == ["sexual_slavery"]
    assert selected(response, "perpetrators-0-party") == [str(m23.public_id)]
    assert NARRATIVE in text(response)


def test_edit_is_for_the_owner_of_a_draft_or_returned_incident(
    login: Callable[[User], Client],
    make_incident: Callable[..., Incident],
    reporter: User,
    colleague: User,
    wpa: User,
    outsider: User,
    wpa_other: User,
) -> None:
    draft = make_incident("draft", reporter=reporter)
    returned = make_incident("returned", reporter=reporter)
    submitted = make_incident("submitted", reporter=reporter)
    # A draft exists for its reporter only.
    for persona in (colleague, wpa, outsider, wpa_other):
        assert login(persona).get(_edit(draft)).status_code == 404
    # A returned incident is seen by the office, but only its reporter edits it.
    for persona in (colleague, wpa):
        assert login(persona).get(_edit(returned)).status_code == 403
        assert login(persona).post(_edit(returned), {"intent": "save"}).status_code == 403
    for persona in (outsider, wpa_other):
        assert login(persona).get(_edit(returned)).status_code == 404
    owner = login(reporter)
    assert owner.get(_edit(draft)).status_code == 200
    assert owner.get(_edit(returned)).status_code == 200
    conflict = owner.get(_edit(submitted))
    assert conflict.status_code == 409
    assert "not possible on an incident that is submitted" in text(conflict)


def test_edit_shows_what_was_saved_and_replaces_the_rows(
    login: Callable[[User], Client], reporter: User, draft: Incident, sake: Location
) -> None:
    client = login(reporter)
    response = client.get(_edit(draft))
    assert draft.narrative in text(response)
    assert selected(response, "violations-0-form") == ["rape"]
    assert selected(response, "perpetrators-0-category") == ["unidentified_armed_men"]
    assert selected(response, "gbvims_penetration") == ["yes"]
    assert selected(response, "location") == [sake.pcode]

    posted = intake_data(
        location=sake, today=office_today(reporter), office=None, violations=("forced_marriage",)
    )
    posted["narrative"] = "Rewritten account."
    response = client.post(_edit(draft), posted)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.narrative == "Rewritten account." and draft.status == Incident.Status.DRAFT
    assert list(draft.violations.values_list("form", flat=True)) == ["forced_marriage"]
    assert not draft.perpetrators.exists()


def test_edit_removes_a_perpetrator_marked_for_deletion(
    login: Callable[[User], Client], reporter: User, draft: Incident, sake: Location
) -> None:
    posted = intake_data(
        location=sake, today=office_today(reporter), office=None, perpetrators=(perpetrator_row(DELETE="on"),)
    )
    posted["perpetrators-INITIAL_FORMS"] = "1"
    assert login(reporter).post(_edit(draft), posted).status_code == 302
    assert not draft.perpetrators.exists()


def test_resubmitting_a_returned_incident_from_the_edit_page(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, sake: Location
) -> None:
    returned = make_incident("returned", reporter=reporter)
    posted = intake_data(location=sake, today=office_today(reporter), office=None, intent="submit")
    response = login(reporter).post(_edit(returned), posted)
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.status == Incident.Status.SUBMITTED


def test_a_failed_resubmission_keeps_the_edit_unsaved(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User, sake: Location
) -> None:
    returned = make_incident("returned", reporter=reporter)
    before = returned.narrative
    posted = intake_data(
        location=sake, today=office_today(reporter), office=None, intent="submit", narrative=" "
    )
    response = login(reporter).post(_edit(returned), posted)
    assert response.status_code == 200
    assert "Describe what happened." in error_beside(response, "id_narrative")
    returned.refresh_from_db()
    assert returned.narrative == before and returned.status == Incident.Status.RETURNED


def test_page_queries_do_not_grow_with_reference_data(
    login: Callable[[User], Client], reporter: User, sake: Location, m23: PartyToConflict
) -> None:
    client = login(reporter)

    def count() -> int:
        client.get(CREATE)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CREATE).status_code == 200
        return len(queries)

    few = count()
    for n in range(5):  # villages under Sake: their province is found without a query each
        LocationFactory(pcode=f"CD6106020{n}", name=f"Village {n}", admin_level=4, parent=sake)
        PartyFactory(name=f"Group {n}")
    assert count() == few


def test_choices_are_escaped(login: Callable[[User], Client], reporter: User, sake: Location) -> None:
    PartyFactory(name='<img src=x onerror="alert(1)">')
    page = login(reporter).get(CREATE).content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
