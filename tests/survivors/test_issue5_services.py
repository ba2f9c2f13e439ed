"""Grants, revocation, expiry, break-glass, search and erasure (issue 5), through the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from crsv import crypto
from crsv.accounts.models import User
from crsv.audit.models import AuditEvent
from survivors import selectors
from survivors.identity import SurvivorIdentity
from survivors.models import Survivor, SurvivorSearchEntry, SurvivorUserObjectPermission
from survivors.services import (
    survivor_break_glass,
    survivor_erase,
    survivor_grant,
    survivor_revoke,
)

pytestmark = pytest.mark.django_db


def _identifies(user: User, survivor: Survivor) -> bool:
    return Survivor.objects.identifying_to(user).filter(pk=survivor.pk).exists()


@pytest.mark.parametrize("grantee_fixture", ["wpa_other", "reporter"])
def test_grant_then_revoke(
    request: pytest.FixtureRequest, case: Survivor, senior_wpa: User, grantee_fixture: str
) -> None:
    grantee = request.getfixturevalue(grantee_fixture)
    assert not Survivor.objects.visible_to(grantee).filter(pk=case.pk).exists()
    survivor_grant(actor=senior_wpa, survivor=case, grantee=grantee)
    assert _identifies(grantee, case)
    survivor_revoke(actor=senior_wpa, survivor=case, grantee=grantee)
    assert not Survivor.objects.visible_to(grantee).filter(pk=case.pk).exists()
    actions = list(
        AuditEvent.objects.filter(object_public_id=case.public_id).values_list("action", flat=True)
    )
    assert "survivor.grant" in actions and "survivor.revoke" in actions


def test_grant_expiry_takes_effect_without_any_job(case: Survivor, senior_wpa: User, wpa_other: User) -> None:
    grant = survivor_grant(
        actor=senior_wpa, survivor=case, grantee=wpa_other, expires_at=timezone.now() + timedelta(hours=1)
    )
    assert _identifies(wpa_other, case)
    SurvivorUserObjectPermission.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert not _identifies(wpa_other, case)


@pytest.mark.parametrize(
    ("actor_fixture", "grantee_fixture", "error"),
    [
        ("wpa", "wpa_other", PermissionDenied),  # only a senior WPA grants
        ("senior_wpa", "analyst", ValidationError),  # only WPAs and reporters receive
        ("senior_wpa", "outsider", ValidationError),  # another mission
    ],
)
def test_grant_refusals(
    request: pytest.FixtureRequest, case: Survivor, actor_fixture: str, grantee_fixture: str, error: type
) -> None:
    with pytest.raises(error):
        survivor_grant(
            actor=request.getfixturevalue(actor_fixture),
            survivor=case,
            grantee=request.getfixturevalue(grantee_fixture),
        )
    assert not SurvivorUserObjectPermission.objects.exists()


def test_grant_list_plan_is_an_index_scan(case: Survivor, senior_wpa: User, wpa_other: User) -> None:
    survivor_grant(actor=senior_wpa, survivor=case, grantee=wpa_other)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # what the planner does on a big table
        plan = selectors.survivor_list(user=wpa_other)[:50].explain()
    # Read through an index led by the user (ours, or guardian's own on the user column).
    assert "Seq Scan on survivors_survivoruserobjectpermission" not in plan
    assert "on survivors_survivoruserobjectpermission" in plan


def test_break_glass(case: Survivor, senior_wpa: User) -> None:
    assert not _identifies(senior_wpa, case)
    with pytest.raises(ValidationError):
        survivor_break_glass(actor=senior_wpa, survivor=case, reason="short")
    access = survivor_break_glass(
        actor=senior_wpa, survivor=case, reason="Survivor called the hotline; urgent safety check"
    )
    assert _identifies(senior_wpa, case)
    assert access.reason.startswith("Survivor called")
    assert b"hotline" not in bytes(access.reason_ct)
    assert AuditEvent.objects.filter(action="survivor.break_glass", actor=senior_wpa).exists()
    type(access).objects.filter(pk=access.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not _identifies(senior_wpa, case)


def test_break_glass_only_for_senior_wpa(case: Survivor, wpa_other: User) -> None:
    with pytest.raises(PermissionDenied):
        survivor_break_glass(actor=wpa_other, survivor=case, reason="I would like to see this case please")


def test_search_by_name_phone_and_code(
    make_survivor: Callable[..., Survivor], wpa: User, senior_wpa: User, wpa_other: User
) -> None:
    case = make_survivor(wpa, name="Espérance  KAVIRA", phone="0970 000 001")
    make_survivor(wpa, name="Someone Else", phone="+243 970 000 002")
    assert list(selectors.survivor_search(user=wpa, name="esperance kavira")) == [case]
    assert list(selectors.survivor_search(user=wpa, phone="+243970000001")) == [case]
    assert list(selectors.survivor_search(user=wpa, phone="00243 970-000-001")) == [case]
    assert list(selectors.survivor_search(user=wpa, code=case.code.lower())) == [case]
    # A senior WPA sees the code, but a name search must not tell her whose case it is.
    assert list(selectors.survivor_search(user=senior_wpa, code=case.code)) == [case]
    assert not selectors.survivor_search(user=senior_wpa, name="Esperance Kavira").exists()
    # Out of scope: nothing at all.
    assert not selectors.survivor_search(user=wpa_other, code=case.code).exists()
    assert not selectors.survivor_search(user=wpa_other, name="Esperance Kavira").exists()
    assert not selectors.survivor_search(user=wpa, phone="not a phone").exists()


def test_erase(case: Survivor, senior_wpa: User, wpa: User, wpa_other: User) -> None:
    survivor_grant(actor=senior_wpa, survivor=case, grantee=wpa_other)
    assert SurvivorSearchEntry.objects.filter(survivor=case).count() == 2
    with pytest.raises(PermissionDenied):
        survivor_erase(actor=wpa, survivor=case, reason="survivor_request")
    survivor_erase(actor=senior_wpa, survivor=case, reason="survivor_request")
    case.refresh_from_db()
    assert case.erased_at is not None
    assert not SurvivorSearchEntry.objects.filter(survivor=case).exists()
    assert not SurvivorUserObjectPermission.objects.filter(content_object=case).exists()
    with pytest.raises(crypto.DecryptionError):
        SurvivorIdentity.of(case)
    assert case.sex == "female" and case.age == 24  # the profile remains
    assert not selectors.survivor_search(user=wpa, name="Esperance Kavira").exists()
    row = selectors.survivor_get(user=wpa, public_id=case.public_id)
    assert selectors.survivor_reveal(user=wpa, survivor=row, kind="view") is None
    with pytest.raises(ValidationError):
        survivor_erase(actor=senior_wpa, survivor=case, reason="survivor_request")
