"""`Incident.objects.visible_to(user)`: the only door to incident rows (DESIGN §3)."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.db import models
from django.db.models import Q

from crsv.accounts.models import User
from crsv.accounts.roles import Capability, Role, roles_for
from incidents.models.choices import Status, VerificationStatus

DRAFT = Status.DRAFT
# While an incident is in its reporter's hands, the reporter sees it even when it is SEA:
# they must be able to finish and resubmit it. Once submitted, an SEA incident leaves their view.
IN_REPORTER_HANDS = (Status.DRAFT, Status.RETURNED)

# The model a queryset is bound to (always `Incident`), as a type variable so that this module
# does not import the model module, which imports it (no import circle).
_Model = TypeVar("_Model", bound=models.Model)


def incident_scope(user: Any) -> Q | None:
    """The rows `user` may see, as one filter on incident columns only (no joins).

    None when the user may see nothing. Scope, per DESIGN §3 and issue 3 item 8:

    - own incidents (any creator role), in the user's current field offices, drafts included;
      an own SEA incident only while it is a draft or returned to them;
    - reporter, wpa: non-draft incidents of their field offices, except SEA;
    - senior_wpa: non-draft incidents of their offices' missions, SEA included;
    - analyst: non-draft incidents of their offices' missions, except SEA;
    - provider, admin, auditor, no role, inactive or anonymous: nothing.
    """
    if not isinstance(user, User) or not user.is_active:
        return None
    roles = user.role_names()
    offices = user.office_ids()
    if not offices:
        return None
    parts: list[Q] = []
    # Who may log incidents sees what she logged; a draft is seen by its reporter only.
    if roles & roles_for(Capability.CREATE_INCIDENT):
        parts.append(
            Q(reported_by=user, field_office__in=offices)
            & (Q(is_sea=False) | Q(status__in=IN_REPORTER_HANDS))
        )
    if roles & roles_for(Capability.SEE_OFFICE_INCIDENTS):
        parts.append(Q(field_office__in=offices, is_sea=False) & ~Q(status=DRAFT))
    if Role.SENIOR_WPA in roles:
        parts.append(Q(mission__in=user.mission_ids()) & ~Q(status=DRAFT))
    elif Role.ANALYST in roles:
        parts.append(Q(mission__in=user.mission_ids(), is_sea=False) & ~Q(status=DRAFT))
    if not parts:
        return None
    scope = parts[0]
    for part in parts[1:]:
        scope |= part
    return scope


class IncidentQuerySet(models.QuerySet[_Model]):
    def visible_to(self, user: Any) -> Self:
        """Incidents `user` may see at all (what they may see *of* each: permissions.py)."""
        scope = incident_scope(user)
        return self.none() if scope is None else self.filter(scope)

    def crsv_statistics(self) -> Self:
        """Incidents that count in CRSV statistics.

        Not drafts, not SEA (those go to the conduct-and-discipline track), and not those
        verified as "did not occur". Compose with `visible_to` for a user's own view.
        """
        return (
            self.exclude(status=DRAFT)
            .filter(is_sea=False)
            .exclude(verification_status=VerificationStatus.DID_NOT_OCCUR)
        )
