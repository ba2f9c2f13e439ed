"""Two posts of one answer link at once: one uses it, the other finds it used."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections

from referrals.models import Referral, ReferralAnswerLink, ReferralEvent, ServiceProvider
from referrals.services.link_tokens import link_token
from referrals.services.links import AnswerLinkRefused, answer_link_use
from survivors.models import Consent, Survivor


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_once_one_wins(
    case: Survivor,
    consent: Callable[..., Consent],
    refer: Callable[..., Referral],
    hospital: ServiceProvider,
) -> None:
    hospital.contact_email = "intake@heal-africa.example"
    hospital.save()
    consent(case)
    referral = refer(case, send=True)
    token = link_token(ReferralAnswerLink.objects.get(referral=referral))
    start = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def post(action: str, data: dict[str, str]) -> None:
        try:
            start.wait(timeout=30)
            answer_link_use(token, action, data)
            with lock:
                outcomes.append(action)
        except AnswerLinkRefused as refused:
            with lock:
                outcomes.append(refused.code)
        except BaseException as error:  # re-raised in the test's thread
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=("accept", {})),
        threading.Thread(target=post, args=("decline", {"reason": "No bed."})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(outcomes) == 2 and "used" in outcomes
    [won] = [o for o in outcomes if o != "used"]
    assert Referral.objects.get(pk=referral.pk).state == {"accept": "accepted", "decline": "declined"}[won]
    assert ReferralEvent.objects.filter(referral=referral, action__in=["accept", "decline"]).count() == 1
    assert ReferralAnswerLink.objects.get(referral=referral, step="answer").used_for == won
