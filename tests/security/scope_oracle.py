"""The oracle of the property-based scope test: which incidents, cases and referrals each user
of a `WorldSpec` may see, computed in plain Python from DESIGN §3 alone (its table, and "Scope
decides which records, role decides what on them"; "membership bounds everything"), reading
the world's description, never the database or the selectors.

Each answer is the set of the objects' indexes in the spec, or FORBIDDEN when her roles give
no such list at all (the page and the API answer 403, whatever the rows).

The rules, as DESIGN §3 states them:

- Scope: her field offices (memberships, as they are at the end); a senior WPA's and an
  analyst's scope is the whole mission of their offices. No membership: nothing.
- Incidents: whoever logs incidents (reporter, WPA, senior WPA) sees her own (drafts too, in an
  office she still belongs to; an SEA incident only while a draft, being hers to finish);
  reporters and WPAs the non-draft incidents of their offices; senior WPAs every non-draft
  incident of their missions; analysts those of their missions but SEA (which goes to senior
  WPAs only). Providers, admins, auditors: no list.
- Survivor cases: a reporter sees the cases she registered until a WPA takes the case; a WPA
  the cases assigned or granted to her; a senior WPA every case of her missions. Membership
  bounds them: an assigned or registered case needs a membership of the case's office (a senior
  WPA's: of its mission), a grant one in the case's mission. Analysts, providers: no list.
- Search by name: among the cases she may identify (assigned, registered, granted: not a
  senior WPA's mission-wide view), never an erased case (its name is gone).
- Referrals: a WPA the referrals of the cases she may identify; a senior WPA all of her
  missions; a provider's user those sent to her organisation, never a draft.
"""

from __future__ import annotations

from crsv.accounts.roles import Role
from tests.security.scope_world import CaseSpec, WorldSpec, mission_of

FORBIDDEN = None
Seen = set[int] | None

LOGGERS = {Role.REPORTER, Role.WPA, Role.SENIOR_WPA}


def _missions(world: WorldSpec, user: int) -> set[str]:
    return {mission_of(office) for office in world.offices_of(user)}


def incidents_seen(world: WorldSpec, user: int) -> Seen:
    roles = world.users[user].roles
    if not roles & {Role.REPORTER, Role.WPA, Role.SENIOR_WPA, Role.ANALYST}:
        return FORBIDDEN
    offices, missions = world.offices_of(user), _missions(world, user)
    seen = set()
    for i, incident in enumerate(world.incidents):
        in_office, in_mission = incident.office in offices, mission_of(incident.office) in missions
        own = roles & LOGGERS and incident.reporter == user and in_office
        if own and (not incident.sea or not incident.submitted):
            seen.add(i)
        if not incident.submitted:
            continue
        if roles & {Role.REPORTER, Role.WPA} and in_office and not incident.sea:
            seen.add(i)
        if Role.SENIOR_WPA in roles and in_mission:
            seen.add(i)
        if Role.ANALYST in roles and in_mission and not incident.sea:
            seen.add(i)
    return seen


def _grants(case: CaseSpec) -> set[int]:
    return set() if case.erased_by is not None else case.grants  # erasure ends every grant


def identifies(world: WorldSpec, user: int, case: CaseSpec) -> bool:
    """May `user` read the case's identifying fields (assigned, registered, granted)?"""
    roles = world.users[user].roles
    missions = _missions(world, user)
    if mission_of(case.office) not in missions:
        return False
    senior = Role.SENIOR_WPA in roles
    own_scope = senior or case.office in world.offices_of(user)
    if roles & {Role.WPA, Role.SENIOR_WPA} and case.assignee == user and own_scope:
        return True
    if roles & LOGGERS and case.registrar == user and case.assignee is None and own_scope:
        return True
    return bool(roles & {Role.WPA, Role.REPORTER}) and user in _grants(case)


def cases_seen(world: WorldSpec, user: int) -> Seen:
    roles = world.users[user].roles
    if not roles & {Role.REPORTER, Role.WPA, Role.SENIOR_WPA}:
        return FORBIDDEN
    missions = _missions(world, user)
    return {
        i
        for i, case in enumerate(world.cases)
        if (Role.SENIOR_WPA in roles and mission_of(case.office) in missions) or identifies(world, user, case)
    }


def search_found(world: WorldSpec, user: int, name: str) -> Seen:
    if cases_seen(world, user) is FORBIDDEN:
        return FORBIDDEN
    return {
        i
        for i, case in enumerate(world.cases)
        if case.name == name and case.erased_by is None and identifies(world, user, case)
    }


def referrals_seen(world: WorldSpec, user: int) -> Seen:
    spec = world.users[user]
    if not spec.roles & {Role.WPA, Role.SENIOR_WPA, Role.PROVIDER}:
        return FORBIDDEN
    missions = _missions(world, user)
    seen = set()
    for i, referral in enumerate(world.referrals):
        case = world.cases[referral.case]
        if Role.SENIOR_WPA in spec.roles and mission_of(case.office) in missions:
            seen.add(i)
        if spec.roles & {Role.WPA, Role.SENIOR_WPA} and identifies(world, user, case):
            seen.add(i)
        if Role.PROVIDER in spec.roles and spec.organisation == referral.organisation and referral.sent:
            seen.add(i)
    return seen
