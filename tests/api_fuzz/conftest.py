"""Fixtures of the schemathesis run: one seeded world for the module, kept in an outer transaction
that every test (and every stateful scenario) rolls back to; the WSGI application served in
this process, on that transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections, transaction
from django.test.utils import override_settings

from tests.api_fuzz.world import world_build


@pytest.fixture(scope="module")
def tokens(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The world, built once per module in a transaction rolled back at its end; each test's own
    transaction (pytest-django's `db`) is a savepoint inside it. Yields a token per role."""
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            built = world_build()
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _requests_keep_the_test_transaction() -> Iterator[None]:
    """Django's handler closes a connection that is not in autocommit at each request's start and
    end, which would end the test's transaction; its own test client disconnects the same signal
    handler for the same reason (django.test.client.ClientHandler)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many cases schemathesis ran per role (probes of its auth check not counted)."""
    from tests.api_fuzz.test_schemathesis import CALLS

    if CALLS:
        line = ", ".join(f"{name}: {count}" for name, count in sorted(CALLS.items()))
        terminalreporter.write_line(f"schemathesis cases: {line}")
