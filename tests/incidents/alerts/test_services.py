"""The alert services (issue 13 item 4): entering an alert (validated, numbered, encrypted,
recorded, audited), the state machine new -> acknowledged -> response_dispatched -> closed with
each step's time and actor, its answers in the order 404, 403, 409, fields; linking incidents."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.http import Http404

from crsv.accounts.models import FieldOffice, User
from crsv.audit.models import AuditEvent
from crsv.crypto import DecryptionError
from incidents.exceptions import PermissionDenied, TransitionNotAllowed
from incidents.models import Alert, AlertEvent, Incident, Location
from incidents.services import alerts as services
from tests.factories import UserFactory
from tests.incidents.alerts.conftest import CANARY, alert_fields
from tests.incidents.factories import LocationFactory

pytestmark = pytest.mark.django_db


def test_an_alert_is_numbered_encrypted_recorded_and_audited(
    raise_alert: Callable[..., Alert], reporter: User, office: FieldOffice
) -> None:
    alert = raise_alert()
    year = alert.received_at.year
    assert alert.reference == f"MONUSCO-GOM-{year}-EW-00001"
    assert raise_alert().reference == f"MONUSCO-GOM-{year}-EW-00002"
    assert (alert.field_office, alert.reported_by, alert.state) == (office, reporter, Alert.State.NEW)
    # Ordered as the list is, whatever order they were sent in.
    assert alert.indicators == [Alert.Indicator.ARMED_PRESENCE, Alert.Indicator.THREATS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT description_ct FROM incidents_alert WHERE id = %s", [alert.pk])
        stored = bytes(cursor.fetchone()[0])
    assert CANARY.encode() not in stored and b"Canarymwamba" not in stored
    assert Alert.objects.get(pk=alert.pk).description == f"Armed men asked for {CANARY} at the market."
    [event] = AlertEvent.objects.filter(alert=alert)
    assert (event.action, event.actor, event.to_state, event.occurred_at) == (
        "create",
        reporter,
        "new",
        alert.received_at,
    )
    audit = AuditEvent.objects.get(action="alert.create", object_public_id=alert.public_id)
    assert (audit.actor, audit.object_public_id, audit.changes) == (reporter, alert.public_id, {})


def test_a_description_moved_to_another_alert_does_not_decrypt(raise_alert: Callable[..., Alert]) -> None:
    first, second = raise_alert(), raise_alert(description="Nothing.")
    Alert.objects.filter(pk=second.pk).update(description_ct=first.description_ct)
    with pytest.raises(DecryptionError):
        Alert.objects.get(pk=second.pk).description  # noqa: B018


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source": "radio"}, "source"),
        ({"urgency": "extreme"}, "urgency"),
        ({"indicators": []}, "indicators"),
        ({"indicators": ["armed_presence", "aliens"]}, "indicators"),
        ({"location": None}, "location"),
        ({"description": "x" * 1001}, "description"),
        ({"indicators": ["other"], "description": "  "}, "description"),
    ],
)
def test_bad_input_is_refused_beside_its_field(
    overrides: dict[str, object], field: str, reporter: User, sake: Location
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.alert_create(actor=reporter, **alert_fields(sake, **overrides))
    assert field in caught.value.message_dict
    assert not Alert.objects.exists()


def test_a_village_is_too_fine(reporter: User, sake: Location) -> None:
    village = LocationFactory(pcode="CD61060201", name="Kimoka", admin_level=4, parent=sake)
    with pytest.raises(ValidationError) as caught:
        services.alert_create(actor=reporter, **alert_fields(village))
    assert "location" in caught.value.message_dict


def test_an_alert_goes_in_one_of_her_offices(
    reporter: User, sake: Location, office: FieldOffice, other_office: FieldOffice
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.alert_create(actor=reporter, field_office=other_office, **alert_fields(sake))
    assert "field_office" in caught.value.message_dict
    both = UserFactory(username="both", roles=["reporter"], offices=[office, other_office])
    with pytest.raises(ValidationError):  # two offices: she must say which
        services.alert_create(actor=both, **alert_fields(sake))
    assert services.alert_create(
        actor=both, field_office=other_office, **alert_fields(sake)
    ).alert.field_office == (other_office)


@pytest.mark.parametrize("persona", ["analyst", "provider", "admin_user", "auditor", "no_role"])
def test_who_may_not_enter_alerts_is_refused_before_the_fields(
    persona: str, request: pytest.FixtureRequest, sake: Location
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.alert_create(actor=user, **alert_fields(sake, urgency="nonsense"))


def test_the_steps_keep_their_time_actor_and_note(
    raise_alert: Callable[..., Alert], wpa: User, senior_wpa: User
) -> None:
    alert = raise_alert()
    alert = services.alert_acknowledge(actor=wpa, alert=alert)
    alert = services.alert_dispatch(actor=senior_wpa, alert=alert, note="  FARDC patrol sent.  ")
    alert = services.alert_close(actor=wpa, alert=alert)
    alert.refresh_from_db()
    assert alert.state == Alert.State.CLOSED
    assert alert.received_at <= alert.acknowledged_at <= alert.dispatched_at <= alert.closed_at  # type: ignore[operator]
    events = list(AlertEvent.objects.filter(alert=alert).order_by("occurred_at", "id"))
    assert [(e.action, e.actor, e.from_state, e.to_state) for e in events] == [
        ("create", alert.reported_by, "", "new"),
        ("acknowledge", wpa, "new", "acknowledged"),
        ("dispatch", senior_wpa, "acknowledged", "response_dispatched"),
        ("close", wpa, "response_dispatched", "closed"),
    ]
    assert [e.occurred_at for e in events[1:]] == [
        alert.acknowledged_at,
        alert.dispatched_at,
        alert.closed_at,
    ]
    events[2].alert = alert
    assert events[2].note == "FARDC patrol sent."
    assert list(
        AuditEvent.objects.filter(object_public_id=alert.public_id)
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "alert.create",
        "alert.acknowledge",
        "alert.dispatch",
        "alert.close",
    ]


def test_the_history_is_append_only(raise_alert: Callable[..., Alert]) -> None:
    event = AlertEvent.objects.get(alert=raise_alert())
    with pytest.raises(ProgrammingError), transaction.atomic():
        AlertEvent.objects.filter(pk=event.pk).update(action="close")
    with pytest.raises(ProgrammingError), transaction.atomic():
        AlertEvent.objects.filter(pk=event.pk).delete()


def test_a_dispatch_needs_a_note_and_a_close_without_response_too(
    alert_in_state: Callable[..., Alert], wpa: User
) -> None:
    alert = alert_in_state("acknowledged")
    with pytest.raises(ValidationError) as caught:
        services.alert_dispatch(actor=wpa, alert=alert, note=" ")
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.alert_close(actor=wpa, alert=alert, note="")
    closed = services.alert_close(actor=wpa, alert=alert, note="Duplicate of an earlier alert.")
    assert closed.state == Alert.State.CLOSED and closed.dispatched_at is None


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("new", "dispatch"),
        ("new", "close"),
        ("acknowledged", "acknowledge"),
        ("response_dispatched", "dispatch"),
        ("closed", "close"),
        ("closed", "acknowledge"),
    ],
)
def test_a_step_the_state_does_not_allow_is_a_conflict(
    state: str, action: str, alert_in_state: Callable[..., Alert], wpa: User
) -> None:
    alert = alert_in_state(state)
    with pytest.raises(TransitionNotAllowed):
        services.alert_transition(
            actor=wpa, alert=alert, action=action, inputs=services.AlertInputs(note="n")
        )


def test_404_then_403_then_409_then_the_fields(
    alert_in_state: Callable[..., Alert],
    reporter: User,
    analyst: User,
    wpa_other: User,
    outsider: User,
    senior_other: User,
) -> None:
    alert = alert_in_state("new")

    def unreadable() -> services.AlertInputs:
        raise AssertionError("the inputs are read only once the move is allowed")

    for user in (wpa_other, outsider):  # another office's WPA, another mission
        with pytest.raises(Http404):
            services.alert_transition(actor=user, alert=alert, action="dispatch", inputs=unreadable)
    for user in (reporter, analyst):  # she sees it, may not act
        with pytest.raises(PermissionDenied):
            services.alert_transition(actor=user, alert=alert, action="dispatch", inputs=unreadable)
    with pytest.raises(TransitionNotAllowed):  # a senior WPA of the mission, from another office
        services.alert_transition(actor=senior_other, alert=alert, action="dispatch", inputs=unreadable)
    with pytest.raises(ValidationError) as caught:
        services.alert_transition(actor=senior_other, alert=alert, action="launch")
    assert "action" in caught.value.message_dict


def test_a_stale_instance_is_checked_on_the_locked_row(
    alert_in_state: Callable[..., Alert], wpa: User, senior_wpa: User
) -> None:
    stale = alert_in_state("new")
    services.alert_acknowledge(actor=wpa, alert=stale)
    assert stale.state == Alert.State.NEW
    with pytest.raises(TransitionNotAllowed):
        services.alert_acknowledge(actor=senior_wpa, alert=stale)
    assert AlertEvent.objects.filter(alert=stale, action="acknowledge").count() == 1


def test_linking_an_incident(
    alert_in_state: Callable[..., Alert],
    make_incident: Callable[..., Incident],
    reporter: User,
    reporter_other: User,
    wpa: User,
    wpa_other: User,
) -> None:
    alert = alert_in_state("closed")  # incidents come later: any state
    incident = make_incident("submitted", reporter=reporter)
    link = services.alert_link_incident(actor=wpa, alert=alert, incident=incident)
    assert (link.linked_by, list(alert.incidents.all())) == (wpa, [incident])
    with pytest.raises(ValidationError):  # once
        services.alert_link_incident(actor=wpa, alert=alert, incident=incident)
    bunia = make_incident("submitted", reporter=reporter_other, reviewer=wpa_other)
    draft = make_incident("draft", reporter=wpa)
    for hidden in (bunia, draft, None):  # not hers to see, a draft, nothing: "not found"
        with pytest.raises(ValidationError) as caught:
            services.alert_link_incident(actor=wpa, alert=alert, incident=hidden)
        assert "incident" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.alert_link_incident(actor=reporter, alert=alert, incident=incident)
    assert AuditEvent.objects.filter(action="alert.link_incident").count() == 1
