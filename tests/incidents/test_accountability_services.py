"""Justice and accountability steps (issue 13 item 6): the services' rules, the database's
constraints, what each user sees of the steps, and the audit rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from incidents import clock
from incidents.exceptions import PermissionDenied, TransitionNotAllowed
from incidents.models import AccountabilityStep, Incident
from incidents.selectors.accountability import accountability_step_list
from incidents.services.accountability import (
    NOTE_MAX_LENGTH,
    accountability_step_record,
    accountability_step_remove,
)
from tests.factories import UserFactory
from tests.incidents.factories import UN_PERPETRATOR

pytestmark = pytest.mark.django_db

NOTE = "Tribunal militaire de garnison de Goma, RP 123/2026, juge Mukendi."


@pytest.fixture
def incident(make_incident: Callable[..., Incident], reporter: User) -> Incident:
    return make_incident("submitted", reporter=reporter)


def _record(actor: User, incident: Incident, **overrides: Any) -> AccountabilityStep:
    values: dict[str, Any] = {
        "stage": "prosecution",
        "court": "military",
        "occurred_on": incident.incident_date_start,
        "note": NOTE,
    }
    values.update(overrides)
    return accountability_step_record(actor=actor, incident=incident, **values)


def _errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


# --- recording -----------------------------------------------------------------------------------


def test_a_wpa_records_a_step_with_its_columns_and_an_encrypted_note(incident: Incident, wpa: User) -> None:
    step = _record(wpa, incident)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT incident_id, stage, court, occurred_on, outcome, note_ct "
            "FROM incidents_accountabilitystep WHERE public_id = %s",
            [step.public_id],
        )
        incident_id, stage, court, occurred_on, outcome, note_ct = cursor.fetchone()
    assert (incident_id, stage, court, occurred_on, outcome) == (
        incident.pk,
        "prosecution",
        "military",
        incident.incident_date_start,
        "",
    )
    assert b"Mukendi" not in bytes(note_ct) and bytes(note_ct)[0] == 1  # version byte
    fresh = AccountabilityStep.objects.select_related("incident__data_key").get(pk=step.pk)
    assert fresh.note == NOTE
    assert (fresh.recorded_by, fresh.incident_id) == (wpa, incident.pk)


def test_a_copied_note_does_not_decrypt_on_another_step(incident: Incident, wpa: User) -> None:
    from crsv.crypto import DecryptionError

    first = _record(wpa, incident)
    second = _record(wpa, incident, stage="complaint_filed", court="", note="Another.")
    AccountabilityStep.objects.filter(pk=second.pk).update(note_ct=first.note_ct)
    moved = AccountabilityStep.objects.select_related("incident__data_key").get(pk=second.pk)
    with pytest.raises(DecryptionError):
        _ = moved.note


@pytest.mark.parametrize("stage", ["prosecution", "verdict", "sentence"])
def test_a_court_stage_needs_a_court(incident: Incident, wpa: User, stage: str) -> None:
    with pytest.raises(ValidationError) as error:
        _record(wpa, incident, stage=stage, court="", outcome="convicted" if stage == "verdict" else "")
    assert list(_errors(error)) == ["court"]


@pytest.mark.parametrize("stage", ["complaint_filed", "investigation", "arrest", "reparations"])
def test_other_stages_name_no_court(incident: Incident, wpa: User, stage: str) -> None:
    with pytest.raises(ValidationError) as error:
        _record(wpa, incident, stage=stage, court="civil")
    assert list(_errors(error)) == ["court"]
    assert _record(wpa, incident, stage=stage, court="").court == ""


def test_a_verdict_needs_its_outcome_and_only_a_verdict_has_one(incident: Incident, wpa: User) -> None:
    with pytest.raises(ValidationError) as error:
        _record(wpa, incident, stage="verdict", court="mobile")
    assert list(_errors(error)) == ["outcome"]
    with pytest.raises(ValidationError) as error:
        _record(wpa, incident, stage="sentence", court="mobile", outcome="convicted")
    assert list(_errors(error)) == ["outcome"]
    assert _record(wpa, incident, stage="verdict", court="mobile", outcome="convicted").outcome == "convicted"


def test_unknown_choices_are_refused(incident: Incident, wpa: User) -> None:
    with pytest.raises(ValidationError) as error:
        _record(wpa, incident, stage="appeal")
    assert "stage" in _errors(error)
    with pytest.raises(ValidationError) as error:
        _record(wpa, incident, court="customary")
    assert list(_errors(error)) == ["court"]


def test_the_date_is_not_in_the_future_nor_before_the_incident(incident: Incident, wpa: User) -> None:
    today = clock.office_today(incident.field_office)
    assert incident.incident_date_start is not None
    for bad in (today + timedelta(days=1), incident.incident_date_start - timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            _record(wpa, incident, occurred_on=bad)
        assert list(_errors(error)) == ["occurred_on"]
    with pytest.raises(ValidationError) as error:
        _record(wpa, incident, occurred_on=None)
    assert list(_errors(error)) == ["occurred_on"]
    assert _record(wpa, incident, occurred_on=today).occurred_on == today


def test_the_note_is_bounded(incident: Incident, wpa: User) -> None:
    with pytest.raises(ValidationError) as error:
        _record(wpa, incident, note="x" * (NOTE_MAX_LENGTH + 1))
    assert list(_errors(error)) == ["note"]
    assert AccountabilityStep.objects.count() == 0


def test_once_per_stage_and_court(incident: Incident, wpa: User, senior_wpa: User) -> None:
    _record(wpa, incident)
    with pytest.raises(ValidationError) as error:
        _record(senior_wpa, incident)
    assert list(_errors(error)) == ["stage"]
    # The same stage before another court is another step (military, then civil).
    _record(wpa, incident, court="civil")
    assert AccountabilityStep.objects.filter(incident=incident).count() == 2


def test_the_database_refuses_what_the_service_refuses(incident: Incident, wpa: User) -> None:
    def insert(**values: Any) -> None:
        with transaction.atomic():
            AccountabilityStep.objects.create(
                incident=incident, recorded_by=wpa, occurred_on=incident.incident_date_start, **values
            )

    for values, constraint in (
        ({"stage": "verdict", "court": "", "outcome": "convicted"}, "accountability_court_iff_court_stage"),
        ({"stage": "arrest", "court": "civil"}, "accountability_court_iff_court_stage"),
        ({"stage": "verdict", "court": "civil"}, "accountability_outcome_iff_verdict"),
        ({"stage": "arrest", "outcome": "acquitted"}, "accountability_outcome_iff_verdict"),
        ({"stage": "appeal"}, "accountability_stage_known"),
    ):
        with pytest.raises(IntegrityError, match=constraint):
            insert(**values)
    insert(stage="arrest")
    with pytest.raises(IntegrityError, match="accountability_step_once_per_court"):
        insert(stage="arrest")


# --- who may record ------------------------------------------------------------------------------


def test_who_may_record(
    make_incident: Callable[..., Incident],
    incident: Incident,
    reporter: User,
    colleague: User,
    wpa: User,
    wpa_other: User,
    senior_wpa: User,
    analyst: User,
    outsider: User,
) -> None:
    for refused in (reporter, colleague, analyst):  # they see it, may not record
        with pytest.raises(PermissionDenied):
            _record(refused, incident)
    for unseen in (wpa_other, outsider):  # it does not exist for them
        with pytest.raises(Http404):
            _record(unseen, incident)
    _record(wpa, incident)
    _record(senior_wpa, incident, court="civil")
    closed = make_incident("closed", reporter=reporter)  # justice takes years: still recorded
    _record(wpa, closed)


def test_an_sea_incident_is_for_senior_wpas(
    make_incident: Callable[..., Incident], reporter: User, wpa: User, senior_wpa: User
) -> None:
    sea = make_incident("submitted", reporter=reporter, perpetrators=UN_PERPETRATOR)
    with pytest.raises(Http404):
        _record(wpa, sea)
    assert _record(senior_wpa, sea).incident_id == sea.pk


def test_a_draft_gains_no_step(make_incident: Callable[..., Incident], office: FieldOffice) -> None:
    """A reporter who is also a WPA sees her own draft and reviews her office: the status
    refuses (409), after the role."""
    both = UserFactory(username="reporter_and_wpa", roles=[Role.REPORTER, Role.WPA], offices=[office])
    draft = make_incident("draft", reporter=both)
    with pytest.raises(TransitionNotAllowed):
        _record(both, draft)
    assert AccountabilityStep.objects.count() == 0


# --- removing ------------------------------------------------------------------------------------


def test_who_recorded_a_step_or_a_senior_wpa_removes_it(
    incident: Incident, office: FieldOffice, wpa: User, senior_wpa: User, analyst: User
) -> None:
    second_wpa = UserFactory(username="wpa_goma_2", roles=[Role.WPA], offices=[office])
    step = _record(wpa, incident)
    for refused in (second_wpa, analyst):
        with pytest.raises(PermissionDenied):
            accountability_step_remove(actor=refused, incident=incident, step_public_id=step.public_id)
    accountability_step_remove(actor=wpa, incident=incident, step_public_id=step.public_id)
    assert not AccountabilityStep.objects.exists()
    by_wpa = _record(wpa, incident)
    accountability_step_remove(actor=senior_wpa, incident=incident, step_public_id=by_wpa.public_id)
    assert not AccountabilityStep.objects.exists()


def test_a_step_of_another_incident_is_not_found(
    make_incident: Callable[..., Incident], incident: Incident, reporter: User, wpa: User, wpa_other: User
) -> None:
    step = _record(wpa, incident)
    other = make_incident("submitted", reporter=reporter)
    for public_id in (step.public_id, "not-a-uuid"):
        with pytest.raises(Http404):
            accountability_step_remove(actor=wpa, incident=other, step_public_id=public_id)
    with pytest.raises(Http404):  # the incident out of her scope
        accountability_step_remove(actor=wpa_other, incident=incident, step_public_id=step.public_id)
    assert AccountabilityStep.objects.filter(pk=step.pk).exists()


def test_a_recorder_who_no_longer_reviews_may_no_longer_remove(incident: Incident, wpa: User) -> None:
    """She still sees the incident (now a reporter of its office), but removes as a reviewer."""
    step = _record(wpa, incident)
    wpa.groups.set([Group.objects.get(name=Role.REPORTER)])
    reporter_now = User.objects.get(pk=wpa.pk)
    assert accountability_step_list(user=reporter_now, incident=incident)[0].can_remove is False
    with pytest.raises(PermissionDenied):
        accountability_step_remove(actor=reporter_now, incident=incident, step_public_id=step.public_id)


# --- what each user sees ---------------------------------------------------------------------------


def test_steps_in_the_order_they_happened_notes_for_who_reads_the_narrative(
    incident: Incident, reporter: User, colleague: User, wpa: User, senior_wpa: User, analyst: User
) -> None:
    start = incident.incident_date_start
    assert start is not None
    day = start + timedelta(days=1)
    _record(wpa, incident, stage="verdict", court="military", outcome="acquitted", occurred_on=day)
    _record(wpa, incident, stage="prosecution", court="military", occurred_on=day)
    _record(wpa, incident, stage="complaint_filed", court="", occurred_on=start, note="")
    for reader in (reporter, wpa, senior_wpa):  # the reporter, the reviewers
        rows = accountability_step_list(user=reader, incident=incident)
        assert [row.stage for row in rows] == ["complaint_filed", "prosecution", "verdict"]
        assert rows[1].note == NOTE and rows[0].note == ""
        assert rows[1].recorded_by == wpa.display_name
    for deidentified in (analyst, colleague):
        rows = accountability_step_list(user=deidentified, incident=incident)
        assert [(row.stage, row.court, row.occurred_on, row.outcome) for row in rows] == [
            ("complaint_filed", "", start, ""),
            ("prosecution", "military", day, ""),
            ("verdict", "military", day, "acquitted"),
        ]
        assert {row.note for row in rows} == {None}
        assert {row.recorded_by for row in rows} == {None}
        assert not any(row.can_remove for row in rows)


def test_the_steps_of_an_incident_out_of_scope_do_not_exist(
    incident: Incident, wpa: User, wpa_other: User, outsider: User
) -> None:
    _record(wpa, incident)
    for unseen in (wpa_other, outsider):
        with pytest.raises(Http404):
            accountability_step_list(user=unseen, incident=incident)
        assert not AccountabilityStep.objects.visible_to(unseen).exists()
    assert AccountabilityStep.objects.visible_to(wpa).count() == 1


# --- audit ---------------------------------------------------------------------------------------


def test_each_record_and_removal_is_audited_without_the_note(incident: Incident, wpa: User) -> None:
    step = _record(wpa, incident)
    accountability_step_remove(actor=wpa, incident=incident, step_public_id=step.public_id)
    events = list(AuditEvent.objects.filter(action__startswith="incident.accountability_").order_by("id"))
    assert [event.action for event in events] == [
        "incident.accountability_record",
        "incident.accountability_remove",
    ]
    for event in events:
        assert event.actor == wpa
        assert (event.object_type, event.object_public_id) == ("incidents.accountabilitystep", step.public_id)
        assert event.changes == {
            "incident": str(incident.public_id),
            "stage": "prosecution",
            "court": "military",
        }
        assert "Mukendi" not in repr(event.changes)


def test_a_refused_record_writes_nothing(incident: Incident, wpa: User) -> None:
    with pytest.raises(ValidationError):
        _record(wpa, incident, court="")
    assert not AccountabilityStep.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="incident.accountability_").exists()
