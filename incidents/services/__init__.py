"""Every write on incidents (HackSoft style): keyword-only, typed, atomic, audited.

Each service locks the incident row through the actor's scope (out of scope: Http404), checks
the role (`incidents.exceptions.PermissionDenied`) and then the status
(`incidents.exceptions.TransitionNotAllowed`), both from the table of `incidents.workflow`,
moves the incident to the table's target, validates its input (`ValidationError` keyed
by field), runs `full_clean()`, saves, and appends an IncidentEvent and an AuditEvent
(`incident.<action>`). Each returns the saved incident: use it, not the instance passed in.

The page and the API take every workflow move through `incident_transition`, which reads the
posted inputs only after the checks above; they ask `incident_create_authorize` and
`incident_step_authorize(action="update")` before reading an intake (and before showing the
intake page), for the same order.
"""

from __future__ import annotations

from incidents.services.history import incident_step_authorize
from incidents.services.inputs import IncidentFields, PerpetratorData, ViolationData
from incidents.services.intake import (
    incident_create,
    incident_create_authorize,
    incident_submit,
    incident_update,
)
from incidents.services.kept_drafts import KeptIntake, incident_draft_keep
from incidents.services.review import (
    incident_assign,
    incident_reopen,
    incident_return,
    incident_verify,
)
from incidents.services.transitions import InputsReader, TransitionInputs, incident_transition

__all__ = [
    "IncidentFields",
    "InputsReader",
    "KeptIntake",
    "PerpetratorData",
    "TransitionInputs",
    "ViolationData",
    "incident_assign",
    "incident_create",
    "incident_create_authorize",
    "incident_draft_keep",
    "incident_reopen",
    "incident_return",
    "incident_step_authorize",
    "incident_submit",
    "incident_transition",
    "incident_update",
    "incident_verify",
]
