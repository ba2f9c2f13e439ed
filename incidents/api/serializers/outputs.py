"""Output serializers: what the incidents API answers. Their docstrings and help texts are the
schema's descriptions, written for API clients; implementation notes are comments."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.fields import Field

from incidents import permissions, selectors
from incidents.api.serializers.fields import (
    ABSENT,
    Choice,
    ExactCoordinate,
    Identification,
    Narrative,
    Timestamp,
    add_field,
)
from incidents.models import Incident, IncidentEvent, Location, Perpetrator, Violation


class LocationRefOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    pcode = serializers.CharField()
    name = serializers.CharField()
    admin_level = serializers.IntegerField(min_value=1, max_value=4)


class LocationOutput(LocationRefOutput):
    """A place of the administrative hierarchy (GET /locations/)."""

    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)

    def get_fields(self) -> dict[str, Field]:
        parent = serializers.UUIDField(
            source="parent.public_id", allow_null=True, help_text="Null for a province (admin level 1)."
        )
        return add_field(super().get_fields(), "parent", parent, after="admin_level")


class LocationPageOutput(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text="The next page (same filters); null on the last page."
    )
    results = LocationOutput(many=True)


class PartyOutput(serializers.Serializer):
    """A party to the conflict (GET /parties/)."""

    public_id = serializers.UUIDField()
    name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    listed_in_sg_annex = serializers.BooleanField(
        help_text="Listed in the annex of the Secretary-General's annual report on CRSV."
    )


class PartyListOutput(serializers.Serializer):
    results = PartyOutput(many=True)


# Output docstrings are the schema's descriptions: written for API clients. Implementation
# notes are comments.


# Reads the location through `selectors.incident_location_for` (coarsened when restricted).
class IncidentLocationOutput(LocationRefOutput):
    """The incident's location as you may see it."""

    def get_attribute(self, instance: Incident) -> Location | None:
        return selectors.incident_location_for(user=self.context["user"], incident=instance)


class ViolationOutput(serializers.Serializer):
    form = Choice(Violation.Form.choices, enum_name="ViolationForm")
    form_label = serializers.CharField(source="get_form_display")


# Needs `context["user"]`. Documents the list's rows; the list itself is written by the fast
# path of `selectors.incident_page` (same values, same coarsening, no serializer per row), and
# `tests/incidents/test_api_list.py` checks that the two give the same body. The detail extends it.
class IncidentListItemOutput(serializers.Serializer):
    """An incident in the list: never its narrative, coordinates or perpetrators' identification;
    the location coarsened to admin level 2 where you may not see the exact place."""

    public_id = serializers.UUIDField()
    reference = serializers.CharField(
        allow_null=True,
        required=False,
        help_text="E.g. MONUSCO-GOM-2026-00042 (an SEA incident: MONUSCO-GOM-2026-SEA-00003); null "
        "until first submitted. Absent for analysts, who see no references: `public_id` names "
        "the incident.",
    )
    status = Choice(Incident.Status.choices, enum_name="IncidentStatus")
    status_label = serializers.CharField(source="get_status_display", help_text="In your language.")
    verification_status = Choice(Incident.VerificationStatus.choices, enum_name="VerificationStatus")
    verification_status_label = serializers.CharField(
        source="get_verification_status_display", help_text="In your language."
    )
    mission = serializers.CharField(source="mission.code")
    field_office = serializers.CharField(source="field_office.code")
    reported_by = serializers.CharField(source="reported_by.username")
    assigned_wpa = serializers.CharField(source="assigned_wpa.username", allow_null=True)
    source_channel = Choice(Incident.SourceChannel.choices, enum_name="SourceChannel", allow_blank=True)
    reported_on = serializers.DateField()
    date_precision = Choice(
        Incident.DatePrecision.choices,
        enum_name="DatePrecision",
        allow_blank=True,
        help_text="Empty while not given.",
    )
    incident_date_start = serializers.DateField(allow_null=True)
    incident_date_end = serializers.DateField(
        allow_null=True, help_text="The latest possible date (a range's end, a month's last day)."
    )
    reporting_delay_band = Choice(
        Incident.DelayBand.choices,
        enum_name="ReportingDelayBand",
        allow_blank=True,
        help_text="Derived from the latest incident date and the date of report.",
    )
    location = IncidentLocationOutput(
        allow_null=True,
        help_text="Coarsened to admin level 2 (territory) unless you may see the exact place.",
    )
    tally_women = serializers.IntegerField(min_value=0)
    tally_girls = serializers.IntegerField(min_value=0)
    tally_men = serializers.IntegerField(min_value=0)
    tally_boys = serializers.IntegerField(min_value=0)
    tally_unknown_sex = serializers.IntegerField(min_value=0)
    violations = ViolationOutput(many=True, source="violations.all")
    gbvims_core_type = Choice(
        Incident.GbvimsType.choices, enum_name="GbvimsType", help_text="Derived (GBVIMS)."
    )
    is_sea = serializers.BooleanField(
        help_text="UN-personnel perpetrator: conduct-and-discipline track (derived)."
    )
    is_late_verification = serializers.BooleanField(help_text="Derived.")
    created_at = Timestamp()
    updated_at = Timestamp()

    def to_representation(self, instance: Incident) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not permissions.can_view_references(self.context["user"]):
            data.pop("reference")
        return data


class IncidentPageOutput(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True,
        help_text="The next page (same filters and ordering, with an opaque `cursor`); null on the "
        "last page.",
    )
    results = IncidentListItemOutput(many=True)


class PartyRefOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()


class PerpetratorOutput(serializers.Serializer):
    category = Choice(Perpetrator.Category.choices, enum_name="PerpetratorCategory")
    count = serializers.IntegerField(allow_null=True, help_text="Null when unknown.")
    sex = Choice(Perpetrator.Sex.choices, enum_name="PerpetratorSex")
    age_group = Choice(Perpetrator.AgeGroup.choices, enum_name="PerpetratorAgeGroup")
    party = PartyRefOutput(allow_null=True)
    relationship = Choice(Perpetrator.Relationship.choices, enum_name="PerpetratorRelationship")
    unit = Identification()
    commander = Identification()
    names = Identification()


# From `context["permissions"]` (`permissions.incident_permissions`).
class IncidentPermissionsOutput(serializers.Serializer):
    """What you may see of this incident, and do to it now."""

    can_view_narrative = serializers.BooleanField()
    can_view_exact_location = serializers.BooleanField()
    can_view_identification = serializers.BooleanField()
    can_edit = serializers.BooleanField(help_text="PATCH is possible.")
    can_submit = serializers.BooleanField()
    can_assign = serializers.BooleanField()
    can_return = serializers.BooleanField()
    can_verify = serializers.BooleanField()
    can_reopen = serializers.BooleanField()

    def get_attribute(self, instance: Incident) -> dict[str, bool]:
        flags: dict[str, bool] = self.context["permissions"]
        return flags


# Needs `context["user"]`, `context["narrative"]` (from `selectors.incident_narrative`) and
# `context["permissions"]` (from `permissions.incident_permissions`).
class IncidentDetailOutput(IncidentListItemOutput):
    """One incident. Restricted details (`narrative`, `latitude`, `longitude`, and each
    perpetrator's `unit`, `commander`, `names`) are absent (the keys are left out, not null) when
    you may not see them, and the location is then coarsened to admin level 2."""

    time_of_day = Choice(Incident.TimeOfDay.choices, enum_name="TimeOfDay")
    latitude = ExactCoordinate()
    longitude = ExactCoordinate()
    location_type = Choice(Incident.LocationType.choices, enum_name="LocationType")
    displacement_stage = Choice(Incident.DisplacementStage.choices, enum_name="DisplacementStage")
    conflict_nexus = Choice(Incident.ConflictNexus.choices, enum_name="ConflictNexus")
    narrative = Narrative()
    gbvims_penetration = serializers.BooleanField()
    gbvims_sexual_contact = serializers.BooleanField()
    gbvims_physical_assault = serializers.BooleanField()
    gbvims_forced_marriage = serializers.BooleanField()
    gbvims_denial_of_resources = serializers.BooleanField()
    gbvims_psychological_abuse = serializers.BooleanField()
    verification_method = Choice(
        Incident.VerificationMethod.choices,
        enum_name="VerificationMethod",
        allow_blank=True,
        help_text="Empty until verified.",
    )
    verified_on = serializers.DateField(allow_null=True)
    verified_by = serializers.CharField(source="verified_by.username", allow_null=True)
    submitted_at = Timestamp(allow_null=True, help_text="First submission.")
    closed_at = Timestamp(allow_null=True)
    perpetrators = PerpetratorOutput(many=True, source="perpetrators.all")
    permissions = IncidentPermissionsOutput()

    def get_fields(self) -> dict[str, Field]:
        context = Choice(Incident.Context.choices, enum_name="IncidentContext")
        return add_field(super().get_fields(), "context", context, after="conflict_nexus")


# From `selectors.IncidentHistoryEntry`.
class HistoryEntryOutput(serializers.Serializer):
    """One step of the incident's history."""

    occurred_at = Timestamp()
    action = Choice(IncidentEvent.Action.choices, enum_name="IncidentEventAction")
    action_label = serializers.CharField()
    actor = serializers.CharField(source="actor_name")
    from_status = Choice(
        Incident.Status.choices, enum_name="IncidentStatus", allow_blank=True, help_text="Empty on creation."
    )
    to_status = Choice(Incident.Status.choices, enum_name="IncidentStatus")
    verification_status = Choice(Incident.VerificationStatus.choices, enum_name="VerificationStatus")
    assignee = serializers.CharField(
        source="assignee_name", allow_blank=True, help_text="For an assignment; empty otherwise."
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=ABSENT.format(what="reasons are shown only to those who may read the narrative"),
    )

    def to_representation(self, instance: selectors.IncidentHistoryEntry) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if instance.reason is None:
            data.pop("reason")
        return data


class HistoryOutput(serializers.Serializer):
    results = HistoryEntryOutput(many=True, help_text="Oldest first.")
