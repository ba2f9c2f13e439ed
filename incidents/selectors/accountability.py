"""An incident's justice and accountability steps as a user may see them (issue 13 item 6)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.http import Http404

from crsv.accounts.models import User
from incidents import accountability_permissions as rules
from incidents.models import AccountabilityStep, Incident

Stage = AccountabilityStep.Stage
# The order of the justice chain, to order the steps of one day.
STAGE_RANK = {stage: rank for rank, stage in enumerate(Stage.values)}


@dataclass(frozen=True)
class AccountabilityStepRow:
    """One step as `user` may see it: `note` and `recorded_by` are None when restricted."""

    public_id: uuid.UUID
    stage: str
    court: str
    occurred_on: date
    outcome: str
    recorded_at: datetime
    note: str | None
    recorded_by: str | None
    can_remove: bool

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def court_label(self) -> str:
        return str(AccountabilityStep.Court(self.court).label) if self.court else ""

    @property
    def outcome_label(self) -> str:
        return str(AccountabilityStep.Outcome(self.outcome).label) if self.outcome else ""


def accountability_step_list(*, user: User, incident: Incident) -> list[AccountabilityStepRow]:
    """The incident's steps in the order they happened (the chain's order within a day), in one
    query. `incident` comes from `selectors.incident_get` (its data key is read with it); out of
    the user's scope the steps do not exist (Http404)."""
    if not Incident.objects.visible_to(user).filter(pk=incident.pk).exists():
        raise Http404("No incident matches the given query.")
    restricted = rules.can_view_accountability_notes(user, incident)
    steps = list(
        AccountabilityStep.objects.visible_to(user)
        .filter(incident_id=incident.pk)
        .select_related("recorded_by")
    )
    steps.sort(key=lambda step: (step.occurred_on, STAGE_RANK[step.stage], step.recorded_at, step.pk))
    rows = []
    for step in steps:
        step.incident = incident  # its data key opens the note: no query per step
        rows.append(
            AccountabilityStepRow(
                public_id=step.public_id,
                stage=step.stage,
                court=step.court,
                occurred_on=step.occurred_on,
                outcome=step.outcome,
                recorded_at=step.recorded_at,
                note=step.note if restricted else None,
                recorded_by=step.recorded_by.display_name if restricted else None,
                can_remove=rules.may_remove_accountability_step(user, incident, step),
            )
        )
    return rows
