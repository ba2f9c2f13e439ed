"""Demo incidents: a few hundred realistic ones over 18 months, in every state (development).

`incidents_demo_ensure()` is called by `manage.py bootstrap --demo`, after the demo mission,
offices and users exist. Everything goes through the real services (create, submit, assign,
return, verify, reopen), each step with the clock set to its day, so references, history and
derived values are what production would hold. No survivor names anywhere: narratives are
short and generic. Deterministic (a seeded random generator).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from crsv.accounts.models import FieldOffice, Membership, Mission, User
from crsv.accounts.roles import Role
from incidents import clock, services
from incidents.locations import locations_load_csv
from incidents.models import Incident, Location, PartyToConflict, Perpetrator, Violation
from incidents.seed_parties import parties_ensure
from incidents.services import IncidentFields, PerpetratorData, ViolationData

LOCATIONS_CSV = Path(__file__).resolve().parent / "data" / "locations_drc_east.csv"
MISSION = "MONUSCO"
SEED = 20260101
DAYS_BACK = 548  # 18 months

# Per office: province p-code, share of incidents, reporter, WPA.
OFFICES = {
    "GOM": ("CD61", 45, "reporter", "wpa"),
    "BUN": ("CD54", 30, "reporter_bunia", "wpa_bunia"),
    "BKV": ("CD62", 25, "reporter_bukavu", "wpa_bukavu"),
}
EXTRA_USERS = [
    # (username, first name, last name, role, office): staff, not survivors.
    ("reporter_bunia", "Jeanne", "Masika", Role.REPORTER, "BUN"),
    ("reporter_bukavu", "Aline", "Furaha", Role.REPORTER, "BKV"),
    ("wpa_bukavu", "Nadine", "Chishibanji", Role.WPA, "BKV"),
]
# Armed actors active per province: (party name, MARA category).
NSAG, STATE, POLICE, MILITIA = (
    Perpetrator.Category.NON_STATE_ARMED_GROUP,
    Perpetrator.Category.STATE_ARMED_FORCES,
    Perpetrator.Category.NATIONAL_POLICE,
    Perpetrator.Category.PRO_GOVERNMENT_MILITIA,
)
_STATE_ACTORS = [("FARDC", STATE), ("FARDC", STATE), ("PNC", POLICE)]
ARMED_ACTORS = {
    "CD61": [
        ("M23/AFC", NSAG), ("M23/AFC", NSAG), ("ADF", NSAG), ("FDLR", NSAG), ("Nyatura", NSAG),
        ("NDC-R", NSAG), ("Mai-Mai (other groups)", NSAG), ("Wazalendo", MILITIA), *_STATE_ACTORS,
    ],
    "CD54": [
        ("CODECO", NSAG), ("CODECO", NSAG), ("ADF", NSAG), ("FRPI", NSAG), ("Zaïre", NSAG),
        *_STATE_ACTORS,
    ],
    "CD62": [
        ("Raia Mutomboki", NSAG), ("Twirwaneho", NSAG), ("Mai-Mai Yakutumba", NSAG),
        ("M23/AFC", NSAG), ("Mai-Mai (other groups)", NSAG), ("Wazalendo", MILITIA),
        *_STATE_ACTORS,
    ],
}  # fmt: skip
CONTEXT_PHRASES = {
    Incident.Context.ATTACK_ON_LOCALITY: "during an attack on the locality",
    Incident.Context.CHECKPOINT: "at a checkpoint on the road to the market",
    Incident.Context.ABDUCTION: "after an abduction on the way to the fields",
    Incident.Context.IDP_SITE: "near the displacement site while collecting firewood",
    Incident.Context.FLIGHT: "while the household was fleeing fighting",
    Incident.Context.DETENTION: "during a period of detention",
    Incident.Context.MILITARY_OPERATION: "during a military operation in the area",
    Incident.Context.OTHER: "in circumstances still being established",
}
FOLLOW_UPS = [
    "Medical care was offered within 72 hours.",
    "A referral for psychosocial support was discussed.",
    "Details are to be confirmed at a follow-up interview.",
    "Community leaders report further incidents in the area.",
    "The survivor was accompanied to a health facility.",
]


def _weighted(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class _Cast:
    """The people and places the demo uses, loaded once."""

    offices: dict[str, FieldOffice]
    reporters: dict[str, User]
    wpas: dict[str, User]
    senior: User
    places: dict[str, list[Location]]  # by province p-code: admin 2 and 3 within it
    parties: dict[str, PartyToConflict]


def _extra_users_ensure(offices: dict[str, FieldOffice]) -> None:
    """Per-office demo users, as `bootstrap --demo` creates the others."""
    password = settings.CRSV_DEMO_PASSWORD
    for username, first, last, role, office in EXTRA_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@monusco.example.org",
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        Membership.objects.get_or_create(user=user, field_office=offices[office])


def _cast(mission: Mission) -> _Cast:
    offices = {o.code: o for o in FieldOffice.objects.filter(mission=mission, code__in=OFFICES)}
    missing = set(OFFICES) - set(offices)
    if missing:
        raise ImproperlyConfigured(
            f"Demo offices missing ({', '.join(sorted(missing))}): run bootstrap --demo."
        )
    _extra_users_ensure(offices)
    usernames = {name for _, _, reporter, wpa in OFFICES.values() for name in (reporter, wpa)}
    users = {u.username: u for u in User.objects.filter(username__in=[*usernames, "senior_wpa"])}
    if len(users) != len(usernames) + 1:
        raise ImproperlyConfigured("Demo users missing: run manage.py bootstrap --demo first.")
    places: dict[str, list[Location]] = {}
    for location in Location.objects.filter(admin_level__in=(2, 3)).select_related("parent__parent"):
        province = location.ancestor_at_level(1).pcode
        places.setdefault(province, []).append(location)
    return _Cast(
        offices=offices,
        reporters={code: users[spec[2]] for code, spec in OFFICES.items()},
        wpas={code: users[spec[3]] for code, spec in OFFICES.items()},
        senior=users["senior_wpa"],
        places=places,
        parties={party.name: party for party in PartyToConflict.objects.all()},
    )


def _perpetrators(rng: random.Random, cast: _Cast, province: str) -> list[PerpetratorData]:
    category = _weighted(
        rng,
        [("armed", 75), (Perpetrator.Category.UNIDENTIFIED_ARMED_MEN, 13),
         (Perpetrator.Category.CIVILIANS, 8), (Perpetrator.Category.UNKNOWN, 2),
         (Perpetrator.Category.UN_PERSONNEL, 2)],
    )  # fmt: skip
    party = None
    if category == "armed":
        name, category = rng.choice(ARMED_ACTORS[province])
        party = cast.parties[name]
    civilian = category == Perpetrator.Category.CIVILIANS
    rows = [
        PerpetratorData(
            category=category,
            count=None if rng.random() < 0.2 else (1 if civilian else rng.randint(1, 6)),
            sex=Perpetrator.Sex.MALE if rng.random() < 0.9 else Perpetrator.Sex.UNKNOWN,
            age_group=Perpetrator.AgeGroup.ADULT if rng.random() < 0.85 else Perpetrator.AgeGroup.UNKNOWN,
            party=party,
            relationship=(
                rng.choice([Perpetrator.Relationship.ACQUAINTANCE, Perpetrator.Relationship.COMMUNITY_MEMBER])
                if civilian
                else Perpetrator.Relationship.NO_RELATION
            ),
            unit="Unit deployed in the area (reported)" if party and rng.random() < 0.15 else "",
        )
    ]
    return rows


def _violations(rng: random.Random) -> list[ViolationData]:
    forms = Violation.Form
    first = _weighted(
        rng,
        [(forms.RAPE, 72), (forms.SEXUAL_SLAVERY, 8), (forms.OTHER_SEXUAL_VIOLENCE, 9),
         (forms.FORCED_MARRIAGE, 5), (forms.TRAFFICKING, 2), (forms.FORCED_PROSTITUTION, 2),
         (forms.FORCED_PREGNANCY, 1), (forms.FORCED_ABORTION, 1)],
    )  # fmt: skip
    chosen = [first]
    if rng.random() < 0.18:
        second = rng.choice([forms.SEXUAL_SLAVERY, forms.FORCED_MARRIAGE, forms.OTHER_SEXUAL_VIOLENCE])
        if second != first:
            chosen.append(second)
    return [ViolationData(form=form) for form in chosen]


def _gbvims_and_tallies(rng: random.Random, violations: list[ViolationData], fields: IncidentFields) -> None:
    """GBVIMS answers consistent with the violations, and the survivors counted."""
    forms = {row.form for row in violations}
    penetrative = bool(forms & {"rape", "sexual_slavery", "forced_prostitution", "forced_pregnancy"})
    fields["gbvims_penetration"] = penetrative
    fields["gbvims_sexual_contact"] = not penetrative and bool(
        forms & {"other_sexual_violence", "trafficking"}
    )
    fields["gbvims_physical_assault"] = rng.random() < 0.4
    fields["gbvims_forced_marriage"] = "forced_marriage" in forms
    fields["gbvims_denial_of_resources"] = rng.random() < 0.05
    fields["gbvims_psychological_abuse"] = rng.random() < 0.6
    if rng.random() < 0.1:  # an attack with several survivors
        fields["tally_women"] = rng.randint(2, 12)
        fields["tally_girls"] = rng.randint(0, 6)
        return
    who = _weighted(rng, [("women", 55), ("girls", 35), ("men", 5), ("boys", 3), ("unknown_sex", 2)])
    if who == "women":
        fields["tally_women"] = 1
    elif who == "girls":
        fields["tally_girls"] = 1
    elif who == "men":
        fields["tally_men"] = 1
    elif who == "boys":
        fields["tally_boys"] = 1
    else:
        fields["tally_unknown_sex"] = 1


def _incident_fields(rng: random.Random, cast: _Cast, office: str, reported_on: date) -> IncidentFields:
    delay = _weighted(rng, [((0, 3), 45), ((4, 5), 10), ((6, 14), 15), ((15, 30), 12), ((31, 300), 18)])
    start = reported_on - timedelta(days=rng.randint(*delay))
    precision = _weighted(rng, [("day", 75), ("month", 12), ("range", 13)])
    end = min(start + timedelta(days=rng.randint(1, 20)), reported_on) if precision == "range" else None
    location: Location = rng.choice(cast.places[OFFICES[office][0]])
    latitude, longitude = location.latitude, location.longitude
    if latitude is None or longitude is None or rng.random() < 0.6:
        latitude = longitude = None  # the exact point is known for some incidents only
    else:
        latitude += Decimal(rng.randint(-200, 200)) / 10000
        longitude += Decimal(rng.randint(-200, 200)) / 10000
    context = rng.choice(list(CONTEXT_PHRASES))
    source = _weighted(
        rng,
        [("survivor", 30), ("witness", 10), ("community_alert_network", 15), ("cla", 15), ("patrol", 8),
         ("unpol", 5), ("health_facility", 10), ("ngo", 5), ("media", 2)],
    )  # fmt: skip
    return {
        "source_channel": source,
        "reported_on": reported_on,
        "date_precision": precision,
        "incident_date_start": start,
        "incident_date_end": end,
        "time_of_day": rng.choice(Incident.TimeOfDay.values),
        "location": location,
        "latitude": latitude,
        "longitude": longitude,
        "location_type": rng.choice(Incident.LocationType.values),
        "displacement_stage": rng.choice(Incident.DisplacementStage.values),
        "conflict_nexus": rng.choice(Incident.ConflictNexus.values),
        "context": context,
        "narrative": (
            f"Reported by a {Incident.SourceChannel(source).label.lower()} source: sexual violence "
            f"by armed men {CONTEXT_PHRASES[context]}. {rng.choice(FOLLOW_UPS)}"
        ),
    }


def _final_state(rng: random.Random, days_ago: int) -> str:
    if days_ago < 7:
        table = [("draft", 30), ("submitted", 40), ("under_review", 30)]
    elif days_ago < 30:
        table = [("draft", 5), ("submitted", 15), ("under_review", 35), ("returned", 10), ("closed", 35)]
    else:
        table = [("submitted", 3), ("under_review", 9), ("returned", 4), ("closed", 80), ("reopened", 4)]
    return str(_weighted(rng, table))


class _Timeline:
    """Moments of one incident's life, in order and never after the real now."""

    def __init__(self, start: datetime, limit: datetime) -> None:
        self.moment, self.limit = start, limit

    def after(self, rng: random.Random, low_days: int, high_days: int) -> datetime:
        step = timedelta(days=rng.randint(low_days, high_days), hours=rng.randint(1, 8))
        self.moment = min(self.moment + step, self.limit)
        return self.moment


def _one_incident(rng: random.Random, cast: _Cast, created: datetime, limit: datetime) -> None:
    office = _weighted(rng, [(code, spec[1]) for code, spec in OFFICES.items()])
    field_office = cast.offices[office]
    local_day = clock.office_date(field_office, created)
    days_ago = (clock.office_date(field_office, limit) - local_day).days
    timeline = _Timeline(created, limit)
    reporter, state = cast.reporters[office], _final_state(rng, days_ago)
    violations, perpetrators = _violations(rng), _perpetrators(rng, cast, OFFICES[office][0])
    fields = _incident_fields(rng, cast, office, local_day)
    _gbvims_and_tallies(rng, violations, fields)
    with clock.clock_frozen_at(timeline.moment):
        incident = services.incident_create(
            actor=reporter,
            field_office=field_office,
            violations=violations,
            perpetrators=perpetrators,
            **fields,
        )
        if state == "draft":
            return
        incident = services.incident_submit(actor=reporter, incident=incident)
    if state == "submitted":
        return
    reviewer = cast.senior if incident.is_sea else cast.wpas[office]
    if state == "returned" or (state == "closed" and rng.random() < 0.1):
        with clock.clock_frozen_at(timeline.after(rng, 1, 6)):
            incident = services.incident_return(
                actor=reviewer, incident=incident, reason="Please complete the location and the timeline."
            )
        if state == "returned":
            return
        with clock.clock_frozen_at(timeline.after(rng, 1, 4)):
            incident = services.incident_submit(actor=reporter, incident=incident)
    with clock.clock_frozen_at(timeline.after(rng, 0, 5)):
        incident = services.incident_assign(actor=reviewer, incident=incident, assignee=reviewer)
    if state == "under_review":
        return
    moment = timeline.after(rng, 2, 60)
    with clock.clock_frozen_at(moment):
        incident = services.incident_verify(
            actor=reviewer,
            incident=incident,
            outcome=_weighted(rng, [("verified", 65), ("could_not_be_verified", 25), ("did_not_occur", 10)]),
            method=rng.choice(Incident.VerificationMethod.values),
            verified_on=clock.office_date(field_office, moment),
        )
    if state == "reopened":
        with clock.clock_frozen_at(timeline.after(rng, 5, 30)):
            services.incident_reopen(
                actor=cast.senior, incident=incident, reason="New information from a second source."
            )


def _created_at(rng: random.Random, today: datetime, limit: datetime) -> datetime:
    """A moment in the last 18 months, denser in recent months (as reporting grew with the
    fighting), in office hours: 05:00-15:00 UTC is 07:00-17:00 in the Kivus and Ituri."""
    days_ago = int(DAYS_BACK * rng.random() ** 1.6)
    moment = today - timedelta(days=days_ago) + timedelta(seconds=rng.randint(5 * 3600, 15 * 3600))
    return min(moment, limit)


@transaction.atomic
def incidents_demo_ensure(*, count: int = 300) -> int:
    """Create `count` demo incidents unless the demo mission already has incidents.

    Loads the eastern-DRC locations and the parties first (both idempotent). Returns the
    number of incidents created (0 when there were some already).
    """
    mission = Mission.objects.filter(code=MISSION).first()
    if mission is None:
        raise ImproperlyConfigured("The demo mission is missing: run manage.py bootstrap --demo.")
    locations_load_csv(LOCATIONS_CSV)
    parties_ensure()
    if Incident.objects.filter(mission=mission).exists():
        return 0
    cast = _cast(mission)
    rng = random.Random(SEED)  # noqa: S311  (demo data, not security)
    limit = timezone.now() - timedelta(minutes=1)
    today = limit.replace(hour=0, minute=0, second=0, microsecond=0)
    moments = sorted(_created_at(rng, today, limit) for _ in range(count))
    for created in moments:  # in time order, so references number in order of submission
        _one_incident(rng, cast, created, limit)
    return count
