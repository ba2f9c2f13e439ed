"""`Survivor.objects.visible_to(user)`: the only door to survivor rows (DESIGN §3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from crsv.accounts.roles import Role

if TYPE_CHECKING:
    from survivors.models import Survivor  # noqa: F401  (named in the QuerySet's type parameter)


def identifying_access_q(user: Any) -> Q:
    """The cases whose identifying fields `user` may read: assigned to her; registered by her
    until a WPA takes the case; granted to her (unexpired); or opened by break-glass (unexpired).

    Grants and break-glass are semi-joins on (user, case, expiry) indexes: the plan stays an
    index scan however many grants exist (tests/survivors/test_grants.py checks the plan).
    Expiry is compared with the database's clock on every request, so a revocation or an
    expiry takes effect on the very next request.
    """
    from survivors.models import BreakGlass, SurvivorUserObjectPermission

    q = Q()
    if user.has_role(Role.WPA, Role.SENIOR_WPA):
        q |= Q(assigned_wpa=user)
    if user.has_role(Role.REPORTER, Role.WPA, Role.SENIOR_WPA):
        q |= Q(registered_by=user, assigned_wpa__isnull=True)
        live_grants = SurvivorUserObjectPermission.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=Now()), user=user
        )
        q |= Q(id__in=live_grants.values("content_object_id"))
    if user.has_role(Role.SENIOR_WPA):
        live_break_glass = BreakGlass.objects.filter(user=user, expires_at__gt=Now())
        q |= Q(id__in=live_break_glass.values("survivor_id"))
    return q


class SurvivorQuerySet(models.QuerySet["Survivor"]):
    def visible_to(self, user: Any) -> SurvivorQuerySet:
        """Cases `user` may know exist. Senior WPAs see every case of their missions (code and
        profile only unless `identifying_to(user)` also holds); everyone else only the cases they
        may read in full. Analysts, providers, admins and auditors: none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        q = identifying_access_q(user)
        if user.has_role(Role.SENIOR_WPA):
            q |= Q(mission_id__in=user.mission_ids())
        return self.filter(q) if q else self.none()

    def identifying_to(self, user: Any) -> SurvivorQuerySet:
        """Cases whose identifying fields `user` may read (a subset of `visible_to`)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        q = identifying_access_q(user)
        return self.filter(q) if q else self.none()
