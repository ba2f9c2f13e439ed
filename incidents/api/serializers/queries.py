"""Query parameters of the incidents API's lists, validated like any input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from rest_framework import serializers
from rest_framework.fields import Field

from crsv.accounts.models import FieldOffice, User
from incidents import selectors
from incidents.api.serializers.fields import Choice, Choices, IncidentStrictInput
from incidents.models import Incident, Location, PartyToConflict, Perpetrator, Violation
from incidents.selectors import ORDERINGS, IncidentFilters

RESTRICTED_FIELDS = frozenset({"narrative", "latitude", "longitude", "unit", "commander", "names"})


class IncidentListQuery(IncidentStrictInput):
    """The list's query parameters: the filters of `selectors.IncidentFilters`, the ordering and
    the cursor. Unknown parameters are refused (400), and restricted fields say so."""

    unknown_message = _("Not a filter of this list.")
    refusals: ClassVar[Mapping[str, StrOrPromise]] = dict.fromkeys(
        RESTRICTED_FIELDS, _("Restricted: it cannot be used to filter or order.")
    )

    status = Choices(choices=Incident.Status.choices, required=False, help_text="Repeat for several.")
    verification_status = Choices(
        choices=Incident.VerificationStatus.choices, required=False, help_text="Repeat for several."
    )
    field_office = serializers.CharField(max_length=8, required=False, help_text="Field office code.")
    date_from = serializers.DateField(
        required=False, help_text="Incidents whose dates overlap [date_from, date_to]."
    )
    date_to = serializers.DateField(required=False)
    violation_form = Choice(Violation.Form.choices, enum_name="ViolationForm", required=False)
    perpetrator_category = Choice(
        Perpetrator.Category.choices, enum_name="PerpetratorCategory", required=False
    )
    party = serializers.UUIDField(required=False, help_text="Public id of a party to the conflict.")
    location = serializers.UUIDField(
        required=False,
        help_text="Public id of a location: the place and every place within it. Analysts and "
        "reporters: admin level 1 or 2 only (what their rows show).",
    )
    reference = serializers.CharField(
        max_length=48, required=False, help_text="Text within the reference (any case). Not for analysts."
    )
    is_sea = serializers.BooleanField(required=False, allow_null=True, default=None)
    DEFAULT_ORDERING: ClassVar[str] = "-created_at"

    ordering = Choice(
        [(name, name) for name in ORDERINGS], enum_name="IncidentOrdering", default=DEFAULT_ORDERING
    )
    cursor = serializers.CharField(
        max_length=200, required=False, help_text="Opaque; follow the `next` link rather than building it."
    )

    def validate_field_office(self, code: str) -> FieldOffice:
        user: User = self.context["user"]
        offices = list(FieldOffice.objects.filter(code=code, mission_id__in=user.mission_ids()))
        if len(offices) != 1:
            raise serializers.ValidationError(_("No field office of your missions has this code."))
        return offices[0]

    def validate_party(self, public_id: Any) -> PartyToConflict:
        party = selectors.party_list(include_inactive=True).filter(public_id=public_id).first()
        if party is None:
            raise serializers.ValidationError(_("No party to the conflict has this id."))
        return party

    def validate_location(self, public_id: Any) -> Location:
        user: User = self.context["user"]
        location = selectors.location_list(user=user).filter(public_id=public_id).first()
        if location is None:
            raise serializers.ValidationError(_("No location you may use has this id."))
        return location

    def filters(self) -> IncidentFilters:
        values = self.validated_data
        return IncidentFilters(
            status=tuple(sorted(values.get("status", ()))),
            verification_status=tuple(sorted(values.get("verification_status", ()))),
            field_office=values.get("field_office"),
            date_from=values.get("date_from"),
            date_to=values.get("date_to"),
            violation_form=values.get("violation_form"),
            perpetrator_category=values.get("perpetrator_category"),
            party=values.get("party"),
            location=values.get("location"),
            reference=values.get("reference", ""),
            is_sea=values["is_sea"],
        )


class LocationListQuery(IncidentStrictInput):
    unknown_message = _("Not a filter of this list.")

    admin_level = serializers.IntegerField(
        min_value=1, max_value=4, required=False, help_text="Analysts see levels 1 and 2 only."
    )
    cursor = serializers.CharField(max_length=200, required=False, help_text="Opaque; follow `next`.")

    def get_fields(self) -> dict[str, Field]:
        parent = serializers.UUIDField(required=False, help_text="Public id: the places directly within it.")
        fields = super().get_fields()
        return {"parent": parent, **fields}

    def validate_parent(self, public_id: Any) -> Location:
        user: User = self.context["user"]
        location = selectors.location_list(user=user).filter(public_id=public_id).first()
        if location is None:
            raise serializers.ValidationError(_("No location you may use has this id."))
        return location
