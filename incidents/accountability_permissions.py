"""Who may record and remove an incident's justice and accountability steps, and who sees their
restricted parts (booleans for the services, the views and the templates).

The rules are those of the incident itself (`incidents.permissions`), reused, not restated:

- **See** the steps (stage, court, date, outcome): whoever sees the incident
  (`Incident.objects.visible_to`), analysts included.
- **See** a step's note and who recorded it: who may read the narrative (the note may name a
  judge, a perpetrator, a survivor's lawyer).
- **Record** a step: the incident's reviewers (`permissions.may_review`: a WPA of its field
  office, not for SEA, or a senior WPA of its mission), once it was submitted (never a draft).
  Justice takes years: a closed incident still gains steps.
- **Remove** a step (a correction): who recorded it, while she still reviews the incident, or a
  senior WPA of the incident's mission.

Whether the incident exists for the user at all is decided before (404); these functions still
check scope themselves, through the incident rules, so a wrong call fails closed.
"""

from __future__ import annotations

from typing import Any

from incidents import permissions
from incidents.models import AccountabilityStep, Incident


def may_record_accountability(user: Any, incident: Incident) -> bool:
    """The role part (False is 403 whatever the status)."""
    return permissions.may_review(user, incident)


def accountability_status_allows(incident: Incident) -> bool:
    """Steps are recorded on submitted incidents only (False is 409)."""
    return incident.status != Incident.Status.DRAFT


def can_record_accountability(user: Any, incident: Incident) -> bool:
    """May record a step now (the form is shown)."""
    return may_record_accountability(user, incident) and accountability_status_allows(incident)


def may_remove_accountability_step(user: Any, incident: Incident, step: AccountabilityStep) -> bool:
    """Who recorded the step (still one of the incident's reviewers), or a senior WPA of the
    incident's mission (`permissions.may_reopen` is that rule)."""
    if permissions.may_reopen(user, incident):
        return True
    return step.recorded_by_id == getattr(user, "pk", None) and permissions.may_review(user, incident)


def can_view_accountability_notes(user: Any, incident: Incident) -> bool:
    """The notes, and who recorded each step: restricted like the narrative."""
    return permissions.can_view_narrative(user, incident)
