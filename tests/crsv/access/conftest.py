"""The access pages' tests: the personas of tests/conftest.py, plus

- `target`      : the account the administrator manages: a WPA of Goma with a name and an e-mail
- `admin_two`   : a second administrator (of Goma), for the rules between administrators
- `root`        : a superuser (shown on the access pages, changed by nobody there)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from tests.conftest import verify_second_factor
from tests.factories import UserFactory


@pytest.fixture
def target(office: FieldOffice) -> User:
    return UserFactory(
        username="amani",
        first_name="Amani",
        last_name="Kabila",
        email="amani@example.org",
        roles=[Role.WPA],
        offices=[office],
    )


@pytest.fixture
def admin_two(office: FieldOffice) -> User:
    user = UserFactory(username="admin_two", roles=[Role.ADMIN], offices=[office])
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def root(office: FieldOffice) -> User:
    user = UserFactory(username="root", offices=[office])
    user.is_superuser = True
    user.is_staff = True
    user.save()
    return user


def signed_in(user: User) -> Client:
    """A client of its own, signed in as `user` with the second factor passed."""
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


@pytest.fixture
def as_user() -> Callable[[User], Client]:
    return signed_in
