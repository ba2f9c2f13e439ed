"""Random worlds for the property-based scope test (test_property_scope.py): a Hypothesis
strategy that draws a plain description (`WorldSpec`: who holds which roles and offices, who
logged which incident, registered, was assigned and granted which case, referred it where,
erased it, and which memberships were removed afterwards), and `world_build`, which makes it
through the real services.

The description is plain data on purpose: the oracle (scope_oracle.py) reads it, never the
database, so that the list endpoints are compared with what DESIGN §3 says, not with the
selectors' own queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from crsv.accounts.roles import Role

# Two missions, three offices: two in MONUSCO (Goma, Bunia), one in MINUSCA (Bangui).
OFFICES: tuple[tuple[str, str], ...] = (("MONUSCO", "GOM"), ("MONUSCO", "BUN"), ("MINUSCA", "BGF"))
NAMES = ("Esperance Kavira", "Amani Kahindo")
CASE_WORKERS = frozenset({Role.REPORTER, Role.WPA, Role.SENIOR_WPA})
ROLES = (Role.REPORTER, Role.WPA, Role.SENIOR_WPA, Role.ANALYST, Role.PROVIDER)


def mission_of(office: int) -> str:
    return OFFICES[office][0]


@dataclass
class UserSpec:
    roles: frozenset[str]
    offices: set[int]  # the memberships she is created with
    organisation: int | None = None  # the provider organisation she works for


@dataclass
class IncidentSpec:
    reporter: int
    office: int
    submitted: bool
    sea: bool  # a UN-personnel perpetrator: the SEA track


@dataclass
class CaseSpec:
    registrar: int
    office: int
    name: str
    assignee: int | None  # after registration (and a senior WPA's assignment, if any)
    reassigned_by: int | None = None
    grants: set[int] = field(default_factory=set)
    granted_by: int | None = None
    erased_by: int | None = None


@dataclass
class ReferralSpec:
    case: int
    organisation: int
    sent: bool


@dataclass
class WorldSpec:
    users: list[UserSpec]
    organisations: list[set[int]]  # the offices each provider organisation serves
    incidents: list[IncidentSpec]
    cases: list[CaseSpec]
    referrals: list[ReferralSpec]
    removals: list[tuple[int, int]]  # (user, office): memberships removed at the end

    def offices_of(self, user: int) -> set[int]:
        """Her memberships at the end (what her next request is scoped by)."""
        removed = {office for who, office in self.removals if who == user}
        return self.users[user].offices - removed


def _holding(users: list[UserSpec], roles: set[str], office: int | None = None) -> list[int]:
    return [
        i
        for i, user in enumerate(users)
        if user.roles & roles and user.offices and (office is None or office in user.offices)
    ]


def _seniors_of(users: list[UserSpec], mission: str) -> list[int]:
    return [
        i
        for i, user in enumerate(users)
        if Role.SENIOR_WPA in user.roles and any(mission_of(o) == mission for o in user.offices)
    ]


def _maybe(draw: Any, options: list[int]) -> int | None:
    return draw(st.none() | st.sampled_from(options)) if options else None


def _case(draw: Any, users: list[UserSpec]) -> CaseSpec | None:
    registrars = _holding(users, set(CASE_WORKERS))
    if not registrars:
        return None
    registrar = draw(st.sampled_from(registrars))
    office = draw(st.sampled_from(sorted(users[registrar].offices)))
    holds = users[registrar].roles & {Role.WPA, Role.SENIOR_WPA}
    case = CaseSpec(registrar=registrar, office=office, name=draw(st.sampled_from(NAMES)), assignee=None)
    case.assignee = registrar if holds else None
    seniors = _seniors_of(users, mission_of(office))
    senior = _maybe(draw, seniors)
    if senior is None:
        return case
    assignees = _holding(users, {Role.WPA, Role.SENIOR_WPA}, office)
    if assignees and draw(st.booleans()):
        case.assignee, case.reassigned_by = draw(st.sampled_from(assignees)), senior
    grantees = [
        i
        for i, user in enumerate(users)
        if user.roles & {Role.WPA, Role.REPORTER}
        and any(mission_of(o) == mission_of(office) for o in user.offices)
    ]
    if grantees:
        case.grants = draw(st.sets(st.sampled_from(grantees), max_size=2))
        case.granted_by = senior if case.grants else None
    return case


@st.composite
def worlds(draw: Any, *, max_users: int = 6) -> WorldSpec:
    """A world of up to `max_users` users and a few of each object, every step valid."""
    office_ids = st.sets(st.sampled_from(range(len(OFFICES))), max_size=2)
    organisations = draw(
        st.lists(st.sets(st.sampled_from(range(len(OFFICES))), min_size=1), min_size=1, max_size=2)
    )
    users = [
        UserSpec(roles=frozenset(draw(st.sets(st.sampled_from(ROLES), max_size=2))), offices=draw(office_ids))
        for _ in range(draw(st.integers(min_value=3, max_value=max_users)))
    ]
    for user in users:
        if Role.PROVIDER in user.roles:
            user.organisation = _maybe(draw, list(range(len(organisations))))
    incidents = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        reporters = _holding(users, set(CASE_WORKERS))
        if not reporters:
            break
        reporter = draw(st.sampled_from(reporters))
        incidents.append(
            IncidentSpec(
                reporter=reporter,
                office=draw(st.sampled_from(sorted(users[reporter].offices))),
                submitted=draw(st.booleans()),
                sea=draw(st.booleans()),
            )
        )
    cases = [c for c in (_case(draw, users) for _ in range(draw(st.integers(1, 5)))) if c is not None]
    referrals = []
    for index, case in enumerate(cases):
        serving = [i for i, offices in enumerate(organisations) if case.office in offices]
        if case.assignee is not None and serving and draw(st.booleans()):
            referrals.append(
                ReferralSpec(
                    case=index, organisation=draw(st.sampled_from(serving)), sent=draw(st.booleans())
                )
            )
    for case in cases:
        seniors = _seniors_of(users, mission_of(case.office))
        if seniors and draw(st.integers(0, 3)) == 0:
            case.erased_by = draw(st.sampled_from(seniors))
    members = [(i, office) for i, user in enumerate(users) for office in sorted(user.offices)]
    removals = draw(st.lists(st.sampled_from(members), max_size=2, unique=True)) if members else []
    return WorldSpec(users, organisations, incidents, cases, referrals, removals)


@dataclass
class World:
    """What `world_build` made: the users (by the spec's index) and each object's public id."""

    users: list[Any]
    incidents: list[str]
    cases: list[str]
    referrals: list[str]


def world_build(spec: WorldSpec) -> World:
    """Make `spec` through the real services, in order: users (`user_create`, by an admin),
    incidents, cases (registered, assigned, granted), referrals (consented, then drafted or
    sent), erasures, and last the membership removals (`user_access_change`)."""
    from crsv.accounts.models import User
    from crsv.accounts.services import user_access_change, user_create
    from referrals.models import ProviderMembership, ServiceProvider
    from referrals.services import referral_create
    from survivors.identity import SurvivorIdentity
    from survivors.models import Consent, Survivor
    from survivors.services import (
        SurvivorProfile,
        survivor_assign,
        survivor_erase,
        survivor_grant,
        survivor_register,
    )
    from tests.factories import FieldOfficeFactory, MissionFactory, UserFactory
    from tests.incidents.factories import UN_PERPETRATOR, LocationFactory, incident_in_state
    from tests.matrix_positions import consent_give

    offices = [
        FieldOfficeFactory(mission=MissionFactory(code=mission, name=mission), code=code, name=code)
        for mission, code in OFFICES
    ]
    admin = UserFactory(username="scope_admin", roles=[Role.ADMIN], offices=[offices[0]])
    organisations = []
    for i, served in enumerate(spec.organisations):
        organisation = ServiceProvider.objects.create(name=f"Organisation {i}", service_types=["medical"])
        organisation.field_offices.set([offices[o] for o in served])
        organisations.append(organisation)
    users: list[Any] = []
    for i, user_spec in enumerate(spec.users):
        user = user_create(
            actor=admin,
            user=User(username=f"u{i}", email=f"u{i}@example.org"),
            roles=user_spec.roles,
            offices=[offices[o] for o in sorted(user_spec.offices)],
        )
        if user_spec.organisation is not None:
            ProviderMembership.objects.create(user=user, provider=organisations[user_spec.organisation])
        users.append(User.objects.get(pk=user.pk))  # her roles and offices read afresh
    location = LocationFactory(pcode="CD61", name="Nord-Kivu", admin_level=1)
    incidents = []
    for incident in spec.incidents:
        reporter = users[incident.reporter]
        office = offices[incident.office]
        extra: dict[str, Any] = {"field_office": office}
        if incident.sea:
            extra["perpetrators"] = UN_PERPETRATOR
        made = incident_in_state(
            "submitted" if incident.submitted else "draft",
            reporter=reporter,
            reviewer=reporter,
            location=location,
            **extra,
        )
        incidents.append(str(made.public_id))
    cases: list[Any] = []
    for case in spec.cases:
        survivor = survivor_register(
            actor=users[case.registrar],
            field_office=offices[case.office],
            identity=SurvivorIdentity(name=case.name),
            profile=SurvivorProfile(sex=Survivor.Sex.FEMALE, age=30),
        )
        if case.reassigned_by is not None and case.assignee is not None:
            survivor_assign(actor=users[case.reassigned_by], survivor=survivor, assignee=users[case.assignee])
        for grantee in sorted(case.grants):
            assert case.granted_by is not None
            survivor_grant(actor=users[case.granted_by], survivor=survivor, grantee=users[grantee])
        cases.append(survivor)
    referrals = []
    for referral in spec.referrals:
        case = spec.cases[referral.case]
        assert case.assignee is not None
        actor, survivor = users[case.assignee], cases[referral.case]
        consent_give(actor, survivor, Consent.Purpose.REFERRAL, service_type="medical")
        made = referral_create(
            actor=actor,
            survivor=survivor,
            provider=organisations[referral.organisation],
            service_type="medical",
            urgency="routine",
            send=referral.sent,
        )
        referrals.append(str(made.public_id))
    for case, survivor in zip(spec.cases, cases, strict=True):
        if case.erased_by is not None:
            survivor_erase(actor=users[case.erased_by], survivor=survivor, reason="survivor_request")
    for who in sorted({who for who, _office in spec.removals}):
        user = User.objects.get(pk=users[who].pk)
        user_access_change(
            actor=admin,
            user=user,
            roles=spec.users[who].roles,
            offices=[offices[o] for o in sorted(spec.offices_of(who))],
            is_active=True,
        )
    fresh = [User.objects.get(pk=user.pk) for user in users]
    return World(
        users=fresh, incidents=incidents, cases=[str(c.public_id) for c in cases], referrals=referrals
    )
