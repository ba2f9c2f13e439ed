"""Invitations (crsv.accounts.invitations): `invite(...)` invites a user through the real service,
as the `admin_user` persona, by default a WPA of Bunia (`other_office`) writing in French; the
raw token is recomputed the way the e-mail does (`token_of`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from crsv.accounts.invitations import invitation_send, invitation_token
from crsv.accounts.models import FieldOffice, Invitation, User
from crsv.accounts.roles import Role
from tests.smtp_sink import SinkHandler, smtp  # noqa: F401  (the real SMTP server, for this folder)

__all__ = ["GOOD_PASSWORD", "SinkHandler", "token_of"]

# Long, uncommon, unlike the username: Django's validators accept it.
GOOD_PASSWORD = "Kivu-lake-ferry-at-dawn-2026"


def token_of(invitation: Invitation) -> str:
    return invitation_token(invitation)


@pytest.fixture
def invite(admin_user: User, other_office: FieldOffice) -> Callable[..., Invitation]:
    def _invite(
        username: str = "amani",
        *,
        roles: list[str] | None = None,
        offices: dict[FieldOffice, date | None] | None = None,
        actor: Any = None,
        **fields: Any,
    ) -> Invitation:
        values = {
            "first_name": "Amani",
            "last_name": "Kahindo",
            "email": f"{username}@monusco.example",
            "language": "fr",
        } | fields
        return invitation_send(
            actor=actor or admin_user,
            username=username,
            roles=roles if roles is not None else [Role.WPA],
            offices=offices if offices is not None else {other_office: None},
            **values,
        )

    return _invite
