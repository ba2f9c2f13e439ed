"""The detail page's justice and accountability section (issue 13 item 6): the steps in order,
the form to record one (errors beside the fields, what was typed kept), the remove buttons;
analysts see the steps without notes. Who gets 403 and 404 is the matrix's
(test_matrix_accountability.py)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from incidents import clock
from incidents.models import AccountabilityStep, Incident
from incidents.services.accountability import accountability_step_record
from tests.factories import UserFactory
from tests.incidents.pages import error_beside

pytestmark = pytest.mark.django_db

NOTE = "Canary-Accountability-Note-juge-Mukendi"


@pytest.fixture
def incident(make_incident: Callable[..., Incident], reporter: User) -> Incident:
    return make_incident("submitted", reporter=reporter)


def _detail(incident: Incident) -> str:
    return reverse("incidents:detail", args=[incident.public_id])


def _record_url(incident: Incident) -> str:
    return reverse("incidents:accountability_record", args=[incident.public_id])


def _remove_url(step: AccountabilityStep) -> str:
    return reverse("incidents:accountability_remove", args=[step.incident.public_id, step.public_id])


def _section(response: HttpResponse) -> str:
    """The justice and accountability section of the page, unescaped ('' if absent)."""
    page = response.content.decode()
    if 'id="accountability-title"' not in page:
        return ""
    start = page.index('id="accountability-title"')
    return html.unescape(page[start : page.index("</section>", start)])


def _form(incident: Incident, **values: Any) -> dict[str, str]:
    assert incident.incident_date_start is not None
    data = {
        "stage": "prosecution",
        "court": "military",
        "occurred_on": incident.incident_date_start.isoformat(),
        "outcome": "",
        "note": NOTE,
    }
    return data | values


def _step(actor: User, incident: Incident, **values: Any) -> AccountabilityStep:
    fields: dict[str, Any] = {
        "stage": "complaint_filed",
        "occurred_on": incident.incident_date_start,
        "note": NOTE,
    } | values
    return accountability_step_record(actor=actor, incident=incident, **fields)


def test_a_wpa_records_a_step_from_the_detail_page(
    login: Callable[[User], Client], incident: Incident, wpa: User
) -> None:
    client = login(wpa)
    page = client.get(_detail(incident))
    section = _section(page)
    assert "Justice and accountability" in section and "No step recorded yet." in section
    assert 'name="stage"' in section and 'id="id_accountability_court"' in section
    response = client.post(_record_url(incident), _form(incident))
    assert response.status_code == 302 and response["Location"] == _detail(incident)
    step = AccountabilityStep.objects.get(incident=incident)
    assert (step.stage, step.court, step.recorded_by) == ("prosecution", "military", wpa)
    followed = client.get(_detail(incident))
    assert "Justice and accountability step recorded." in followed.content.decode()
    shown = _section(followed)
    assert "Prosecution" in shown and "Military court" in shown and NOTE in shown


def test_errors_are_shown_beside_the_fields_with_what_was_typed(
    login: Callable[[User], Client], incident: Incident, wpa: User
) -> None:
    client = login(wpa)
    future = (clock.office_today(incident.field_office) + timedelta(days=3)).isoformat()
    response = client.post(_record_url(incident), _form(incident, court="", occurred_on=future))
    assert response.status_code == 200
    assert "Say before which court" in error_beside(response, "id_accountability_court")
    assert "cannot be in the future" in error_beside(response, "id_accountability_occurred_on")
    section = _section(response)
    assert NOTE in section  # the note typed, kept
    assert re.search(r'<option value="prosecution" selected>', section)
    assert f'value="{future}"' in section
    assert not AccountabilityStep.objects.exists()
    # A verdict without its outcome; then a form the browser could not send (no date).
    response = client.post(_record_url(incident), _form(incident, stage="verdict", court="civil"))
    assert "Give the verdict's outcome." in error_beside(response, "id_accountability_outcome")
    response = client.post(_record_url(incident), _form(incident, occurred_on=""))
    assert response.status_code == 200 and error_beside(response, "id_accountability_occurred_on")


def test_a_step_recorded_twice_is_refused_beside_the_stage(
    login: Callable[[User], Client], incident: Incident, wpa: User
) -> None:
    client = login(wpa)
    assert client.post(_record_url(incident), _form(incident)).status_code == 302
    response = client.post(_record_url(incident), _form(incident))
    assert response.status_code == 200
    assert "already recorded" in error_beside(response, "id_accountability_stage")
    assert AccountabilityStep.objects.count() == 1


def test_the_steps_are_listed_in_the_order_they_happened(
    login: Callable[[User], Client], incident: Incident, wpa: User
) -> None:
    start = incident.incident_date_start
    assert start is not None
    _step(
        wpa, incident, stage="verdict", court="civil", outcome="convicted", occurred_on=start + timedelta(1)
    )
    _step(wpa, incident, stage="arrest", occurred_on=start)
    _step(wpa, incident, stage="complaint_filed", occurred_on=start)
    section = _section(login(wpa).get(_detail(incident)))
    positions = [section.index(label) for label in ("Complaint filed", "Arrest", "Verdict", "Convicted")]
    assert positions == sorted(positions)


def test_analysts_see_the_steps_without_notes_nor_form(
    login: Callable[[User], Client], incident: Incident, wpa: User, analyst: User, colleague: User
) -> None:
    _step(wpa, incident, stage="prosecution", court="mobile")
    for reader in (analyst, colleague):
        section = _section(login(reader).get(_detail(incident)))
        assert "Prosecution" in section and "Mobile court" in section
        assert NOTE not in section and wpa.display_name not in section
        assert "restricted" in section
        assert 'name="stage"' not in section and "Remove" not in section


def test_the_reporter_sees_the_notes_but_no_form(
    login: Callable[[User], Client], incident: Incident, wpa: User, reporter: User
) -> None:
    _step(wpa, incident)
    section = _section(login(reporter).get(_detail(incident)))
    assert NOTE in section
    assert 'name="stage"' not in section and "Remove" not in section


def test_no_section_on_a_draft(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], reporter: User
) -> None:
    draft = make_incident("draft", reporter=reporter)
    assert _section(login(reporter).get(_detail(draft))) == ""


def test_a_draft_is_refused_with_the_reason(
    login: Callable[[User], Client], make_incident: Callable[..., Incident], office: FieldOffice
) -> None:
    both = UserFactory(username="reporter_and_wpa", roles=[Role.REPORTER, Role.WPA], offices=[office])
    draft = make_incident("draft", reporter=both)
    response = login(both).post(_record_url(draft), _form(draft))
    assert response.status_code == 409
    assert "once the incident is submitted" in html.unescape(response.content.decode())
    assert not AccountabilityStep.objects.exists()


def test_remove_buttons_for_who_may_remove(
    login: Callable[[User], Client], incident: Incident, wpa: User, senior_wpa: User, office: FieldOffice
) -> None:
    step = _step(wpa, incident)
    second_wpa = UserFactory(username="wpa_goma_2", roles=[Role.WPA], offices=[office])
    assert _remove_url(step) in _section(login(wpa).get(_detail(incident)))
    assert _remove_url(step) in _section(login(senior_wpa).get(_detail(incident)))
    others = _section(login(second_wpa).get(_detail(incident)))
    assert _remove_url(step) not in others and 'name="stage"' in others  # may record, not remove
    assert login(second_wpa).post(_remove_url(step)).status_code == 403
    response = login(wpa).post(_remove_url(step))
    assert response.status_code == 302 and response["Location"] == _detail(incident)
    assert not AccountabilityStep.objects.exists()


def test_only_post(login: Callable[[User], Client], incident: Incident, wpa: User) -> None:
    step = _step(wpa, incident)
    client = login(wpa)
    assert client.get(_record_url(incident)).status_code == 405
    assert client.get(_remove_url(step)).status_code == 405
