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

    One semi-join on the union of those sources' case ids (`id IN (... UNION ALL ...)`), each
    source read through an index led by the user (assignee, registrar, grants' and break-glass'
    user), the cases then fetched by primary key: the cost follows the number of cases she may
    read, not the size of the tables. Written as ORs of the sources instead, PostgreSQL cannot
    use an index for the `id IN (grants)` arm and scans the whole survivor table (measured: 70 ms
    at 100,000 cases and 100,000 grants, against a few ms this way; test_issue5_services.py and
    test_views_grants.py in tests/survivors check the plan). Expiry is compared with the
    database's clock on every request, so a revocation or an expiry takes effect on the very
    next request.
    """
    from survivors.models import BreakGlass, Survivor, SurvivorUserObjectPermission

    sources: list[models.QuerySet[Any, Any]] = []
    if user.has_role(Role.WPA, Role.SENIOR_WPA):
        sources.append(Survivor.objects.filter(assigned_wpa=user).order_by().values("id"))
    if user.has_role(Role.REPORTER, Role.WPA, Role.SENIOR_WPA):
        sources.append(
            Survivor.objects.filter(registered_by=user, assigned_wpa__isnull=True).order_by().values("id")
        )
        live_grants = SurvivorUserObjectPermission.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=Now()), user=user
        )
        sources.append(live_grants.order_by().values("content_object_id"))
    if user.has_role(Role.SENIOR_WPA):
        live_break_glass = BreakGlass.objects.filter(user=user, expires_at__gt=Now())
        sources.append(live_break_glass.order_by().values("survivor_id"))
    if not sources:
        return Q()
    first, *others = sources
    return Q(id__in=first.union(*others, all=True))


class SurvivorQuerySet(models.QuerySet["Survivor"]):
    def visible_to(self, user: Any) -> SurvivorQuerySet:
        """Cases `user` may know exist. Senior WPAs see every case of their missions (code and
        profile only unless `identifying_to(user)` also holds); everyone else only the cases they
        may read in full. Analysts, providers, admins and auditors: none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_role(Role.SENIOR_WPA):
            # Her scope is her missions, read through the (mission, newest) index. Grants,
            # assignment and break-glass never reach beyond the mission, so the cases she may
            # identify are among these; one she could identify after leaving the mission's
            # offices is out of scope (the safer reading).
            return self.filter(mission_id__in=user.mission_ids())
        q = identifying_access_q(user)
        return self.filter(q) if q else self.none()

    def identifying_to(self, user: Any) -> SurvivorQuerySet:
        """Cases whose identifying fields `user` may read (a subset of `visible_to`)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        q = identifying_access_q(user)
        if not q:
            return self.none()
        rows = self.filter(q)
        if user.has_role(Role.SENIOR_WPA):
            rows = rows.filter(mission_id__in=user.mission_ids())
        return rows
