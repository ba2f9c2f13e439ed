"""`Survivor.objects.visible_to(user)`: the only door to survivor rows (DESIGN §3)."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Now

from crsv.accounts.roles import Capability, Role

# The model a queryset is bound to (always `Survivor`), as a type variable so that this module
# does not import the model module, which imports it (no import circle).
_Model = TypeVar("_Model", bound=models.Model)


def _rows(model_name: str) -> models.QuerySet[Any]:
    """Every row of one of this app's models, found in the app registry rather than imported:
    `survivors.models` imports this module for `SurvivorQuerySet`, so importing it back would
    make a circle. Called at query time, when the registry is ready."""
    return apps.get_model("survivors", model_name)._default_manager.all()


def identifying_access_q(user: Any) -> Q:
    """The cases whose identifying fields `user` may read: assigned to her; registered by her
    until a WPA takes the case; granted to her (unexpired); or opened by break-glass (unexpired).

    Membership bounds every source (DESIGN §3, issue 8): an assigned or registered case needs a
    membership of the case's field office; a grant needs a membership in the case's mission
    (a Goma case shared with a Bunia WPA of the same mission stays readable); a senior WPA's
    reach, her own cases and break-glass included, is her missions. A WPA moved out of an
    office keeps her assignments there (dormant: `SurvivorQuerySet.dormant`), but no longer
    reads them. The offices and missions are the ones read with the user at authentication
    (`crsv.accounts.scope`), so a removed membership takes effect on her next request, and
    the conditions cost no query.

    One semi-join on the union of those sources' case ids (`id IN (... UNION ALL ...)`), each
    source read through an index led by the user (assignee, registrar, grants' and break-glass'
    user), the office (own cases) and the mission (every source) then checked on the case rows
    found: the cost follows the number
    of cases she may read, not the size of the tables. Written as ORs of the sources instead,
    PostgreSQL cannot use an index for the `id IN (grants)` arm and scans the whole survivor
    table (measured: 70 ms at 100,000 cases and 100,000 grants, against a few ms this way;
    test_issue5_services.py and test_views_grants.py in tests/survivors check the plan).
    Expiry is compared with the database's clock on every request, so a revocation or an
    expiry takes effect on the very next request.
    """
    missions = list(user.mission_ids())
    on_case, case_ids = identifying_sources(user)
    sources = [_rows("Survivor").filter(q).order_by().values("id") for q in on_case] + case_ids
    if not sources:
        return Q()  # callers read an empty Q as "none" (see `visible_to`)
    first, *others = sources
    return Q(mission_id__in=missions) & Q(id__in=first.union(*others, all=True))


def identifying_sources(user: Any) -> tuple[list[Q], list[models.QuerySet[Any, Any]]]:
    """The sources of `identifying_access_q`, before the mission bound: conditions on the case
    row (assigned to her, registered by her) and case-id subqueries (live grants, live
    break-glass). The one statement of who may identify a case; `identifying_access_q` and
    `identifying_arms` are two shapes of it."""
    missions = list(user.mission_ids())
    senior = user.has_role(Role.SENIOR_WPA)
    # Her own cases (assigned, registered): the office for a WPA or a reporter, the mission for
    # a senior WPA (she registers and holds cases in any office of her missions).
    own_scope = Q(mission_id__in=missions) if senior else Q(field_office_id__in=list(user.office_ids()))
    on_case: list[Q] = []
    case_ids: list[models.QuerySet[Any, Any]] = []
    if not missions:  # no membership at all: no source can match
        return on_case, case_ids
    if user.can(Capability.HOLD_SURVIVOR_CASES):
        on_case.append(own_scope & Q(assigned_wpa=user))
    if user.can(Capability.SEE_SURVIVOR_CASES):
        on_case.append(own_scope & Q(registered_by=user, assigned_wpa__isnull=True))
        # The grant's mission bound is the outer `mission_id IN` of `identifying_access_q`:
        # checked on the case rows fetched anyway, so this arm stays a read of the grants'
        # user index alone.
        live_grants = _rows("SurvivorUserObjectPermission").filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=Now()), user=user
        )
        case_ids.append(live_grants.order_by().values("content_object_id"))
    if senior:
        live_break_glass = _rows("BreakGlass").filter(user=user, expires_at__gt=Now())
        case_ids.append(live_break_glass.order_by().values("survivor_id"))
    return on_case, case_ids


def identifying_arms(user: Any) -> list[models.QuerySet[Any]]:
    """`identifying_access_q` as one case queryset per source, each bounded by her missions.

    For a newest-first page: each arm can be read in order through its own index (assignee,
    registrar: `survivor_*_recent`) and cut at the page size, and the page is the newest of
    the arms' heads. The single semi-join of `identifying_access_q` has to fetch every case she
    may read (1,000 for the benchmark WPA) before it can sort them."""
    if not user.is_authenticated or not user.is_active:
        return []
    on_case, case_ids = identifying_sources(user)
    bounded = _rows("Survivor").filter(mission_id__in=list(user.mission_ids()))
    return [bounded.filter(q) for q in on_case] + [bounded.filter(id__in=ids) for ids in case_ids]


class SurvivorQuerySet(models.QuerySet[_Model]):
    def visible_to(self, user: Any) -> Self:
        """Cases `user` may know exist. Senior WPAs see every case of their missions (code and
        profile only unless `identifying_to(user)` also holds); everyone else only the cases they
        may read in full. Analysts, providers, admins and auditors: none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_role(Role.SENIOR_WPA):
            # Her scope is her missions, read through the (mission, newest) index. Every source
            # of `identifying_access_q` is bounded by her missions too, so the cases she may
            # identify are among these.
            return self.filter(mission_id__in=user.mission_ids())
        q = identifying_access_q(user)
        return self.filter(q) if q else self.none()

    def dormant(self) -> Self:
        """Cases whose assigned WPA can no longer act on them: she holds no membership of the
        case's field office any more, or her account is deactivated. The assignment stays (the
        history is hers) until a senior WPA reassigns the case."""
        from crsv.accounts.models import Membership

        member = Membership.objects.filter(
            user_id=OuterRef("assigned_wpa_id"), field_office_id=OuterRef("field_office_id")
        )
        return self.filter(assigned_wpa__isnull=False).filter(
            Q(assigned_wpa__is_active=False) | ~Exists(member)
        )

    def identifying_to(self, user: Any) -> Self:
        """Cases whose identifying fields `user` may read (a subset of `visible_to`)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        q = identifying_access_q(user)
        return self.filter(q) if q else self.none()
