"""Two users of the provider accepting at once: one wins, the other is told it is too late."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections

from crsv.accounts.models import User
from incidents.exceptions import TransitionNotAllowed
from referrals.models import Referral, ReferralEvent
from referrals.services import referral_transition
from survivors.models import Consent, Survivor


@pytest.mark.django_db(transaction=True)
def test_two_providers_accept_at_once_one_wins(
    case: Survivor,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
    provider: User,
    colleague: User,
) -> None:
    consent(case)
    referral = refer(case, send=True)
    start = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def accept(user_pk: int) -> None:
        try:
            actor = User.objects.get(pk=user_pk)  # this thread's own connection
            start.wait(timeout=30)
            referral_transition(user=actor, referral=referral, action="accept")
            with lock:
                outcomes.append("accepted")
        except TransitionNotAllowed:
            with lock:
                outcomes.append("too late")
        except BaseException as error:  # re-raised in the test's thread
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(user.pk,)) for user in (provider, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == ["accepted", "too late"]
    assert Referral.objects.get(pk=referral.pk).state == Referral.State.ACCEPTED
    assert ReferralEvent.objects.filter(referral=referral, action="accept").count() == 1
