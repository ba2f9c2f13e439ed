"""Every read of incidents done for a user, starting from `Incident.objects.visible_to(user)`.

- `list_filters`: which incidents a user may list, filtered and ordered (`incident_list`);
- `list_rows` and `list_page`: one page of that list as typed rows, redacted for the user by
  one function (`incident_page`, what the list page and the list API render);
- `records`: one incident as the user may see it, its history, who may be assigned it, and the
  reference data.

Lists never load the narrative.
"""

from __future__ import annotations

from incidents.selectors.list_filters import (
    DEIDENTIFIED_MAX_ADMIN_LEVEL,
    ENCRYPTED_COLUMNS,
    LIST_RELATIONS,
    ORDERINGS,
    REFERENCE_ORDERINGS,
    IncidentFilters,
    incident_list,
)
from incidents.selectors.list_page import PAGE_SIZE, IncidentPage, incident_page
from incidents.selectors.list_rows import ROW_FIELDS, IncidentRow, Place, ViolationRow, row_redaction
from incidents.selectors.records import (
    IncidentHistoryEntry,
    incident_assignee_candidates,
    incident_get,
    incident_history,
    incident_location_for,
    incident_narrative,
    location_list,
    party_list,
)

__all__ = [
    "DEIDENTIFIED_MAX_ADMIN_LEVEL",
    "ENCRYPTED_COLUMNS",
    "LIST_RELATIONS",
    "ORDERINGS",
    "PAGE_SIZE",
    "REFERENCE_ORDERINGS",
    "ROW_FIELDS",
    "IncidentFilters",
    "IncidentHistoryEntry",
    "IncidentPage",
    "IncidentRow",
    "Place",
    "ViolationRow",
    "incident_assignee_candidates",
    "incident_get",
    "incident_history",
    "incident_list",
    "incident_location_for",
    "incident_narrative",
    "incident_page",
    "location_list",
    "party_list",
    "row_redaction",
]
