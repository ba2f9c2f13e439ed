"""Issue 8 items 5 and 7: a code is accepted once across parallel sessions, and every wrong code
counts. Real concurrency: threads, each with its own database connection and session."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.db import connections
from django.db.models import Sum
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice

from crsv.accounts import two_factor
from crsv.accounts.models import AuthenticatorDevice, RecoveryCode, User
from tests.conftest import current_code

pytestmark = pytest.mark.django_db(transaction=True)
VERIFY = "/accounts/two-factor/"


@pytest.fixture(autouse=True)
def _isolate_the_counters(settings: Any) -> None:
    # The lockout would refuse everything after its limit, and django-otp's backoff (1 s, 2 s,
    # ...) everything after the first wrong code: both are tested elsewhere. Here every code
    # must reach the device row, so the counts below are exact.
    settings.AXES_FAILURE_LIMIT = 1000
    settings.OTP_TOTP_THROTTLE_FACTOR = 1e-9
    settings.OTP_STATIC_THROTTLE_FACTOR = 1e-9


def _password_only_sessions(user: User, count: int) -> list[Client]:
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def _in_parallel(calls: list[Callable[[], bool]]) -> list[bool]:
    """Run the calls at once, each in a thread of its own (its own database connection)."""
    barrier = threading.Barrier(len(calls))
    results: list[bool | None] = [None] * len(calls)
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
    return [bool(r) for r in results]


def _post_code(client: Client, code: str) -> Callable[[], bool]:
    def call() -> bool:
        response = client.post(VERIFY, {"token": code, "next": "/"})
        return response.status_code == 302 and client.get("/").status_code == 200

    return call


def _wrong_codes(device: AuthenticatorDevice, count: int) -> list[str]:
    right = int(current_code(device))
    return [f"{(right + 500_000 + i) % 1_000_000:06d}" for i in range(count)]


def _lockout_failures() -> int:
    return AccessAttempt.objects.aggregate(n=Sum("failures_since_start"))["n"] or 0


def test_one_fresh_code_verifies_one_of_six_parallel_sessions(wpa: User) -> None:
    device = two_factor.demo_device_ensure(user=wpa)
    code = current_code(device)
    clients = _password_only_sessions(wpa, 6)
    verified = _in_parallel([_post_code(client, code) for client in clients])
    assert verified.count(True) == 1


def test_every_parallel_wrong_code_counts(wpa: User) -> None:
    device = two_factor.demo_device_ensure(user=wpa)
    clients = _password_only_sessions(wpa, 20)
    codes = _wrong_codes(device, 20)
    verified = _in_parallel([_post_code(c, code) for c, code in zip(clients, codes, strict=True)])
    assert not any(verified)
    device.refresh_from_db()
    assert device.throttling_failure_count == 20
    assert _lockout_failures() == 20


def test_nineteen_wrong_and_one_right_in_parallel(wpa: User) -> None:
    device = two_factor.demo_device_ensure(user=wpa)
    clients = _password_only_sessions(wpa, 20)
    codes = [*_wrong_codes(device, 19), current_code(device)]
    verified = _in_parallel([_post_code(c, code) for c, code in zip(clients, codes, strict=True)])
    assert verified == [False] * 19 + [True]
    # The lockout counter is not reset by a right code: all 19 failures are there.
    assert _lockout_failures() == 19


def test_a_recovery_code_used_in_parallel_is_accepted_once(wpa: User) -> None:
    two_factor.demo_device_ensure(user=wpa)
    code = two_factor.recovery_codes_replace(user=wpa)[0]
    clients = _password_only_sessions(wpa, 6)
    verified = _in_parallel([_post_code(client, code) for client in clients])
    assert verified.count(True) == 1
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 1
    static = StaticDevice.objects.get(user=wpa)
    assert static.throttling_failure_count == 5
