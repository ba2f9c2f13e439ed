"""Issue 8 item 4: sign-in lockout (django-axes) by username and client address together, on the
sign-in page, the admin sign-in, the token endpoint and the second-factor step; the same answer
for locked, unknown and wrong; the address only from a trusted proxy; unlock; audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from crsv.accounts.models import User
from crsv.accounts.two_factor import demo_device_ensure
from crsv.audit.models import AuditEvent
from tests.conftest import current_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
VERIFY = "/accounts/two-factor/"
TOKEN = "/api/v1/auth/token/"
LIMIT = 5
WRONG = "wrong-password-typed"
INVALID = "Please enter a correct username and password"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _fail(client: Client, username: str, times: int = LIMIT, path: str = LOGIN, **extra: Any) -> None:
    for _ in range(times):
        response = client.post(path, {"username": username, "password": WRONG}, **extra)
        assert response.status_code == 200


def _signed_in(client: Client, path: str = LOGIN, username: str = "wpa", **extra: Any) -> bool:
    """Whether the right password at `path` signs `client` in (the second factor comes next)."""
    response = client.post(path, {"username": username, "password": PASSWORD}, **extra)
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_the_right_password_is_refused_once_locked_with_the_wrong_password_page(
    client: Client, wpa: User
) -> None:
    _fail(client, "wpa")
    right = client.post(LOGIN, {"username": "wpa", "password": PASSWORD})
    assert right.status_code == 200
    body = right.content.decode()
    assert INVALID in body
    assert "paused for 15 minutes" in body
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_locked_unknown_and_wrong_get_the_same_answer(client: Client, wpa: User) -> None:
    def errors(response: Any) -> tuple[int, list[str]]:
        return response.status_code, [str(e) for e in response.context["form"].non_field_errors()] + [
            response.context["lockout_hint"]
        ]

    wrong = errors(client.post(LOGIN, {"username": "wpa", "password": WRONG}))
    _fail(client, "wpa", LIMIT - 1)
    locked = errors(client.post(LOGIN, {"username": "wpa", "password": PASSWORD}))
    unknown = errors(Client().post(LOGIN, {"username": "nobody-here", "password": WRONG}))
    _fail(client, "nobody-here", LIMIT)
    unknown_locked = errors(client.post(LOGIN, {"username": "nobody-here", "password": WRONG}))
    assert wrong == locked == unknown == unknown_locked
    assert INVALID in wrong[1][0]


def test_a_colleague_behind_the_same_address_is_not_locked_out(
    client: Client, wpa: User, reporter: User
) -> None:
    _fail(client, "wpa")
    assert _signed_in(client, username="reporter")


def test_the_same_user_from_another_address_is_not_locked_out(client: Client, wpa: User) -> None:
    _fail(client, "wpa")
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert _signed_in(other)


def test_a_clients_forwarded_header_does_not_change_its_address(client: Client, wpa: User) -> None:
    for i in range(LIMIT):
        client.post(LOGIN, {"username": "wpa", "password": WRONG}, HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
    assert not _signed_in(client, HTTP_X_FORWARDED_FOR="10.9.9.200", HTTP_X_REAL_IP="10.9.9.201")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_the_trusted_proxy_the_real_client_address_counts(settings: Any, wpa: User) -> None:
    settings.CRSV_TRUSTED_PROXIES = ["172.30.10.2"]
    proxy = Client(REMOTE_ADDR="172.30.10.2")
    _fail(proxy, "wpa", HTTP_X_REAL_IP="203.0.113.7")
    assert not _signed_in(proxy, HTTP_X_REAL_IP="203.0.113.7")
    assert _signed_in(Client(REMOTE_ADDR="172.30.10.2"), HTTP_X_REAL_IP="203.0.113.8")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_the_admin_sign_in_locks_too(client: Client, admin_user: User) -> None:
    _fail(client, "admin", path=ADMIN_LOGIN)
    assert not _signed_in(client, ADMIN_LOGIN, username="admin")
    assert _signed_in(Client(REMOTE_ADDR="198.51.100.20"), ADMIN_LOGIN, username="admin")


def test_the_token_endpoint_locks_too(api_client: Any, wpa: User) -> None:
    device = demo_device_ensure(user=wpa)
    for _ in range(LIMIT):
        assert (
            api_client.post(TOKEN, {"username": "wpa", "password": WRONG}, format="json").status_code == 401
        )
    right = api_client.post(
        TOKEN, {"username": "wpa", "password": PASSWORD, "otp_token": current_code(device)}, format="json"
    )
    assert right.status_code == 401
    assert right.json() == {"detail": "Wrong username or password."}


def test_wrong_codes_at_the_second_factor_lock_the_user_out(client: Client, wpa: User) -> None:
    device = demo_device_ensure(user=wpa)
    client.force_login(wpa)
    for _ in range(LIMIT):
        assert "already used" in client.post(VERIFY, {"token": "000001"}).content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp's own backoff aside: the lockout refuses it
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post(VERIFY, {"token": current_code(device), "next": "/"})
    assert right.status_code == 200
    assert "This code is wrong, expired or already used." in right.content.decode()
    assert client.get("/").status_code == 302
    # The password step is locked from here too: the counter is one.
    assert not _signed_in(Client())


def test_wrong_codes_at_the_token_endpoint_count(api_client: Any, wpa: User) -> None:
    device = demo_device_ensure(user=wpa)
    for _ in range(LIMIT):
        body = {"username": "wpa", "password": PASSWORD, "otp_token": "000001"}
        assert api_client.post(TOKEN, body, format="json").status_code == 401
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    body = {"username": "wpa", "password": PASSWORD, "otp_token": current_code(device)}
    assert api_client.post(TOKEN, body, format="json").json() == {"detail": "Wrong username or password."}


def test_the_admin_unlocks_with_axes_reset_username(client: Client, wpa: User) -> None:
    _fail(client, "wpa")
    assert not _signed_in(client)
    call_command("axes_reset_username", "wpa")
    assert _signed_in(client)


def test_a_superuser_without_the_admin_role_cannot_unlock(client: Client, wpa: User, login: Any) -> None:
    """Unlocking is managing users: the admin role's job (test_audit_changes.py), not a
    superuser's by her flag alone."""
    _fail(Client(), "wpa")
    superuser = User.objects.create_superuser("root", password=PASSWORD)
    admin_client = login(superuser)
    attempt = AccessAttempt.objects.get(username="wpa")
    response = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert not _signed_in(Client())


def test_the_lockout_ends_after_the_cool_off(client: Client, wpa: User) -> None:
    _fail(client, "wpa")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _signed_in(client)


def test_a_lockout_is_audited_without_anything_typed(client: Client, wpa: User) -> None:
    _fail(client, "wpa")
    client.post(LOGIN, {"username": "wpa", "password": PASSWORD})
    _fail(client, "my-secret-password")
    events = AuditEvent.objects.filter(action="login_locked_out")
    assert events.filter(object_public_id=wpa.public_id, ip_address="127.0.0.1").exists()
    assert events.filter(object_public_id=None).exists()  # the unknown name: no account named
    trail = repr(list(AuditEvent.objects.values())) + repr(list(AccessAttempt.objects.values()))
    assert WRONG not in trail
    assert PASSWORD not in trail
    assert "my-secret-password" not in trail
    # The existing failed sign-in row is still written for each attempt.
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).count() == 2 * LIMIT + 1
