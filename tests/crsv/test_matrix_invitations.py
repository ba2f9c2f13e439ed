"""Invitations: the administrator's page and its buttons are for the admin role only (a
page-level capability, so 403 for the others, as /audit/ for non-auditors); invitations are not
scoped by mission, so the only object position out of reach is an unknown one (404). The
deactivated persona (the Goma WPA, signed in, then deactivated) is sent to sign in.

The invitation's own page (`/accounts/invitation/{token}/`) is public (crsv.urls.PUBLIC_PREFIXES:
anonymous is tested in tests/crsv/invitations/): every signed-in persona gets the same page
as anyone holding the link, and a used link's page for everyone."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from crsv.accounts.invitations import invitation_send, invitation_token
from crsv.accounts.models import Invitation
from crsv.accounts.roles import Role
from tests.matrix import Row, Scene, Table, grid, matrix_test


def _pending(scene: Scene) -> Mapping[str, Any]:
    invitation = invitation_send(
        actor=scene.fixture("admin_user"),
        username="invitee",
        first_name="Amani",
        last_name="Kahindo",
        email="invitee@monusco.example",
        language="en",
        roles=[Role.WPA],
        offices={scene.fixture("other_office"): None},
    )
    return {"public_id": invitation.public_id, "token": invitation_token(invitation)}


def _used(scene: Scene) -> Mapping[str, Any]:
    values = _pending(scene)
    Invitation.objects.filter(public_id=values["public_id"]).update(accepted_at=timezone.now())
    return values


def _unknown(scene: Scene) -> Mapping[str, Any]:
    return {"public_id": uuid.uuid4()}


def _invite_body(scene: Scene) -> Mapping[str, Any]:
    office = scene.fixture("other_office")
    return {
        "username": "newcomer",
        "email": "newcomer@monusco.example",
        "language": "fr",
        "roles": Role.WPA,
        f"office_{office.pk}": "on",
    }


ROWS: list[Row] = [
    *grid(
        "/access/invitations/",
        """
                             anon deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -              302  302  403  403  403  403  403  403  403  200  403  403
        POST   -              302  302  403  403  403  403  403  403  403  302  403  403
        """,
        body=_invite_body,
    ),
    *grid(
        "/access/invitations/{public_id}/resend/",
        """
                             anon deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   pending        302  302  403  403  403  403  403  403  403  302  403  403
        POST   unknown        302  302  403  403  403  403  403  403  403  404  403  403
        """,
    ),
    *grid(
        "/access/invitations/{public_id}/revoke/",
        """
                             anon deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        POST   pending        302  302  403  403  403  403  403  403  403  302  403  403
        POST   unknown        302  302  403  403  403  403  403  403  403  404  403  403
        """,
    ),
    *grid(
        "/accounts/invitation/{token}/",
        """
                                   rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    pending             200  200  200  200  200  200  200  200  200  200
        POST   used                410  410  410  410  410  410  410  410  410  410
        """,
        body={"password1": "Kivu-lake-ferry-at-dawn-2026", "password2": "Kivu-lake-ferry-at-dawn-2026"},
    ),
]

TABLE = Table(rows=ROWS, positions={"pending": _pending, "used": _used, "unknown": _unknown})
test_matrix = matrix_test(TABLE)
