"""The capability table (crsv.accounts.roles) is the one answer to "which roles may do X"."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import CAPABILITIES, Capability, Role, roles_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("crsv", "incidents", "survivors", "referrals")


def _is_role(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role"


def _is_table_lookup(node: ast.expr) -> bool:
    """`*roles_for(...)`: the table itself, as `User.can` reads it."""
    return (
        isinstance(node, ast.Starred)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "roles_for"
    )


def restated_role_sets(source: str) -> list[int]:
    """Lines that name a set of roles (a literal with two roles or more, or `has_role` asked of
    several roles) instead of asking the table for a capability."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Set | ast.List | ast.Tuple) and sum(map(_is_role, node.elts)) >= 2) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "has_role"
            and (len(node.args) > 1 or any(isinstance(a, ast.Starred) for a in node.args))
            and not all(map(_is_table_lookup, node.args))
        ):
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_a_restated_role_set() -> None:
    assert restated_role_sets("CREATORS = frozenset({Role.REPORTER, Role.WPA})") == [1]
    assert restated_role_sets("ok = user.has_role(Role.WPA, Role.SENIOR_WPA)") == [1]
    assert restated_role_sets("ok = user.has_role(*CREATORS)") == [1]
    assert restated_role_sets("ok = user.has_role(Role.WPA) or user.can(Capability.X)") == []
    assert restated_role_sets("ok = self.has_role(*roles_for(capability))") == []


def test_no_module_restates_a_set_of_roles() -> None:
    """Only crsv/accounts/roles.py says which roles go together (a single-role check, such as
    "a senior WPA of this mission", is a scope rule and stays where it is)."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative == Path("crsv/accounts/roles.py"):
                continue
            found += [f"{relative}:{line}" for line in restated_role_sets(path.read_text())]
    assert found == []


@pytest.mark.parametrize("capability", list(Capability))
def test_a_user_can_what_one_of_her_roles_allows(capability: Capability, office: FieldOffice) -> None:
    for role in Role:
        user = UserFactory(username=f"{role}-{capability}", roles=[role], offices=[office])
        assert user.can(capability) is (role in roles_for(capability)), (role, capability)
    assert not UserFactory(username=f"none-{capability}", roles=[], offices=[office]).can(capability)


def test_every_capability_has_roles_and_every_role_exists() -> None:
    assert set(CAPABILITIES) == set(Capability)
    assert all(
        CAPABILITIES[capability] <= set(Role) and CAPABILITIES[capability] for capability in Capability
    )


def test_an_inactive_user_can_nothing(wpa: User) -> None:
    wpa.is_active = False
    assert not any(wpa.can(capability) for capability in Capability)
