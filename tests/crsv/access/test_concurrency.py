"""Two administrators changing the same account at once: real concurrency, threads each with its
own database connection and session (as tests/crsv/test_two_factor_concurrency.py).

The user's row and the actor's are locked (in id order) before anything is read, so the changes
are served one after the other: a change made from a page built before the other one committed
is refused (409, nothing written) instead of undoing it, and an administrator deactivated while
she waited may no longer act."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connections

from crsv.accounts import services
from crsv.accounts.access_rules import access_of, access_version
from crsv.accounts.models import User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from tests.crsv.access.conftest import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def _in_parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at once, each in a thread of its own (its own database connection)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def _roles(user: User) -> set[str]:
    return set(Group.objects.filter(user=user).values_list("name", flat=True))


def test_two_administrators_saving_the_same_page_at_once(
    admin_user: User, admin_two: User, target: User
) -> None:
    """Both built their form from the same access: one is saved, the other is refused and
    told so, and the saved one is not undone."""
    version = access_version(access_of(target))
    page = f"/access/users/{target.public_id}/"
    one, two = signed_in(admin_user), signed_in(admin_two)
    bodies = [
        {"version": version, "roles": [Role.SENIOR_WPA], "offices": ["MONUSCO-GOM"]},
        {"version": version, "roles": [Role.REPORTER], "offices": ["MONUSCO-GOM"]},
    ]

    responses = _in_parallel([lambda: one.post(page, bodies[0]), lambda: two.post(page, bodies[1])])

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 409]
    winner = next(i for i, response in enumerate(responses) if response.status_code == 302)
    assert _roles(target) == set(bodies[winner]["roles"])
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_ACCESS_CHANGED).count() == 1


def test_two_administrators_deactivating_each_other_at_once(admin_user: User, admin_two: User) -> None:
    """Without the actor read again under the lock, both would succeed and leave no administrator."""
    one, two = signed_in(admin_user), signed_in(admin_two)

    responses = _in_parallel(
        [
            lambda: one.post(f"/access/users/{admin_two.public_id}/active/", {"is_active": "0"}),
            lambda: two.post(f"/access/users/{admin_user.public_id}/active/", {"is_active": "0"}),
        ]
    )

    active = User.objects.filter(pk__in=[admin_user.pk, admin_two.pk], is_active=True)
    assert active.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_DEACTIVATED).count() == 1
    survivor = active.get()
    loser = responses[1] if survivor == admin_user else responses[0]
    # Refused (403); or already signed out (302); or her session was deleted by the winner's
    # change while her request ran, which Django answers 400 (SessionInterrupted).
    assert loser.status_code in (302, 400, 403)
    if loser.status_code == 302:
        assert loser["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("attempt", range(3))
def test_a_deactivation_and_a_role_change_at_once_undo_nothing(
    admin_user: User, admin_two: User, target: User, attempt: int
) -> None:
    """The deactivation reads her roles once her row is locked, so a role change that came first
    stands; a role change from a page built before the deactivation is refused (its version is
    stale), so it does not reactivate her. Either way she ends deactivated."""
    offices = list(target.offices())
    version = access_version(access_of(target))

    def change_roles() -> str:
        try:
            services.user_access_change(
                actor=admin_user,
                user=target,
                roles=[Role.SENIOR_WPA],
                offices=offices,
                is_active=True,
                expected_version=version,
            )
        except ValidationError as refused:
            assert refused.code == "stale"
            return "stale"
        return "saved"

    outcome, _event = _in_parallel(
        [change_roles, lambda: services.user_active_set(actor=admin_two, user=target, is_active=False)]
    )

    target.refresh_from_db()
    assert not target.is_active
    assert _roles(target) == ({Role.SENIOR_WPA} if outcome == "saved" else {Role.WPA})
