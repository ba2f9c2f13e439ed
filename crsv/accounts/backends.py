"""Authentication backends: lockout first, then the session backend that loads the user's scope."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from crsv.accounts.models import User
from crsv.accounts.scope import user_with_scope


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first in AUTHENTICATION_BACKENDS: a locked-out username and address
    is refused before any password is checked (see crsv.accounts.lockout).

    Every door a client can reach (sign-in page, admin sign-in, token endpoint) passes the
    request; `authenticate()` without one is server-side code (a shell, the test client's
    `login`), which has no client address to count and is let through to the next backend.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ScopedModelBackend(ModelBackend):
    """Django's ModelBackend, whose per-request `get_user` reads roles and offices too."""

    def get_user(self, user_id: Any) -> User | None:
        user = user_with_scope(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
