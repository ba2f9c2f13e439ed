"""Helpers of the access-review tests (issue 12, item 2)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from crsv.accounts.models import User
from tests.factories import UserFactory
from tests.survivors.conftest import make_survivor  # noqa: F401  (the fixture, for this folder)


def account(
    username: str, *, now: datetime, active_days_ago: int | None, joined_days_ago: int = 400, **kw: Any
) -> User:
    """A user created `joined_days_ago` days before `now`, last active `active_days_ago` days
    before it (None: never)."""
    user = UserFactory(username=username, **kw)
    User.objects.filter(pk=user.pk).update(
        date_joined=now - timedelta(days=joined_days_ago),
        last_active_at=None if active_days_ago is None else now - timedelta(days=active_days_ago),
        last_login=None,
    )
    return User.objects.get(pk=user.pk)
