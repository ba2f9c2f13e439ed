"""`IdentifiableExport.objects.visible_to(user)`: the only door to export rows."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.db import models
from django.db.models import Q

from crsv.accounts.roles import Capability

_Model = TypeVar("_Model", bound=models.Model)


class IdentifiableExportQuerySet(models.QuerySet[_Model]):
    def visible_to(self, user: Any) -> Self:
        """A requester's own exports; every export of her missions for a senior WPA (who decides
        them). Both bounded by her missions now: a requester moved out of the mission no longer
        reaches her old requests. Anyone else: none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        missions = list(user.mission_ids())
        if user.can(Capability.APPROVE_IDENTIFIABLE_EXPORT):
            return self.filter(mission_id__in=missions)
        if user.can(Capability.REQUEST_IDENTIFIABLE_EXPORT):
            return self.filter(Q(requested_by=user), mission_id__in=missions)
        return self.none()
