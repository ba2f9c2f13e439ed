"""Request types for views behind the login requirement (see crsv.middleware)."""

from __future__ import annotations

from django.http import HttpRequest

from crsv.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user is signed in: every view but the public ones gets one."""

    user: User
