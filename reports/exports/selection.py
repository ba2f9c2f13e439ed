"""Which incidents a row-level export may hold: those that count (`reports_countable_incident`:
not a draft, not SEA, not "did not occur", every linked survivor consenting) among those the
user may see (`Incident.objects.visible_to(user)`), whose month falls in the period.

The ids are chosen once, before the file is written (their number goes to the audit row); the
rows are then read in batches through the same view, so a consent withdrawn while the file is
being written drops its row (a row may go, never come). Rows are ordered by month, and at random
within a month: the order says nothing about when an incident was entered.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from incidents.models import Incident
from survivors.models import SurvivorIncident

# The month an incident counts in, as the statistics layer counts it (reports_countable_incident).
_COUNTABLE_IN_PERIOD = (
    "SELECT incident_id FROM reports_countable_incident"
    " WHERE mission_id = ANY(%s) AND month BETWEEN %s AND %s"
)


def countable_incidents(
    *, user: Any, mission_ids: tuple[int, ...], month_from: date, month_to: date
) -> QuerySet[Incident]:
    """The incidents `user` may see that count, in the months `month_from`..`month_to`."""
    # A constant statement, values as parameters; the view has no model (migration 0002).
    countable = RawSQL(_COUNTABLE_IN_PERIOD, [list(mission_ids), month_from, month_to])  # noqa: S611  # nosec B611
    return Incident.objects.visible_to(user).filter(pk__in=countable)


def _month(start: date | None, reported_on: date) -> date:
    return (start or reported_on).replace(day=1)


def _shuffled_by_month(pairs: list[tuple[int, date]]) -> list[int]:
    rank = {subject_id: secrets.randbits(32) for subject_id, _when in pairs}
    return [subject_id for subject_id, _m in sorted(pairs, key=lambda p: (p[1], rank[p[0]]))]


def incident_ids(*, user: Any, mission_ids: tuple[int, ...], month_from: date, month_to: date) -> list[int]:
    """The countable incidents' ids, by month, in random order within a month."""
    rows = countable_incidents(
        user=user, mission_ids=mission_ids, month_from=month_from, month_to=month_to
    ).values_list("id", "incident_date_start", "reported_on")
    return _shuffled_by_month([(pk, _month(start, reported)) for pk, start, reported in rows])


def link_ids(*, user: Any, mission_ids: tuple[int, ...], month_from: date, month_to: date) -> list[int]:
    """The survivor-incident links of the countable incidents (the GBVIMS unit), ordered alike."""
    incidents = countable_incidents(
        user=user, mission_ids=mission_ids, month_from=month_from, month_to=month_to
    )
    rows = SurvivorIncident.objects.filter(incident__in=incidents.values("pk")).values_list(
        "id", "incident__incident_date_start", "incident__reported_on"
    )
    return _shuffled_by_month([(pk, _month(start, reported)) for pk, start, reported in rows])
