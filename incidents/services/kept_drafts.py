"""An intake posted after its session expired, kept as a draft (issue 12 item 3).

A reporter on a slow link types an intake for longer than the idle timeout (or past the
absolute one) and posts it. Her session has ended, but what she typed must not be lost, nor be
kept anywhere but where any draft is: in the database, its narrative and restricted details
encrypted under the incident's own key. The platform (crsv.expired_posts) has checked that
the expired session still names her (its auth hash, her account active, its second factor
passed) and that the post's CSRF token is good; the intake page's adapter hands over what
parsed. `incident_create` decides the rest as for any intake: her role and office must allow
logging (otherwise nothing is saved) and the draft's rules hold. What those rules refuse is
left out, one group of inputs at a time, so the rest is kept; the caller tells her.

The intake form's one-time key makes it idempotent: the same post replayed (the browser resends
it, she signs in and posts it again) keeps the draft it kept the first time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Unpack, cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from crsv.accounts.models import FieldOffice, User
from incidents.models import TALLY_FIELDS, Incident
from incidents.services.inputs import (
    INCIDENT_FIELD_NAMES,
    IncidentFields,
    PerpetratorData,
    ViolationData,
)
from incidents.services.intake import incident_create, incident_create_authorize
from incidents.services.validation import rows_problems

_DATES = ("date_precision", "incident_date_start", "incident_date_end")
_POINT = ("latitude", "longitude")
# A service error's key -> the inputs left out together to clear it: a date error may name the
# start when the precision is what is wrong, a point needs both coordinates.
_LEFT_OUT_TOGETHER: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(_DATES, _DATES),
    **dict.fromkeys(_POINT, _POINT),
    "tallies": TALLY_FIELDS,
}


@dataclass(frozen=True)
class KeptIntake:
    """The draft an expired intake was kept as. `created` is False when this intake key's draft
    already existed (a replay); `left_out` names the inputs whose values broke the draft rules."""

    incident: Incident
    created: bool
    left_out: frozenset[str] = frozenset()


def _kept_before(actor: User, intake_key: uuid.UUID | None) -> Incident | None:
    if intake_key is None:
        return None
    return Incident.objects.filter(reported_by=actor, intake_key=intake_key).first()


def _good_rows(rows: Sequence[Any], key: str) -> list[Any]:
    """The rows kept, in order, each only if it is valid beside those kept before it (a form of
    violation given twice keeps its first row)."""
    kept: list[Any] = []
    for row in rows:
        if not rows_problems(**{key: [*kept, row]}):
            kept.append(row)
    return kept


@transaction.atomic
def incident_draft_keep(
    *,
    actor: User,
    intake_key: uuid.UUID | None,
    field_office: FieldOffice | None = None,
    violations: Sequence[ViolationData] = (),
    perpetrators: Sequence[PerpetratorData] = (),
    request: HttpRequest | None = None,
    **fields: Unpack[IncidentFields],
) -> KeptIntake:
    """Keep an intake posted after the actor's session expired as a draft of hers, audited as
    hers (`incident.create`), leaving out what the draft rules refuse.

    `PermissionDenied` when her role or offices no longer allow logging: nothing is saved. An
    intake key already used by her returns its draft, unchanged. The draft is never submitted,
    whichever button she pressed: she reads it again first.
    """
    incident_create_authorize(actor=actor)
    existing = _kept_before(actor, intake_key)
    if existing is not None:
        return KeptIntake(incident=existing, created=False)
    values: dict[str, Any] = dict(fields)
    rows: dict[str, Any] = {"violations": list(violations), "perpetrators": list(perpetrators)}
    office = field_office
    left_out: set[str] = set()
    while True:
        try:
            with transaction.atomic():  # a savepoint: a refused try leaves nothing behind
                incident = incident_create(
                    actor=actor,
                    field_office=office,
                    violations=rows["violations"],
                    perpetrators=rows["perpetrators"],
                    request=request,
                    intake_key=intake_key,
                    **cast(IncidentFields, values),
                )
        except IntegrityError:
            # The same intake posted twice at once: the other post has kept it.
            existing = _kept_before(actor, intake_key)
            if existing is None:
                raise
            return KeptIntake(incident=existing, created=False)
        except ValidationError as error:
            keys = set(error.message_dict) if hasattr(error, "error_dict") else {NON_FIELD_ERRORS}
            if NON_FIELD_ERRORS in keys or keys <= left_out:
                raise  # nothing left to leave out: a rule this function does not know
            for key in keys - left_out:
                left_out.add(key)
                if key == "field_office":
                    office = None  # her first office, as for an intake that names none
                elif key in rows:
                    rows[key] = _good_rows(rows[key], key)
                else:
                    for name in _LEFT_OUT_TOGETHER.get(key, (key,)):
                        if name in INCIDENT_FIELD_NAMES:
                            values.pop(name, None)
        else:
            return KeptIntake(incident=incident, created=True, left_out=frozenset(left_out))
