"""Input serializers of the incidents API's writes: create, edit, transitions. Each refuses
what it does not know (derived and workflow fields by name, saying why)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from rest_framework import serializers
from rest_framework.fields import Field

from crsv.accounts.models import FieldOffice, User
from incidents import selectors
from incidents.api.serializers.fields import Choice, Coordinate, IncidentStrictInput, add_field
from incidents.models import (
    VERIFICATION_OUTCOMES,
    Incident,
    Location,
    PartyToConflict,
    Perpetrator,
    Violation,
)
from incidents.services.limits import (
    NARRATIVE_MAX_LENGTH,
    PERPETRATOR_COUNT_MAX,
    PERPETRATOR_NAMES_MAX_LENGTH,
    PERPETRATOR_TEXT_MAX_LENGTH,
    PERPETRATORS_MAX,
    REASON_MAX_LENGTH,
    TALLY_MAX,
    VIOLATIONS_MAX,
)
from incidents.workflow import MOVES, TRANSITIONS


class ViolationInput(IncidentStrictInput):
    form = Choice(Violation.Form.choices, enum_name="ViolationForm")


class PerpetratorInput(IncidentStrictInput):
    category = Choice(Perpetrator.Category.choices, enum_name="PerpetratorCategory")
    count = serializers.IntegerField(
        min_value=1,
        max_value=PERPETRATOR_COUNT_MAX,
        allow_null=True,
        default=None,
        help_text="Null when unknown.",
    )
    sex = Choice(Perpetrator.Sex.choices, enum_name="PerpetratorSex", default=Perpetrator.Sex.UNKNOWN)
    age_group = Choice(
        Perpetrator.AgeGroup.choices, enum_name="PerpetratorAgeGroup", default=Perpetrator.AgeGroup.UNKNOWN
    )
    party = serializers.UUIDField(
        allow_null=True,
        default=None,
        help_text="Public id of a party to the conflict (GET /parties/); armed actors only.",
    )
    relationship = Choice(
        Perpetrator.Relationship.choices,
        enum_name="PerpetratorRelationship",
        default=Perpetrator.Relationship.UNKNOWN,
    )
    # Limits from services/limits.py, which the service enforces too.
    unit = serializers.CharField(
        max_length=PERPETRATOR_TEXT_MAX_LENGTH, allow_blank=True, default="", help_text="Restricted."
    )
    commander = serializers.CharField(
        max_length=PERPETRATOR_TEXT_MAX_LENGTH, allow_blank=True, default="", help_text="Restricted."
    )
    names = serializers.CharField(
        max_length=PERPETRATOR_NAMES_MAX_LENGTH, allow_blank=True, default="", help_text="Restricted."
    )

    def validate_party(self, public_id: Any) -> PartyToConflict | None:
        if public_id is None:
            return None
        party = selectors.party_list().filter(public_id=public_id).first()
        if party is None:
            raise serializers.ValidationError(_("No active party to the conflict has this id."))
        return party


# Top-level incident fields are all optional and have no default (`OPTIONAL`): only what is
# sent reaches the service. A draft may be incomplete; a PATCH changes what it sends.
OPTIONAL: dict[str, Any] = {"required": False}
TALLY: dict[str, Any] = {"min_value": 0, "max_value": TALLY_MAX, **OPTIONAL}
COORDINATE: dict[str, Any] = {"allow_null": True, **OPTIONAL}


# The fields of `incidents.services.IncidentFields` (a test keeps them the same).
class IncidentInput(IncidentStrictInput):
    """The fields a reporter types, plus the violations and perpetrators. A list sent replaces
    the incident's rows; a field not sent is left alone (on creation: empty or its default). A
    draft may be incomplete; submitting needs it complete."""

    source_channel = Choice(
        Incident.SourceChannel.choices, enum_name="SourceChannel", allow_blank=True, **OPTIONAL
    )
    reported_on = serializers.DateField(help_text="Default: today in the field office.", **OPTIONAL)
    date_precision = Choice(
        Incident.DatePrecision.choices, enum_name="DatePrecision", allow_blank=True, **OPTIONAL
    )
    incident_date_start = serializers.DateField(
        allow_null=True, help_text="For a month precision, any day of the month.", **OPTIONAL
    )
    incident_date_end = serializers.DateField(allow_null=True, help_text="For a date range only.", **OPTIONAL)
    time_of_day = Choice(Incident.TimeOfDay.choices, enum_name="TimeOfDay", **OPTIONAL)
    location = serializers.UUIDField(
        allow_null=True, help_text="Public id of a location (GET /locations/).", **OPTIONAL
    )
    latitude = Coordinate(bound=90, pattern=Coordinate.LATITUDE, help_text="Restricted.", **COORDINATE)
    longitude = Coordinate(bound=180, pattern=Coordinate.LONGITUDE, help_text="Restricted.", **COORDINATE)
    location_type = Choice(Incident.LocationType.choices, enum_name="LocationType", **OPTIONAL)
    displacement_stage = Choice(Incident.DisplacementStage.choices, enum_name="DisplacementStage", **OPTIONAL)
    conflict_nexus = Choice(Incident.ConflictNexus.choices, enum_name="ConflictNexus", **OPTIONAL)
    tally_women = serializers.IntegerField(**TALLY)
    tally_girls = serializers.IntegerField(**TALLY)
    tally_men = serializers.IntegerField(**TALLY)
    tally_boys = serializers.IntegerField(**TALLY)
    tally_unknown_sex = serializers.IntegerField(**TALLY)
    narrative = serializers.CharField(
        max_length=NARRATIVE_MAX_LENGTH, allow_blank=True, help_text="Restricted.", **OPTIONAL
    )
    gbvims_penetration = serializers.BooleanField(**OPTIONAL)
    gbvims_sexual_contact = serializers.BooleanField(**OPTIONAL)
    gbvims_physical_assault = serializers.BooleanField(**OPTIONAL)
    gbvims_forced_marriage = serializers.BooleanField(**OPTIONAL)
    gbvims_denial_of_resources = serializers.BooleanField(**OPTIONAL)
    gbvims_psychological_abuse = serializers.BooleanField(**OPTIONAL)
    violations: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=ViolationInput(), max_length=VIOLATIONS_MAX, **OPTIONAL
    )
    perpetrators: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=PerpetratorInput(), max_length=PERPETRATORS_MAX, **OPTIONAL
    )

    CHILD_FIELDS: ClassVar[frozenset[str]] = frozenset({"violations", "perpetrators"})

    def get_fields(self) -> dict[str, Field]:
        context = Choice(Incident.Context.choices, enum_name="IncidentContext", **OPTIONAL)
        return add_field(super().get_fields(), "context", context, after="conflict_nexus")

    def validate_location(self, public_id: Any) -> Location | None:
        if public_id is None:
            return None
        user: User = self.context["user"]
        location = selectors.location_list(user=user).filter(public_id=public_id).first()
        if location is None:
            raise serializers.ValidationError(_("No location you may use has this id."))
        return location


class IncidentCreateInput(IncidentInput):
    """POST /incidents/: log a new incident as a draft."""

    field_office = serializers.CharField(
        max_length=8, required=False, help_text="Code of one of your field offices. Default: your first."
    )

    def validate_field_office(self, code: str) -> FieldOffice:
        user: User = self.context["user"]
        offices = list(FieldOffice.objects.filter(pk__in=user.office_ids(), code=code))
        if len(offices) != 1:  # none, or the same code in two of her missions
            raise serializers.ValidationError(_("Choose one of your field offices."))
        return offices[0]


class IncidentUpdateInput(IncidentInput):
    """PATCH /incidents/{id}/: only what is sent changes."""

    refusals: ClassVar[Mapping[str, StrOrPromise]] = {
        **IncidentStrictInput.refusals,
        "field_office": _("The field office cannot be changed once the incident is logged."),
    }


# The fields each action takes besides `action` (from the workflow table).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {action: TRANSITIONS[action].inputs for action in MOVES}


def _action_field() -> Choice:
    return Choice(
        enum_name="TransitionAction",
        choices=[
            ("submit", _("Submit (the reporter; draft or returned)")),
            ("assign", _("Assign for review (a WPA of the office or a senior WPA)")),
            ("return", _("Return to the reporter, with a reason")),
            ("verify", _("Record the verification outcome, which closes the incident")),
            ("reopen", _("Reopen a closed incident, with a reason (senior WPA)")),
        ],
    )


class TransitionActionInput(serializers.Serializer[Any]):
    """The action alone, read first: which use case, before anything is said about its fields
    (`TransitionInput` reads them once the action is allowed: see `services.incident_transition`)."""

    action = _action_field()


class TransitionInput(IncidentStrictInput):
    """POST /incidents/{id}/transitions/: one workflow action, with what that action needs."""

    action = _action_field()
    assignee = serializers.CharField(
        max_length=150,
        required=False,
        help_text="assign: username of an active WPA of the incident's office, or a senior WPA.",
    )
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="return, reopen: why (restricted).",
    )
    outcome = Choice(
        enum_name="VerificationOutcome",
        choices=[(value, Incident.VerificationStatus(value).label) for value in VERIFICATION_OUTCOMES],
        required=False,
        help_text="verify.",
    )
    method = Choice(
        Incident.VerificationMethod.choices,
        enum_name="VerificationMethod",
        required=False,
        help_text="verify.",
    )
    verified_on = serializers.DateField(required=False, allow_null=True, help_text="verify.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        used = ACTION_FIELDS[attrs["action"]]
        unused = sorted(name for name in attrs if name != "action" and name not in used)
        if unused:
            message = _("Not used by the %(action)s action.") % {"action": attrs["action"]}
            raise serializers.ValidationError({name: [message] for name in unused})
        return attrs
