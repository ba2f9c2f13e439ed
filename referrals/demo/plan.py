"""The demo referrals: which case goes to which provider, and how far each goes (development)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F

from crsv.accounts.models import Mission, User
from referrals.demo.directory import EDUCATION, LEGAL, LIVELIHOOD, MED, PSY, SAFETY, provider_user_of
from referrals.models import Referral, ServiceProvider
from referrals.services import referral_create, referral_transition
from survivors.consent import consent_allows, consent_relied_on
from survivors.demo import OFFICES as CASE_OFFICES
from survivors.demo import consent_text_current
from survivors.models import Consent, Survivor
from survivors.services import consent_record, consent_withdraw

State, Urgency = Referral.State, Referral.Urgency


@dataclass(frozen=True)
class _Referral:
    """One demo referral: where it ends, and how."""

    office: str
    provider: str
    service_type: str
    urgency: str
    state: str
    who: str = "adult"  # adult, child, male: the case referred
    overdue_hours: int = 0  # moved back by the due time plus this (see `referral_backdate`)
    named: bool = False  # relies on a consent naming the provider (recorded here)
    shares_contact: bool = False  # a consent to share her safe contact details with the provider
    unsent: bool = False  # cancelled as a draft (a draft is never sent)


ESPOIR, UMOJA, TUJENGE = "Hôpital Espoir de Goma", "Hôpital Umoja de Bunia", "Hôpital Tujenge de Bukavu"
EMERG, HIGH, ROUTINE = Urgency.EMERGENCY, Urgency.HIGH, Urgency.ROUTINE
REFERRALS = [
    _Referral("GOM", ESPOIR, MED, EMERG, State.SENT, overdue_hours=20, named=True, shares_contact=True),
    _Referral("GOM", ESPOIR, MED, HIGH, State.SENT, shares_contact=True),
    _Referral("GOM", ESPOIR, MED, EMERG, State.ACCEPTED, overdue_hours=6),
    _Referral("GOM", ESPOIR, PSY, ROUTINE, State.ACCEPTED),
    _Referral("GOM", ESPOIR, PSY, HIGH, State.IN_PROGRESS, named=True),
    _Referral("GOM", ESPOIR, MED, EMERG, State.COMPLETED, shares_contact=True),
    _Referral("GOM", ESPOIR, MED, HIGH, State.DECLINED),
    _Referral("GOM", ESPOIR, MED, HIGH, State.REVOKED, named=True),
    _Referral("GOM", ESPOIR, PSY, ROUTINE, State.SENT, who="male"),
    _Referral("GOM", ESPOIR, MED, HIGH, State.DRAFT),
    _Referral("GOM", "Centre d'écoute Tumaini", PSY, ROUTINE, State.SENT, who="child", overdue_hours=48),
    _Referral("GOM", "Clinique juridique Haki Sasa", LEGAL, ROUTINE, State.CANCELLED, unsent=True),
    _Referral("GOM", "Maison d'accueil Amani", SAFETY, HIGH, State.DRAFT),
    _Referral("GOM", "Atelier Uzima", LIVELIHOOD, ROUTINE, State.SENT),
    _Referral("BUN", UMOJA, MED, EMERG, State.SENT, overdue_hours=30),
    _Referral("BUN", UMOJA, MED, HIGH, State.ACCEPTED),
    _Referral("BUN", UMOJA, PSY, ROUTINE, State.IN_PROGRESS),
    _Referral("BUN", UMOJA, MED, EMERG, State.COMPLETED),
    _Referral("BUN", UMOJA, PSY, HIGH, State.DECLINED),
    _Referral("BUN", UMOJA, MED, HIGH, State.CANCELLED),
    _Referral("BUN", "Centre Furaha pour enfants", PSY, HIGH, State.SENT, who="child"),
    _Referral("BUN", "Clinique juridique Ituri Haki", LEGAL, ROUTINE, State.DRAFT),
    _Referral("BKV", TUJENGE, MED, EMERG, State.SENT),
    _Referral("BKV", TUJENGE, MED, HIGH, State.ACCEPTED, overdue_hours=12),
    _Referral("BKV", TUJENGE, PSY, ROUTINE, State.IN_PROGRESS, who="child"),
    _Referral("BKV", TUJENGE, MED, EMERG, State.COMPLETED),
    _Referral("BKV", TUJENGE, PSY, HIGH, State.REVOKED, named=True),
    _Referral("BKV", "Centre Jasiri pour hommes survivants", PSY, ROUTINE, State.SENT, who="male"),
    _Referral("BKV", "Refuge Neema", SAFETY, HIGH, State.CANCELLED, unsent=True),
]
NOTES = {
    MED: "Seen at intake; needs post-exposure prophylaxis and emergency contraception assessment.",
    PSY: "Agreed to individual counselling; prefers a woman counsellor.",
    LEGAL: "Wishes to know her options before deciding on a complaint.",
    SAFETY: "Cannot return home for now; needs a place for a few weeks.",
    LIVELIHOOD: "Interested in the tailoring course.",
    EDUCATION: "Back-to-school support after several months away.",
}
# The move that leads to each final state from `sent`, and its inputs, by the provider's user.
PROVIDER_PATH: dict[str, list[tuple[str, dict[str, str]]]] = {
    State.ACCEPTED: [("accept", {})],
    State.DECLINED: [
        ("decline", {"reason": "No capacity for this service this week; please refer elsewhere."})
    ],
    State.IN_PROGRESS: [("accept", {}), ("start", {})],
    State.COMPLETED: [
        ("accept", {}),
        ("start", {}),
        ("complete", {"outcome": "Service given; follow-up agreed."}),
    ],
}


def _grant(wpa: User, survivor: Survivor, purpose: str, **terms: Any) -> Consent:
    child = survivor.is_child
    return consent_record(
        actor=wpa,
        survivor=survivor,
        purpose=purpose,
        given_by=Consent.GivenBy.CAREGIVER if child else Consent.GivenBy.SURVIVOR,
        child_assent=child,
        method=Consent.Method.ORAL_WITNESSED,
        explained_in=Consent.Language.SWAHILI,
        consent_text=consent_text_current(),
        **terms,
    )


class DemoCases:
    """The demo WPAs' cases per office, handed out in turn by kind (adult, child, male)."""

    def __init__(self, mission: Mission) -> None:
        wpas = [username for _count, username in CASE_OFFICES.values()]
        self.by_office: dict[str, list[Survivor]] = {}
        for survivor in (
            Survivor.objects.filter(mission=mission, assigned_wpa__username__in=wpas, erased_at__isnull=True)
            .select_related("field_office", "assigned_wpa", "data_key")
            .order_by("id")
        ):
            self.by_office.setdefault(survivor.field_office.code, []).append(survivor)
        self.turn: dict[tuple[str, str], int] = {}

    def next(self, office: str, who: str) -> Survivor:
        cases = self.by_office.get(office, [])
        kinds = {
            "child": [s for s in cases if s.is_child],
            "male": [s for s in cases if s.sex == Survivor.Sex.MALE and not s.is_child],
            "adult": [s for s in cases if s.sex == Survivor.Sex.FEMALE and not s.is_child],
        }
        chosen = kinds[who] or cases
        if not chosen:
            raise ImproperlyConfigured("No demo cases: the survivors' demo runs before the referrals'.")
        turn = self.turn.get((office, who), 0)
        self.turn[(office, who)] = turn + 1
        return chosen[turn % len(chosen)]


def referral_play(spec: _Referral, survivor: Survivor, users: dict[str, User]) -> Referral:
    wpa = survivor.assigned_wpa
    assert wpa is not None  # the demo WPAs' cases only
    provider = ServiceProvider.objects.get(name=spec.provider)
    named = None
    if spec.named or not consent_allows(
        survivor=survivor, purpose=Consent.Purpose.REFERRAL, service_type=spec.service_type, provider=provider
    ):
        named = _grant(
            wpa, survivor, Consent.Purpose.REFERRAL, service_type=spec.service_type, provider=provider
        )
    if spec.shares_contact:
        _grant(wpa, survivor, Consent.Purpose.SHARE_IDENTIFIABLE, provider=provider)
    referral = referral_create(
        actor=wpa,
        survivor=survivor,
        provider=provider,
        service_type=spec.service_type,
        urgency=spec.urgency,
        incident=survivor.incidents.order_by("id").first(),
        note=NOTES[spec.service_type],
        send=spec.state != State.DRAFT and not spec.unsent,
    )
    if spec.state == State.CANCELLED:
        referral_transition(
            user=wpa,
            referral=referral,
            action="cancel",
            data={"reason": "The survivor chose to wait for now."},
        )
    elif spec.state == State.REVOKED:
        relied_on = consent_relied_on(
            survivor=survivor,
            purpose=Consent.Purpose.REFERRAL,
            service_type=spec.service_type,
            provider=provider,
        )
        assert relied_on is not None and relied_on == named  # a grant naming the provider is preferred
        consent_withdraw(actor=wpa, consent=relied_on)  # revokes the referral, in its transaction
    for action, data in PROVIDER_PATH.get(spec.state, []):
        referral = referral_transition(
            user=provider_user_of(users, provider), referral=referral, action=action, data=data
        )
    referral.refresh_from_db()
    return referral


def referral_backdate(referral: Referral, *, overdue_hours: int) -> None:
    """Move the referral's created, sent and due times back together, so that its due time
    passed `overdue_hours` ago (the services have no way to send in the past)."""
    assert referral.due_at is not None and referral.sent_at is not None
    shift = (referral.due_at - referral.created_at) + timedelta(hours=overdue_hours)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=F("created_at") - shift, sent_at=F("sent_at") - shift, due_at=F("due_at") - shift
    )
