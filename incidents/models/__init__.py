"""Models of the monitoring track (a package: one module per concern)."""

from __future__ import annotations

from incidents.models.accountability import AccountabilityStep, AccountabilityStepQuerySet
from incidents.models.alert_history import (
    AlertEvent,
    AlertIncidentLink,
    AlertReferenceCounter,
    OnCallAssignment,
)
from incidents.models.alerts import ALERT_MAX_ADMIN_LEVEL, Alert, AlertQuerySet
from incidents.models.children import Perpetrator, Violation
from incidents.models.history import IncidentEvent, IncidentReferenceCounter
from incidents.models.incident import (
    GBVIMS_FIELDS,
    TALLY_FIELDS,
    VERIFICATION_OUTCOMES,
    Incident,
)
from incidents.models.locations_and_parties import Location, PartyToConflict
from incidents.models.querysets import IncidentQuerySet

__all__ = [
    "ALERT_MAX_ADMIN_LEVEL",
    "GBVIMS_FIELDS",
    "TALLY_FIELDS",
    "VERIFICATION_OUTCOMES",
    "AccountabilityStep",
    "AccountabilityStepQuerySet",
    "Alert",
    "AlertEvent",
    "AlertIncidentLink",
    "AlertQuerySet",
    "AlertReferenceCounter",
    "Incident",
    "IncidentEvent",
    "IncidentQuerySet",
    "IncidentReferenceCounter",
    "Location",
    "OnCallAssignment",
    "PartyToConflict",
    "Perpetrator",
    "Violation",
]
