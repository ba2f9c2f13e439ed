"""Every move of the workflow table, allowed and refused, for each role (issue 10 item 3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test.utils import override_settings

from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from incidents.exceptions import TransitionNotAllowed
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_transition
from referrals.workflow import MOVES, TRANSITIONS
from survivors.models import Consent, Survivor

pytestmark = pytest.mark.django_db
S = Referral.State
A = ReferralEvent.Action

# The moves that lead to each state from a fresh draft (by the actor who may take them).
PATHS: dict[str, list[str]] = {
    S.DRAFT: [],
    S.SENT: [A.SEND],
    S.ACCEPTED: [A.SEND, A.ACCEPT],
    S.DECLINED: [A.SEND, A.DECLINE],
    S.IN_PROGRESS: [A.SEND, A.ACCEPT, A.START],
    S.COMPLETED: [A.SEND, A.ACCEPT, A.COMPLETE],
    S.CANCELLED: [A.CANCEL],
}
DATA = {A.DECLINE: {"reason": "No bed tonight."}, A.CANCEL: {"reason": "Moved away."}}


@pytest.fixture
def in_state(
    case: Survivor, consent: Callable[..., Consent], refer: Callable[..., Referral], wpa: User, provider: User
) -> Callable[[str], Referral]:
    consent(case)

    def make(state: str) -> Referral:
        referral = refer(case, note="Needs PEP.")
        for action in PATHS[state]:
            actor = provider if TRANSITIONS[action].who == "provider" else wpa
            referral = referral_transition(
                user=actor, referral=referral, action=action, data=DATA.get(action)
            )
        assert referral.state == state
        return referral

    return make


@pytest.mark.parametrize("action", MOVES)
@pytest.mark.parametrize("state", list(PATHS))
def test_each_move_from_each_state(
    in_state: Callable[[str], Referral], wpa: User, senior_wpa: User, provider: User, action: str, state: str
) -> None:
    """The allowed actor moves it where the table says from its sources, and gets 409 elsewhere."""
    referral = in_state(state)
    transition = TRANSITIONS[action]
    actor = provider if transition.who == "provider" else (senior_wpa if action == A.CANCEL else wpa)
    if state not in transition.sources:
        if transition.who == "provider" and state == S.DRAFT:
            with pytest.raises(Http404):  # a provider never sees a draft
                referral_transition(user=actor, referral=referral, action=action, data=DATA.get(action))
            return
        with pytest.raises(TransitionNotAllowed):
            referral_transition(user=actor, referral=referral, action=action, data=DATA.get(action))
        assert Referral.objects.get(pk=referral.pk).state == state
        return
    moved = referral_transition(user=actor, referral=referral, action=action, data=DATA.get(action))
    assert moved.state == transition.target
    event = moved.events.order_by("-id").first()
    assert event is not None
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        action,
        state,
        transition.target,
        actor,
    )
    assert AuditEvent.objects.filter(action=f"referral.{action}", object_public_id=moved.public_id).exists()


@pytest.mark.parametrize("action", [A.ACCEPT, A.DECLINE, A.START, A.COMPLETE])
def test_case_workers_may_not_answer_for_the_provider(
    in_state: Callable[[str], Referral], wpa: User, senior_wpa: User, action: str
) -> None:
    referral = in_state(S.ACCEPTED if action in (A.START, A.COMPLETE) else S.SENT)
    for actor in (wpa, senior_wpa):
        with pytest.raises(PermissionDenied):
            referral_transition(user=actor, referral=referral, action=action, data=DATA.get(action))


@pytest.mark.parametrize("action", [A.SEND, A.CANCEL])
def test_providers_may_not_send_or_cancel(
    in_state: Callable[[str], Referral], provider: User, action: str
) -> None:
    referral = in_state(S.SENT)
    with pytest.raises(PermissionDenied):
        referral_transition(user=provider, referral=referral, action=action, data=DATA.get(action))


@pytest.mark.parametrize(
    "persona", ["wpa_other", "analyst", "admin_user", "reporter", "clinic_user", "outsider"]
)
def test_out_of_scope_is_404(
    in_state: Callable[[str], Referral], request: pytest.FixtureRequest, persona: str
) -> None:
    referral = in_state(S.SENT)
    user = request.getfixturevalue(persona)
    for action in MOVES:
        with pytest.raises(Http404):
            referral_transition(user=user, referral=referral, action=action, data=DATA.get(action))


def test_revoke_and_unknown_actions_are_refused(in_state: Callable[[str], Referral], wpa: User) -> None:
    referral = in_state(S.SENT)
    for action in (A.REVOKE, "delete"):
        with pytest.raises(ValidationError) as caught:
            referral_transition(user=wpa, referral=referral, action=action)
        assert "action" in caught.value.message_dict


@pytest.mark.parametrize(("action", "state"), [(A.DECLINE, S.SENT), (A.CANCEL, S.SENT)])
def test_reason_required(
    in_state: Callable[[str], Referral], wpa: User, provider: User, action: str, state: str
) -> None:
    referral = in_state(state)
    actor = provider if action == A.DECLINE else wpa
    for data in ({}, {"reason": "   "}, {"reason": "x" * 5001}):
        with pytest.raises(ValidationError) as caught:
            referral_transition(user=actor, referral=referral, action=action, data=data)
        assert list(caught.value.message_dict) == ["reason"]
    assert Referral.objects.get(pk=referral.pk).state == state


def test_reasons_and_outcome_are_encrypted_and_readable(
    in_state: Callable[[str], Referral], provider: User, wpa: User
) -> None:
    declined = in_state(S.DECLINED)
    stored = Referral.objects.get(pk=declined.pk)
    assert stored.reason == "No bed tonight."
    assert b"No bed" not in bytes(stored.reason_ct or b"")
    referral = in_state(S.ACCEPTED)
    done = referral_transition(
        user=provider, referral=referral, action=A.COMPLETE, data={"outcome": "PEP given."}
    )
    assert Referral.objects.get(pk=done.pk).outcome == "PEP given."
    assert Referral.objects.get(pk=done.pk).note == "Needs PEP."


@override_settings(
    REFERRAL_DUE={"emergency": timedelta(hours=2), "high": timedelta(hours=24), "routine": timedelta(days=7)}
)
def test_due_time_counts_from_sending_by_urgency(
    case: Survivor, consent: Callable[..., Consent], refer: Callable[..., Referral]
) -> None:
    consent(case)
    emergency = refer(case, send=True)
    assert emergency.sent_at is not None
    assert emergency.due_at - emergency.sent_at == timedelta(hours=2)
    routine = refer(case, urgency=Referral.Urgency.ROUTINE, send=True)
    assert routine.sent_at is not None
    assert routine.due_at - routine.sent_at == timedelta(days=7)


def test_references_count_per_office_and_year(case: Survivor, refer: Callable[..., Referral]) -> None:
    first, second = refer(case), refer(case)
    year = first.created_at.year
    assert first.reference == f"MONUSCO-GOM-{year}-R-00001"
    assert second.reference == f"MONUSCO-GOM-{year}-R-00002"
