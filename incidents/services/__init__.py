"""Every write on incidents (HackSoft style): keyword-only, typed, atomic, audited.

Each service locks the incident row through the actor's scope (out of scope: Http404), checks
the role (`incidents.exceptions.PermissionDenied`) and then the status
(`incidents.exceptions.TransitionNotAllowed`), validates its input (`ValidationError` keyed
by field), runs `full_clean()`, saves, and appends an IncidentEvent and an AuditEvent
(`incident.<action>`). Each returns the saved incident: use it, not the instance passed in.
"""

from __future__ import annotations

from incidents.services.inputs import IncidentFields, PerpetratorData, ViolationData
from incidents.services.intake import incident_create, incident_submit, incident_update
from incidents.services.review import (
    incident_assign,
    incident_reopen,
    incident_return,
    incident_verify,
)

__all__ = [
    "IncidentFields",
    "PerpetratorData",
    "ViolationData",
    "incident_assign",
    "incident_create",
    "incident_reopen",
    "incident_return",
    "incident_submit",
    "incident_update",
    "incident_verify",
]
