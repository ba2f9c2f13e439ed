"""The intake page: the incident, a formset of violations and a formset of perpetrators.

`IncidentIntake` bundles the three, validates them together, turns them into the services'
inputs, and places a service's ValidationError beside the right field or group (`tallies`,
`violations`, `perpetrators`). Derived fields (delay band, GBVIMS type, SEA flag, late
verification) and workflow fields are not here: they are never typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice
from incidents.forms.fields import (
    DATE_WIDGET,
    InstanceChoiceField,
    YesNoField,
    choice,
)
from incidents.forms.location_picker import LocationFinder, LocationOption, LocationPicker
from incidents.forms.rows import (
    PerpetratorForm,
    PerpetratorFormSet,
    RowFormSet,
    ViolationForm,
    ViolationFormSet,
)
from incidents.models import (
    GBVIMS_FIELDS,
    TALLY_FIELDS,
    Incident,
    Location,
    PartyToConflict,
)
from incidents.selectors.location_search import TEXT_MAX
from incidents.services import IncidentFields, PerpetratorData, ViolationData
from incidents.services.inputs import INCIDENT_FIELD_NAMES
from incidents.services.limits import (
    NARRATIVE_MAX_LENGTH,
    TALLY_MAX,
)

# The limits are the service's (services/limits.py), which enforces them for every door; the
# fields read them only to refuse early, beside the field, and to cap the rows a page builds.


class OneTimeKeyField(forms.UUIDField):
    """A hidden UUID that never blocks saving: a bad one (only a hand-made post has it) is none."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValidationError:
            return None


def _tally(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=0, max_value=TALLY_MAX, required=False, initial=0)


class IncidentForm(forms.Form):
    """The incident's own fields; names are those of `services.IncidentFields`."""

    field_office = InstanceChoiceField(
        label=_("Field office"), key=lambda office: str(office.pk), required=True
    )
    # The form's one-time key, new with each empty intake and kept through its redisplays: the
    # same intake posted twice after its session expired keeps one draft (services/kept_drafts.py).
    intake_key = OneTimeKeyField(required=False, widget=forms.HiddenInput, initial=uuid.uuid4)
    source_channel = choice(_("How did the incident become known?"), Incident.SourceChannel.choices)
    reported_on = forms.DateField(label=_("Date of report"), widget=DATE_WIDGET)
    date_precision = choice(
        _("How precise is the incident date?"),
        Incident.DatePrecision.choices,
        help_text=_("For a month, give any day of that month as the date of the incident."),
    )
    incident_date_start = forms.DateField(
        label=_("Date of the incident (or first day)"), required=False, widget=DATE_WIDGET
    )
    incident_date_end = forms.DateField(
        label=_("Last day (date range only)"), required=False, widget=DATE_WIDGET
    )
    time_of_day = choice(
        _("Time of day"), Incident.TimeOfDay.choices, blank=False, initial=Incident.TimeOfDay.UNKNOWN
    )
    # The search box and the chosen p-code (forms/location_picker.py): never a select of villages.
    location_query = forms.CharField(
        label=_("Location"),
        required=False,
        max_length=TEXT_MAX,
        help_text=_("Part of the name of a village, locality or territory, or the start of its p-code."),
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=TEXT_MAX)
    location_type = choice(
        _("Type of location"),
        Incident.LocationType.choices,
        blank=False,
        initial=Incident.LocationType.UNKNOWN,
    )
    latitude = forms.DecimalField(
        label=_("Exact latitude (restricted)"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
    )
    longitude = forms.DecimalField(
        label=_("Exact longitude (restricted)"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
    )
    displacement_stage = choice(
        _("Stage of displacement"),
        Incident.DisplacementStage.choices,
        blank=False,
        initial=Incident.DisplacementStage.UNKNOWN,
    )
    context = choice(_("Context"), Incident.Context.choices, blank=False, initial=Incident.Context.UNKNOWN)
    conflict_nexus = choice(
        _("Conflict nexus"),
        Incident.ConflictNexus.choices,
        blank=False,
        initial=Incident.ConflictNexus.UNCLEAR,
    )
    tally_women = _tally(_("Women"))
    tally_girls = _tally(_("Girls"))
    tally_men = _tally(_("Men"))
    tally_boys = _tally(_("Boys"))
    tally_unknown_sex = _tally(_("Sex unknown"))
    gbvims_penetration = YesNoField(label=_("Was there penetration?"))
    gbvims_sexual_contact = YesNoField(label=_("Was there other unwanted sexual contact?"))
    gbvims_physical_assault = YesNoField(label=_("Was there physical assault?"))
    gbvims_forced_marriage = YesNoField(label=_("Was it a forced marriage?"))
    gbvims_denial_of_resources = YesNoField(label=_("Were resources, opportunities or services denied?"))
    gbvims_psychological_abuse = YesNoField(label=_("Was there psychological or emotional abuse?"))
    narrative = forms.CharField(
        label=_("What happened (restricted)"),
        required=False,
        max_length=NARRATIVE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("No names, phone numbers or addresses of the survivor or of witnesses."),
    )

    def __init__(self, *args: Any, choices: IntakeChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.use_required_attribute = False  # a draft may be incomplete; the service says what is missing
        if choices.offices:
            office_field = cast(InstanceChoiceField, self.fields["field_office"])
            office_field.set_instances(choices.offices)
            if len(choices.offices) == 1:
                office_field.initial = choices.offices[0]
        else:  # editing: the office of an incident does not change, and it has been saved
            del self.fields["field_office"]
            del self.fields["intake_key"]
        self.location_picker = LocationPicker(choices.locations)

    def clean_location(self) -> Location | None:
        return self.location_picker.clean(
            code=self.cleaned_data.get("location") or "", query=str(self["location_query"].value() or "")
        )

    def location_options(self) -> list[LocationOption]:
        """The location's radio buttons: the place chosen (as posted, or as saved), then the
        matches of a search."""
        if self.is_bound:
            chosen: Any = self.cleaned_data.get("location") if hasattr(self, "cleaned_data") else None
            chosen = chosen if "location" not in self.errors else None
        else:
            chosen = self["location"].value()
        return self.location_picker.options(chosen)

    def tally_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TALLY_FIELDS]

    def gbvims_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in GBVIMS_FIELDS]

    def incident_fields(self) -> IncidentFields:
        data = self.cleaned_data
        values = {name: data.get(name) for name in INCIDENT_FIELD_NAMES}
        for name in TALLY_FIELDS:
            values[name] = values[name] or 0
        for name in ("source_channel", "date_precision", "narrative"):
            values[name] = values[name] or ""
        return cast(IncidentFields, values)


__all__ = [
    "IncidentForm",
    "IncidentIntake",
    "IntakeChoices",
    "IntakeInitial",
    "PerpetratorForm",
    "PerpetratorFormSet",
    "RowFormSet",
    "ViolationForm",
    "ViolationFormSet",
]


@dataclass(frozen=True)
class IntakeChoices:
    """What the intake's selects offer, read once by the view through the selectors, and where
    its location field finds places."""

    locations: LocationFinder
    parties: Sequence[PartyToConflict]
    offices: Sequence[FieldOffice] = ()  # empty when editing


@dataclass
class IntakeInitial:
    incident: dict[str, Any] = field(default_factory=dict)
    violations: list[dict[str, Any]] = field(default_factory=list)
    perpetrators: list[dict[str, Any]] = field(default_factory=list)


# Service error keys that name a group of inputs rather than one field.
GROUP_KEYS = ("tallies", "violations", "perpetrators")
EXTRA_VIOLATIONS, EXTRA_PERPETRATORS, MORE_ROWS = 3, 2, 2


class IncidentIntake:
    """The intake page: the incident form and its two formsets, validated and shown together."""

    def __init__(
        self,
        data: Any = None,
        *,
        choices: IntakeChoices,
        initial: IntakeInitial | None = None,
        more_rows: int | None = None,
    ) -> None:
        initial = initial or IntakeInitial()
        self.choices = choices
        self.form = IncidentForm(data, choices=choices, initial=initial.incident)
        self.violations = ViolationFormSet(data, prefix="violations", initial=initial.violations or None)
        self.perpetrators = PerpetratorFormSet(
            data,
            prefix="perpetrators",
            initial=initial.perpetrators or None,
            form_kwargs={"parties": choices.parties},
        )
        if data is None:  # empty rows to fill: a few on a new intake, one more when editing
            blank = not (initial.violations or initial.perpetrators)
            self.violations.extra = (EXTRA_VIOLATIONS if blank else 1) if more_rows is None else more_rows
            self.perpetrators.extra = (EXTRA_PERPETRATORS if blank else 1) if more_rows is None else more_rows
        self.group_errors: dict[str, ErrorList] = {key: ErrorList() for key in GROUP_KEYS}

    @classmethod
    def of_incident(cls, incident: Incident, *, narrative: str, choices: IntakeChoices) -> IncidentIntake:
        """The intake filled with what `incident` holds (prefetched violations and perpetrators)
        and its `narrative`."""
        # The narrative comes from `selectors.incident_narrative` (which may decrypt and log the
        # read), never from the instance.
        values: dict[str, Any] = {
            name: getattr(incident, name) for name in INCIDENT_FIELD_NAMES if name != "narrative"
        }
        values["narrative"] = narrative
        for name in GBVIMS_FIELDS:
            values[name] = "yes" if values[name] else "no"
        if incident.date_precision != Incident.DatePrecision.RANGE:
            values["incident_date_end"] = None  # derived from the start for a day or a month
        initial = IntakeInitial(
            incident=values,
            violations=[{"form": row.form} for row in incident.violations.all()],
            perpetrators=[
                {
                    "category": row.category,
                    "count": row.count,
                    "sex": row.sex,
                    "age_group": row.age_group,
                    "party": row.party,
                    "relationship": row.relationship,
                    "unit": row.unit,
                    "commander": row.commander,
                    "names": row.names,
                }
                for row in incident.perpetrators.all()
            ],
        )
        return cls(choices=choices, initial=initial)

    def _redisplayed(self, *, more_rows: int) -> IncidentIntake:
        """The same input, unbound: nothing validated, so no error shown."""
        incident = {name: self.form[name].value() for name in self.form.fields}
        initial = IntakeInitial(
            incident=incident,
            violations=self.violations.raw_rows(),
            perpetrators=self.perpetrators.raw_rows(),
        )
        return IncidentIntake(choices=self.choices, initial=initial, more_rows=more_rows)

    def with_more_rows(self) -> IncidentIntake:
        """The same input, unbound (no error shown yet), with more empty rows to fill."""
        return self._redisplayed(more_rows=MORE_ROWS)

    def with_location_matches(self) -> IncidentIntake:
        """The same input, unbound, with the places matching the search box to choose from
        (the "Find" button; nothing is validated or saved)."""
        intake = self._redisplayed(more_rows=0)
        intake.form.location_picker.find(str(self.form["location_query"].value() or ""))
        return intake

    def is_valid(self) -> bool:
        # Every part is validated (no short cut), so every message shows at once.
        return all([self.form.is_valid(), self.violations.is_valid(), self.perpetrators.is_valid()])

    @property
    def has_errors(self) -> bool:
        return (
            bool(self.form.errors)
            or any(formset.total_error_count() for formset in (self.violations, self.perpetrators))
            or any(self.group_errors.values())
        )

    def field_office(self) -> FieldOffice | None:
        office: FieldOffice | None = self.form.cleaned_data.get("field_office")
        return office

    def incident_fields(self) -> IncidentFields:
        return self.form.incident_fields()

    def violation_rows(self) -> list[ViolationData]:
        return [form.data_row() for form in self.violations.filled_forms()]

    def perpetrator_rows(self) -> list[PerpetratorData]:
        return [form.data_row() for form in self.perpetrators.filled_forms()]

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's messages beside their field, their group, or atop the form."""
        if not hasattr(error, "error_dict"):
            self.form.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            if key in self.group_errors:
                self.group_errors[key].extend(messages)
            else:
                self.form.add_error(key if key in self.form.fields else None, messages)
