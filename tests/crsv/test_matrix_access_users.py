"""The access pages' users (/access/): the admin role only, a page-level capability like the
auditor's trail, so 403 for every other role whichever account is named (they learn nothing of
it). For an administrator: an account is shown (`user`), a superuser is shown but not changed
(403 on every change), an unknown id is 404."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import pytest
from django.test import Client

from crsv.accounts.access_rules import access_of, access_version
from crsv.accounts.models import FieldOffice, User, UserSession
from crsv.accounts.roles import Role
from crsv.accounts.services import api_token_issue
from tests.factories import UserFactory
from tests.matrix import Row, Scene, Table, grid, matrix_test


def _account(scene: Scene, *, superuser: bool) -> Mapping[str, Any]:
    """An account with a recorded browser session and an API token (built for every persona)."""
    office = scene.fixture("office")
    roles = [] if superuser else [Role.WPA]
    account = UserFactory(username="root" if superuser else "target", roles=roles, offices=[office])
    if superuser:
        User.objects.filter(pk=account.pk).update(is_superuser=True, is_staff=True)
        account.refresh_from_db()
    Client().force_login(account)  # the sign-in receiver records the session
    _raw, token = api_token_issue(user=account)
    return {
        "public_id": account.public_id,
        "version": access_version(access_of(account)),
        "session": UserSession.objects.get(user=account).pk,
        "token": token.public_id,
    }


POSITIONS = {
    "user": lambda scene: _account(scene, superuser=False),
    "superuser": lambda scene: _account(scene, superuser=True),
    "unknown": lambda scene: {
        "public_id": uuid.uuid4(),
        "version": "0" * 32,
        "session": 1,
        "token": uuid.uuid4(),
    },
}

# The deactivated persona is an administrator, signed in, then deactivated by another: her open
# session ends with her account (sent to sign in).
CODES = {"deac": "deactivated:other_admin"}


@pytest.fixture
def other_admin(office: FieldOffice) -> User:
    user = UserFactory(username="admin_two", roles=[Role.ADMIN], offices=[office])
    User.objects.filter(pk=user.pk).update(is_staff=True)
    return user


# Non-administrators: 403 for any account, known or not. Administrators: per position.
EVERYONE = """
                     anon deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
    {method} user      302  302  403  403  403  403  403  403  403  {ok}  403  403
    {method} superuser 302  302  403  403  403  403  403  403  403  {su}  403  403
    {method} unknown   302  302  403  403  403  403  403  403  403  404  403  403
"""


def _table(method: str, ok: int, superuser: int) -> str:
    return EVERYONE.format(method=method, ok=ok, su=superuser)


def _access_body(scene: Scene) -> dict[str, Any]:
    return {"version": scene.values["version"], "roles": [Role.REPORTER], "offices": ["MONUSCO-GOM"]}


ROWS: list[Row] = [
    *grid(
        "/access/",
        """
                     anon deac  rep  wpa wpaB  sen  ana  pro  aud  adm none  out
        GET    -      302  302  403  403  403  403  403  403  403  200  403  403
        """,
        codes=CODES,
    ),
    *grid("/access/users/{public_id}/", _table("GET", 200, 200), codes=CODES),
    *grid("/access/users/{public_id}/", _table("POST", 302, 403), body=_access_body, codes=CODES),
    *grid(
        "/access/users/{public_id}/active/", _table("POST", 302, 403), body={"is_active": "0"}, codes=CODES
    ),
    *grid("/access/users/{public_id}/two-factor/reset/", _table("POST", 302, 403), codes=CODES),
    *grid("/access/users/{public_id}/unlock/", _table("POST", 302, 403), codes=CODES),
    *grid(
        "/access/users/{public_id}/sessions/end/",
        _table("POST", 302, 403),
        body=lambda scene: {"session": scene.values["session"]},
        codes=CODES,
    ),
    *grid("/access/users/{public_id}/sessions/end-all/", _table("POST", 302, 403), codes=CODES),
    *grid(
        "/access/users/{public_id}/tokens/revoke/",
        _table("POST", 302, 403),
        body=lambda scene: {"token": scene.values["token"]},
        codes=CODES,
    ),
]

TABLE = Table(rows=ROWS, positions=POSITIONS)
test_matrix = matrix_test(TABLE)
