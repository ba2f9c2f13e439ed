"""Shared fixtures, and the personas every permission test uses.

The personas (STYLE.md): all in mission MONUSCO; `office` is Goma (GOM), `other_office` Bunia (BUN).

- `reporter`        : role reporter, Goma
- `wpa`             : role wpa, Goma (same office as the reporter)
- `wpa_other`       : role wpa, Bunia (another office)
- `senior_wpa`      : role senior_wpa, Goma (scope: the whole mission)
- `analyst`         : role analyst, Goma (scope: the whole mission, de-identified)
- `provider`        : role provider, Goma
- `admin_user`      : role admin, Goma (staff; manages users and reference data)
- `auditor`         : role auditor, Goma (staff; reads the audit trail)
- `outsider`        : role wpa in another mission's office (MINUSCA Bangui): sees nothing of ours
- `no_role`         : a signed-in user with a Goma membership and no role

Every persona's password is `tests.factories.PASSWORD`.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from crsv.accounts.models import FieldOffice, Mission, User
from crsv.accounts.roles import Role, roles_ensure
from tests.factories import FieldOfficeFactory, MissionFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Persona passwords are hashed once per test: the production hasher made setup dominate."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    roles_ensure()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings: Any) -> None:
    """Each test gets its own cache key prefix in the real Redis: no state leaks between tests
    (throttle counters, heartbeats), and nothing is flushed that a running dev server uses."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture
def mission() -> Mission:
    return MissionFactory(code="MONUSCO")


@pytest.fixture
def office(mission: Mission) -> FieldOffice:
    return FieldOfficeFactory(mission=mission, code="GOM", name="Goma", time_zone="Africa/Lubumbashi")


@pytest.fixture
def other_office(mission: Mission) -> FieldOffice:
    return FieldOfficeFactory(mission=mission, code="BUN", name="Bunia", time_zone="Africa/Lubumbashi")


@pytest.fixture
def foreign_office() -> FieldOffice:
    minusca = MissionFactory(code="MINUSCA", name="MINUSCA")
    return FieldOfficeFactory(mission=minusca, code="BGF", name="Bangui", time_zone="Africa/Bangui")


def _persona(username: str, role: str | None, office: FieldOffice) -> User:
    return UserFactory(username=username, roles=[role] if role else [], offices=[office])


@pytest.fixture
def reporter(office: FieldOffice) -> User:
    return _persona("reporter", Role.REPORTER, office)


@pytest.fixture
def wpa(office: FieldOffice) -> User:
    return _persona("wpa", Role.WPA, office)


@pytest.fixture
def wpa_other(other_office: FieldOffice) -> User:
    return _persona("wpa_bunia", Role.WPA, other_office)


@pytest.fixture
def senior_wpa(office: FieldOffice) -> User:
    return _persona("senior_wpa", Role.SENIOR_WPA, office)


@pytest.fixture
def analyst(office: FieldOffice) -> User:
    return _persona("analyst", Role.ANALYST, office)


@pytest.fixture
def provider(office: FieldOffice) -> User:
    return _persona("provider", Role.PROVIDER, office)


@pytest.fixture
def admin_user(office: FieldOffice) -> User:
    user = _persona("admin", Role.ADMIN, office)
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def auditor(office: FieldOffice) -> User:
    user = _persona("auditor", Role.AUDITOR, office)
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def outsider(foreign_office: FieldOffice) -> User:
    return _persona("outsider", Role.WPA, foreign_office)


@pytest.fixture
def no_role(office: FieldOffice) -> User:
    return _persona("no_role", None, office)


def current_code(device: Any) -> str:
    """The code an authenticator app would show now for `device`."""
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def verify_second_factor(client: Client, user: User) -> None:
    """Mark the client's session as having passed two-factor, as the verification page does."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from crsv.accounts.two_factor import demo_device_ensure

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = demo_device_ensure(user=user).persistent_id
    session.save()


@pytest.fixture
def login(client: Client) -> Callable[[User], Client]:
    """`login(user)` signs `user` in on the test client, second factor passed."""

    def _login(user: User) -> Client:
        client.force_login(user)
        verify_second_factor(client, user)
        return client

    return _login


@pytest.fixture
def api_client() -> Any:
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture(autouse=True, scope="session")
def _append_only_tables_flushable() -> Iterator[None]:
    """Let pytest-django empty append-only tables between transactional tests.

    The database refuses TRUNCATE on the audit tables (that is the point); the test role is a
    superuser, so it may switch triggers off with `session_replication_role = replica` for the
    flush only. The application never does this, and its production role could not.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def flush_without_triggers(self: DatabaseOperations, sql_list: list[str]) -> None:
        original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    DatabaseOperations.execute_sql_flush = flush_without_triggers  # type: ignore[method-assign]
    yield
    DatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]
