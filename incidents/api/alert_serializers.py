"""The alerts API's serializers: one input per operation, one output, explicit fields. Their
docstrings and help texts are the schema's descriptions, written for API clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework import serializers
from rest_framework.fields import SkipField

from crsv.api import StrictInput
from incidents.alert_workflow import MOVES, NOTE_MAX_LENGTH
from incidents.api.serializers.fields import ABSENT, Choice, Timestamp
from incidents.models import Alert, AlertEvent, Location
from incidents.services.alerts import DESCRIPTION_MAX_LENGTH

# A field office's id: a PostgreSQL integer (a larger number would be a database error, not a 400).
OFFICE_ID_MAX = 2**31 - 1


def _state() -> Choice:
    return Choice(Alert.State.choices, enum_name="AlertState")


def _urgency(**kwargs: Any) -> Choice:
    return Choice(Alert.Urgency.choices, enum_name="AlertUrgency", **kwargs)


class AlertListQuery(StrictInput):
    """Filters of GET /incidents/alerts/ (all optional)."""

    state = Choice(Alert.State.choices, enum_name="AlertState", required=False)
    urgency = _urgency(required=False)
    field_office = serializers.IntegerField(
        min_value=1, max_value=OFFICE_ID_MAX, required=False, help_text="A field office's id."
    )
    cursor = serializers.CharField(max_length=200, required=False, help_text="From the `next` link.")


class AlertCreateInput(StrictInput):
    """POST /incidents/alerts/: an alert raised by a Community Alert Network, a CLA or another
    source, entered in one of your field offices."""

    field_office = serializers.IntegerField(
        min_value=1,
        max_value=OFFICE_ID_MAX,
        required=False,
        help_text="One of your field offices' ids; optional if you have one.",
    )
    # A field named `source`: DRF's metaclass takes declared fields off the class (no clash).
    source = Choice(Alert.Source.choices, enum_name="AlertSource")  # type: ignore[assignment]
    location = serializers.UUIDField(
        help_text="A location's public id, admin level 1 to 3 (GET /locations/)."
    )
    indicators = serializers.ListField(
        child=Choice(Alert.Indicator.choices, enum_name="AlertIndicator"),
        min_length=1,
        max_length=len(Alert.Indicator.values),
    )
    urgency = _urgency()
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="What was seen or heard (restricted, encrypted); required with the `other` indicator.",
    )


class AlertActionInput(serializers.Serializer[Any]):
    """The action alone, read first (the service decides 403 and 409 before the fields)."""

    action = Choice([(action, AlertEvent.Action(action).label) for action in MOVES], enum_name="AlertAction")


class AlertTransitionInput(StrictInput):
    """POST /incidents/alerts/{id}/transitions/: `acknowledge`; `dispatch` with a `note` (which
    response, by whom); `close`, with a `note` when no response was dispatched."""

    action = Choice([(action, AlertEvent.Action(action).label) for action in MOVES], enum_name="AlertAction")
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="dispatch, close (restricted).",
    )


class AlertLinkInput(StrictInput):
    """POST /incidents/alerts/{id}/incidents/: link a submitted incident you can see."""

    incident = serializers.UUIDField(help_text="The incident's public id.")


class AlertPlaceOutput(serializers.Serializer):
    """The alert's place as you may see it (admin level 2 for analysts)."""

    public_id = serializers.UUIDField()
    pcode = serializers.CharField()
    name = serializers.CharField()
    admin_level = serializers.IntegerField(min_value=1, max_value=3)


class AlertHistoryOutput(serializers.Serializer):
    occurred_at = Timestamp()
    action = Choice(AlertEvent.Action.choices, enum_name="AlertEventAction")
    action_label = serializers.CharField()
    actor = serializers.CharField(
        source="actor_name", help_text="Empty for the escalation (no one's) and when you may not see people."
    )
    note = serializers.CharField(required=False, help_text=ABSENT.format(what="notes are the handlers'"))

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.note is None:
            data.pop("note", None)
        return dict(data)


class AlertLinkedIncidentOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    reference = serializers.CharField(help_text="Empty when you see no references (analysts).")
    linked_at = Timestamp()


class AlertPermissionsOutput(serializers.Serializer):
    can_acknowledge = serializers.BooleanField()
    can_dispatch = serializers.BooleanField()
    can_close = serializers.BooleanField()
    can_link_incident = serializers.BooleanField()


@dataclass(frozen=True)
class AlertView:
    """What AlertOutput writes: the alert and what the selectors let this user see of it
    (built by the view; None: she may not see it, and the key is left out)."""

    alert: Alert
    place: Location
    description: str | None
    entered_by: str | None
    history: list[Any]
    linked_incidents: list[Any]
    permissions: dict[str, bool]


class _Restricted(serializers.CharField):
    """None means: you may not see it (the key is left out)."""

    def __init__(self, what: str, **kwargs: Any) -> None:
        super().__init__(required=False, help_text=ABSENT.format(what=what), **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        if value is None:
            raise SkipField
        return value


class AlertOutput(serializers.Serializer):
    """An early-warning alert as you may see it."""

    public_id = serializers.UUIDField(source="alert.public_id")
    reference = serializers.CharField(source="alert.reference")
    field_office = serializers.IntegerField(source="alert.field_office_id")
    field_office_name = serializers.CharField(source="alert.field_office.name")
    # A field named `source`: DRF's metaclass takes declared fields off the class (no clash).
    source = Choice(  # type: ignore[assignment]
        Alert.Source.choices, enum_name="AlertSource", source="alert.source"
    )
    place = AlertPlaceOutput(help_text="The place, coarsened to admin level 2 for analysts.")
    indicators = serializers.ListField(
        child=Choice(Alert.Indicator.choices, enum_name="AlertIndicator"), source="alert.indicators"
    )
    urgency = _urgency(source="alert.urgency")
    state = Choice(Alert.State.choices, enum_name="AlertState", source="alert.state")
    received_at = Timestamp(source="alert.received_at")
    acknowledged_at = Timestamp(source="alert.acknowledged_at", allow_null=True)
    dispatched_at = Timestamp(source="alert.dispatched_at", allow_null=True)
    closed_at = Timestamp(source="alert.closed_at", allow_null=True)
    escalated_at = Timestamp(
        source="alert.escalated_at",
        allow_null=True,
        help_text="When it was escalated to the senior WPAs, once.",
    )
    entered_by = _Restricted("who entered an alert is shown to its handlers and author")
    description = _Restricted("the description is for its handlers and author")
    history = AlertHistoryOutput(many=True)
    linked_incidents = AlertLinkedIncidentOutput(many=True)
    permissions = AlertPermissionsOutput()


class AlertListItemOutput(serializers.Serializer):
    """A row of the alert list (no description, no history)."""

    public_id = serializers.UUIDField()
    reference = serializers.CharField()
    field_office = serializers.IntegerField()
    urgency = _urgency()
    state = _state()
    place = AlertPlaceOutput()
    indicators = serializers.ListField(child=Choice(Alert.Indicator.choices, enum_name="AlertIndicator"))
    received_at = Timestamp()
    escalated_at = Timestamp(allow_null=True)


class AlertPageOutput(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text="The next page (same filters); null on the last page."
    )
    results = AlertListItemOutput(many=True)
