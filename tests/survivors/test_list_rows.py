"""The case list read as values (survivors/list_rows.py): the first page's choice of cases is
compiled once per scope, never kept as a result; a row carries no plaintext; `?names=hide`
opens nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crsv.accounts.models import FieldOffice, Membership, User
from crsv.accounts.scope import user_with_scope
from crsv.audit.models import AccessEvent
from crsv.crypto import EncryptedField
from survivors import list_rows, selectors
from survivors.models import Survivor
from survivors.services import survivor_grant, survivor_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _codes(user: User) -> set[str]:
    """The codes of her first page, as her next request reads it (her scope read afresh)."""
    fresh = user_with_scope(user.pk)
    assert fresh is not None
    return {row.code for row in selectors.survivor_page(user=fresh).rows}


def test_the_first_page_follows_grants_and_memberships_at_once(
    make_survivor: Callable[..., Survivor],
    wpa: User,
    reporter: User,
    senior_wpa: User,
    other_office: FieldOffice,
) -> None:
    own = make_survivor(wpa)
    shared = make_survivor(reporter)  # the reporter's until a WPA takes it
    assert _codes(wpa) == {own.code}
    survivor_grant(actor=senior_wpa, survivor=shared, grantee=wpa)
    assert _codes(wpa) == {own.code, shared.code}
    survivor_revoke(actor=senior_wpa, survivor=shared, grantee=wpa)
    assert _codes(wpa) == {own.code}
    Membership.objects.filter(user=wpa).update(field_office=other_office)  # moved: own case dormant
    assert _codes(wpa) == set()
    Membership.objects.filter(user=wpa).update(field_office=own.field_office)
    assert _codes(wpa) == {own.code}


def test_wpas_of_the_same_scope_each_see_their_own_cases(
    make_survivor: Callable[..., Survivor], wpa: User, office: FieldOffice
) -> None:
    twin = UserFactory(username="twin_wpa", roles=["wpa"], offices=[office])
    mine, theirs = make_survivor(wpa), make_survivor(twin)
    assert _codes(wpa) == {mine.code}
    assert _codes(twin) == {theirs.code}
    assert _codes(wpa) == {mine.code}


def test_a_row_holds_no_plaintext(make_survivor: Callable[..., Survivor], wpa: User) -> None:
    case = make_survivor(wpa, name="Esperance Kavira")
    (row,) = selectors.survivor_page(user=wpa).rows
    assert (row.pk, row.public_id, row.identifying, row.is_erased) == (
        case.pk,
        str(case.public_id),
        True,
        False,
    )
    assert row.assigned_wpa == wpa.username and row.assigned_wpa_name == wpa.display_name
    assert "Esperance" not in repr(row)
    stored = (row.sealed_name.blob, row.sealed_name.wrapped_key)
    assert all(b"Esperance" not in bytes(value or b"") for value in stored)
    values = [getattr(row, field.name) for field in dataclasses.fields(row)]
    assert not any(isinstance(value, str) and "Esperance" in value for value in values)
    names = selectors.survivor_names_reveal(user=wpa, survivors=[row], kind=AccessEvent.Kind.LIST)
    assert names == {case.pk: "Esperance Kavira"}


def test_an_erased_case_is_listed_without_its_name(make_survivor: Callable[..., Survivor], wpa: User) -> None:
    case = make_survivor(wpa)
    Survivor.objects.filter(pk=case.pk).update(erased_at=case.created_at)
    (row,) = selectors.survivor_page(user=wpa).rows
    assert row.is_erased
    assert selectors.survivor_names_reveal(user=wpa, survivors=[row], kind=AccessEvent.Kind.LIST) == {}
    assert not AccessEvent.objects.exists()


def test_hidden_names_open_no_ciphertext(
    make_survivor: Callable[..., Survivor],
    wpa: User,
    login: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case = make_survivor(wpa)
    opened: list[Any] = []
    real = EncryptedField.decrypt_many

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(EncryptedField, "decrypt_many", spy)
    client = login(wpa)
    hidden = client.get(reverse("survivors:list") + "?names=hide")
    assert hidden.status_code == 200 and case.code in hidden.content.decode()
    assert opened == [] and not AccessEvent.objects.exists()
    assert "Esperance Kavira" in client.get(reverse("survivors:list")).content.decode()
    assert len(opened) == 1


def test_a_time_taken_in_python_is_never_kept_with_the_first_page(
    wpa: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first page's statement is kept per scope: an arm comparing with a time taken in
    Python (not the database's clock) would keep that time, and is refused."""
    real = list_rows.identifying_arms

    def frozen_clock(user: Any) -> list[Any]:
        return [arm.filter(created_at__lte=timezone.now()) for arm in real(user)]

    monkeypatch.setattr(list_rows, "identifying_arms", frozen_clock)
    with pytest.raises(RuntimeError, match="database's clock"):
        list_rows.newest_heads(wpa, after=None, size=51)
