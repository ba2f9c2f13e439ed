"""Every write on early-warning alerts and on-call rosters (issue 13 item 4): keyword-only, typed,
atomic, audited, in the shape of the incident services.

- `alert_create` (intake.py): authorize, validate, write, record, tell who is on call;
- `alert_acknowledge`, `alert_dispatch`, `alert_close` and their one dispatcher
  `alert_transition`, `alert_link_incident` (steps.py): the handlers' writes, each on the row
  locked through the actor's scope, answering 404, 403, 409, then the fields;
- `oncall_assign`, `oncall_end` (oncall.py): the rosters;
- `alerts_escalate_due` (escalation.py): the beat task's claim, exactly once per alert.

Audit actions: `alert.create`, `alert.acknowledge`, `alert.dispatch`, `alert.close`,
`alert.link_incident`, `alert.escalate` (no actor), `alert.oncall_assign`, `alert.oncall_end`.
"""

from __future__ import annotations

from incidents.services.alerts.escalation import alert_escalation_delay, alerts_escalate_due
from incidents.services.alerts.intake import (
    DESCRIPTION_MAX_LENGTH,
    AlertReceived,
    alert_create,
    alert_create_authorize,
)
from incidents.services.alerts.oncall import ONCALL_MAX_DURATION, oncall_assign, oncall_authorize, oncall_end
from incidents.services.alerts.steps import (
    AlertInputs,
    AlertInputsReader,
    alert_acknowledge,
    alert_close,
    alert_dispatch,
    alert_link_authorize,
    alert_link_incident,
    alert_transition,
)

__all__ = [
    "DESCRIPTION_MAX_LENGTH",
    "ONCALL_MAX_DURATION",
    "AlertInputs",
    "AlertInputsReader",
    "AlertReceived",
    "alert_acknowledge",
    "alert_close",
    "alert_create",
    "alert_create_authorize",
    "alert_dispatch",
    "alert_escalation_delay",
    "alert_link_authorize",
    "alert_link_incident",
    "alert_transition",
    "alerts_escalate_due",
    "oncall_assign",
    "oncall_authorize",
    "oncall_end",
]
