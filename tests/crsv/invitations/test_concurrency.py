"""One link posted twice at once: one post sets the password, the other finds the link used.
Real concurrency: threads, each with its own database connection, against PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from crsv.accounts.invitations import InvitationRefused, invitation_accept, invitation_resend
from crsv.accounts.models import Invitation, User
from crsv.audit.models import AuditEvent
from tests.crsv.invitations.conftest import token_of

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORDS = ["Kivu-lake-ferry-at-dawn-2026", "Ituri-hills-after-rain-2027"]


def _in_parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at once, each in a thread of its own; their results, or the exceptions raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except BaseException as exc:  # the outcome under test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _accepted_events(user: User) -> int:
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.INVITATION_ACCEPTED, object_public_id=user.public_id
    ).count()


@pytest.mark.parametrize("attempt", range(3))
def test_the_same_link_posted_twice_at_once_is_accepted_once(
    invite: Callable[..., Invitation], attempt: int
) -> None:
    invitation = invite(f"amani{attempt}")
    link = f"/accounts/invitation/{token_of(invitation)}/"
    clients = [Client(), Client()]

    def post(i: int) -> Callable[[], int]:
        return lambda: (
            clients[i].post(link, {"password1": PASSWORDS[i], "password2": PASSWORDS[i]}).status_code
        )

    statuses = _in_parallel([post(0), post(1)])
    assert sorted(statuses) == [302, 410], statuses
    winner = statuses.index(302)
    user = User.objects.get(pk=invitation.user_id)
    assert user.check_password(PASSWORDS[winner]) and not user.check_password(PASSWORDS[1 - winner])
    assert _accepted_events(user) == 1
    # Only the winner is signed in (her session waits for the second factor).
    assert clients[winner].get("/")["Location"].startswith("/accounts/two-factor/")
    assert clients[1 - winner].get("/")["Location"].startswith("/accounts/login/")


def test_the_services_raced_directly(invite: Callable[..., Invitation]) -> None:
    invitation = invite()
    token = token_of(invitation)
    outcomes = _in_parallel(
        [lambda p=password: invitation_accept(token=token, password=p) for password in PASSWORDS]
    )
    assert sum(isinstance(outcome, User) for outcome in outcomes) == 1
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, InvitationRefused)]
    assert refused.status == 410
    assert _accepted_events(invitation.user) == 1


def test_a_resend_racing_an_accept_is_served_after_it_or_before_it(
    invite: Callable[..., Invitation], admin_user: User
) -> None:
    """Either the accept wins (the resend is refused: she has accepted) or the resend wins (the
    accept finds the link revoked): never an accepted account with a live new link."""
    invitation = invite()
    token = token_of(invitation)
    outcomes = _in_parallel(
        [
            lambda: invitation_accept(token=token, password=PASSWORDS[0]),
            lambda: invitation_resend(actor=admin_user, invitation=invitation),
        ]
    )
    accepted, resent = outcomes
    assert isinstance(accepted, User) != isinstance(resent, Invitation), outcomes
    live = Invitation.objects.filter(
        user_id=invitation.user_id, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if isinstance(accepted, User):
        assert not live.exists()
    else:
        assert live.count() == 1 and isinstance(accepted, InvitationRefused)
