"""Session authentication that loads the user with her scope (see crsv.accounts.scope)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from crsv.accounts.models import User
from crsv.accounts.scope import user_with_scope


class ScopedModelBackend(ModelBackend):
    """Django's ModelBackend, whose per-request `get_user` reads roles and offices too."""

    def get_user(self, user_id: Any) -> User | None:
        user = user_with_scope(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
