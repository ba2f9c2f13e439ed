"""Serializers of the incidents API: one input and one output serializer per operation.

Restricted details (the narrative, the exact coordinates, the perpetrators' unit, commander and
names) are **absent** from a response for a user who may not see them: the key is left out, not
set to null. Their schema fields are therefore not `required`, and say so. The location is
always present, coarsened to admin level 2 for those who may not see the exact place.

Inputs refuse what they do not know (see `IncidentStrictInput`): derived fields (reporting delay band,
GBVIMS type, SEA flag, late verification) and workflow fields (status, verification, reference,
assignee) get a 400 that says why, instead of being silently ignored.

No error message repeats the value sent: error bodies end up in proxies' and clients' logs.
"""

from __future__ import annotations

from incidents.api.serializers.fields import DERIVED_FIELDS, WORKFLOW_FIELDS, Choice, IncidentStrictInput
from incidents.api.serializers.inputs import (
    ACTION_FIELDS,
    IncidentCreateInput,
    IncidentInput,
    IncidentUpdateInput,
    PerpetratorInput,
    TransitionActionInput,
    TransitionInput,
    ViolationInput,
)
from incidents.api.serializers.outputs import (
    HistoryEntryOutput,
    HistoryOutput,
    IncidentDetailOutput,
    IncidentListItemOutput,
    IncidentLocationOutput,
    IncidentPageOutput,
    IncidentPermissionsOutput,
    LocationOutput,
    LocationPageOutput,
    PartyListOutput,
    PartyOutput,
    PerpetratorOutput,
    ViolationOutput,
)
from incidents.api.serializers.queries import RESTRICTED_FIELDS, IncidentListQuery, LocationListQuery

__all__ = [
    "ACTION_FIELDS",
    "DERIVED_FIELDS",
    "RESTRICTED_FIELDS",
    "WORKFLOW_FIELDS",
    "Choice",
    "HistoryEntryOutput",
    "HistoryOutput",
    "IncidentCreateInput",
    "IncidentDetailOutput",
    "IncidentInput",
    "IncidentListItemOutput",
    "IncidentListQuery",
    "IncidentLocationOutput",
    "IncidentPageOutput",
    "IncidentPermissionsOutput",
    "IncidentStrictInput",
    "IncidentUpdateInput",
    "LocationListQuery",
    "LocationOutput",
    "LocationPageOutput",
    "PartyListOutput",
    "PartyOutput",
    "PerpetratorInput",
    "PerpetratorOutput",
    "TransitionActionInput",
    "TransitionInput",
    "ViolationInput",
    "ViolationOutput",
]
