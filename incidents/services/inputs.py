"""Plain data the services accept, so forms, the API and the demo all call the same services.

`IncidentFields` lists every field a person may type (derived and workflow fields are absent:
they are never accepted). `ViolationData` and `PerpetratorData` are the child rows; an update
that passes a list replaces the incident's rows with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypedDict

from incidents.models import Location, PartyToConflict, Perpetrator, Violation


class IncidentFields(TypedDict, total=False):
    """What a reporter records. A month precision takes any day of the month as the start."""

    source_channel: str
    reported_on: date
    date_precision: str
    incident_date_start: date | None
    incident_date_end: date | None
    time_of_day: str
    location: Location | None
    latitude: Decimal | None
    longitude: Decimal | None
    location_type: str
    displacement_stage: str
    conflict_nexus: str
    context: str
    tally_women: int
    tally_girls: int
    tally_men: int
    tally_boys: int
    tally_unknown_sex: int
    narrative: str
    gbvims_penetration: bool
    gbvims_sexual_contact: bool
    gbvims_physical_assault: bool
    gbvims_forced_marriage: bool
    gbvims_denial_of_resources: bool
    gbvims_psychological_abuse: bool


INCIDENT_FIELD_NAMES = frozenset(IncidentFields.__optional_keys__)


@dataclass(frozen=True)
class ViolationData:
    form: str

    @classmethod
    def from_row(cls, row: Violation) -> ViolationData:
        return cls(form=row.form)


@dataclass(frozen=True)
class PerpetratorData:
    category: str
    count: int | None = None
    sex: str = Perpetrator.Sex.UNKNOWN
    age_group: str = Perpetrator.AgeGroup.UNKNOWN
    party: PartyToConflict | None = None
    relationship: str = Perpetrator.Relationship.UNKNOWN
    unit: str = ""
    commander: str = ""
    names: str = ""

    @classmethod
    def from_row(cls, row: Perpetrator) -> PerpetratorData:
        return cls(
            category=row.category,
            count=row.count,
            sex=row.sex,
            age_group=row.age_group,
            party=row.party,
            relationship=row.relationship,
            unit=row.unit,
            commander=row.commander,
            names=row.names,
        )
