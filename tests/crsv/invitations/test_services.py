"""The invitation services: who may invite, what is created (no password, no second factor, only
the token's hash), resend and revoke, and accepting once (password rules, expiry, deactivation)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crsv.accounts.invitations import (
    InvitationRefused,
    invitation_accept,
    invitation_get,
    invitation_resend,
    invitation_revoke,
)
from crsv.accounts.models import AuthenticatorDevice, FieldOffice, Invitation, Membership, User
from crsv.accounts.roles import Role
from crsv.accounts.services import user_access_change
from crsv.audit.models import AuditEvent
from tests.crsv.invitations.conftest import GOOD_PASSWORD, token_of

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


def _actions(user: User) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_public_id=user.public_id)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_sending_creates_the_user_without_password_or_second_factor(
    invite: Callable[..., Invitation], admin_user: User, other_office: FieldOffice
) -> None:
    before = timezone.now()
    invitation = invite()
    user = User.objects.get(username="amani")
    assert invitation.user == user and invitation.invited_by == admin_user
    assert user.is_active and not user.has_usable_password() and user.language == "fr"
    assert not AuthenticatorDevice.objects.filter(user=user).exists()
    assert user.role_names() == {Role.WPA} and user.office_ids() == [other_office.pk]
    assert not user.is_staff and not user.is_superuser
    lifetime = invitation.expires_at - before
    assert timedelta(hours=71, minutes=59) < lifetime <= timedelta(hours=72, seconds=5)
    raw = token_of(invitation)
    assert len(raw) == 43  # 256 bits, URL-safe base64
    assert invitation.token_hash == hashlib.sha256(raw.encode()).hexdigest() != raw
    assert _actions(user) == [Action.USER_CREATED, Action.USER_INVITED]
    invited = AuditEvent.objects.get(action=Action.USER_INVITED)
    assert invited.actor == admin_user and invited.changes["invitation"] == str(invitation.public_id)


def test_the_lifetime_is_a_setting(invite: Callable[..., Invitation], settings: Any) -> None:
    settings.INVITATION_LIFETIME = timedelta(hours=2)
    invitation = invite()
    assert invitation.expires_at - invitation.created_at < timedelta(hours=2, seconds=5)


def test_memberships_keep_their_end_dates(
    invite: Callable[..., Invitation], office: FieldOffice, other_office: FieldOffice
) -> None:
    last_day = timezone.localdate() + timedelta(days=90)
    invitation = invite(offices={office: None, other_office: last_day})
    ends = dict(Membership.objects.filter(user=invitation.user).values_list("field_office_id", "ends_on"))
    assert ends == {office.pk: None, other_office.pk: last_day}
    invited = AuditEvent.objects.get(action=Action.USER_INVITED)
    assert invited.changes["ends_on"] == {"MONUSCO-BUN": last_day.isoformat()}


@pytest.mark.parametrize("persona", ["wpa", "auditor", "senior_wpa", "no_role"])
def test_only_an_administrator_invites(
    invite: Callable[..., Invitation], request: pytest.FixtureRequest, persona: str
) -> None:
    with pytest.raises(PermissionDenied):
        invite(actor=request.getfixturevalue(persona))
    assert not User.objects.filter(username="amani").exists()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"username": "wpa"}, "username"),  # taken (the persona)
        ({"username": "bad name!"}, "username"),
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"language": "xx"}, "language"),
        ({"roles": []}, "roles"),
        ({"roles": [Role.ADMIN, Role.WPA]}, "roles"),  # an administrator must not reach survivor data
        ({"roles": ["king"]}, "roles"),
        ({"offices": "past"}, "ends_on"),
    ],
)
def test_refusals_name_their_field(
    invite: Callable[..., Invitation],
    wpa: User,
    other_office: FieldOffice,
    change: dict[str, Any],
    field: str,
) -> None:
    if change.get("offices") == "past":
        change = {"offices": {other_office: date(2020, 1, 1)}}
    username = change.pop("username", "amani")
    with pytest.raises(ValidationError) as refused:
        invite(username, **change)
    assert field in refused.value.message_dict
    assert not Invitation.objects.exists()
    assert User.objects.count() == 2  # the admin and the WPA persona only


def test_resend_revokes_the_previous_link(invite: Callable[..., Invitation], admin_user: User) -> None:
    first = invite()
    second = invitation_resend(actor=admin_user, invitation=first)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None and second.user == first.user
    assert token_of(second) != token_of(first)
    with pytest.raises(InvitationRefused) as refused:
        invitation_get(token_of(first))
    assert refused.value.status == 410
    assert invitation_get(token_of(second)).pk == second.pk
    assert _actions(first.user)[-2:] == [Action.INVITATION_REVOKED, Action.USER_INVITED]


def test_resend_is_refused_once_accepted_or_deactivated(
    invite: Callable[..., Invitation], admin_user: User, wpa: User
) -> None:
    accepted = invite()
    invitation_accept(token=token_of(accepted), password=GOOD_PASSWORD)
    with pytest.raises(ValidationError):
        invitation_resend(actor=admin_user, invitation=accepted)
    dormant = invite("baraka")
    user_access_change(
        actor=admin_user,
        user=dormant.user,
        roles=[Role.WPA],
        offices=list(dormant.user.offices()),
        is_active=False,
    )
    with pytest.raises(ValidationError):
        invitation_resend(actor=admin_user, invitation=dormant)
    with pytest.raises(PermissionDenied):
        invitation_resend(actor=wpa, invitation=dormant)
    assert Invitation.objects.count() == 2


def test_revoke(invite: Callable[..., Invitation], admin_user: User, wpa: User) -> None:
    invitation = invite()
    with pytest.raises(PermissionDenied):
        invitation_revoke(actor=wpa, invitation=invitation)
    assert invitation_revoke(actor=admin_user, invitation=invitation) is True
    assert invitation_revoke(actor=admin_user, invitation=invitation) is False  # once
    with pytest.raises(InvitationRefused):
        invitation_accept(token=token_of(invitation), password=GOOD_PASSWORD)
    assert _actions(invitation.user).count(Action.INVITATION_REVOKED) == 1
    accepted = invite("baraka")
    invitation_accept(token=token_of(accepted), password=GOOD_PASSWORD)
    with pytest.raises(ValidationError):
        invitation_revoke(actor=admin_user, invitation=accepted)


def test_accepting_sets_her_password_once(invite: Callable[..., Invitation]) -> None:
    invitation = invite()
    user = invitation_accept(token=token_of(invitation), password=GOOD_PASSWORD)
    assert user.check_password(GOOD_PASSWORD)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    event = AuditEvent.objects.get(action=Action.INVITATION_ACCEPTED)
    assert event.actor == user and GOOD_PASSWORD not in str(event.changes)
    with pytest.raises(InvitationRefused) as refused:
        invitation_accept(token=token_of(invitation), password="Another-long-password-77")
    assert refused.value.status == 410 and refused.value.code == "accepted"
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)


@pytest.mark.parametrize("password", ["short1", "password1234", "123456789012", "amani-kahindo"])
def test_django_s_password_rules_apply(invite: Callable[..., Invitation], password: str) -> None:
    invitation = invite()
    with pytest.raises(ValidationError) as refused:
        invitation_accept(token=token_of(invitation), password=password)
    assert "password" in refused.value.message_dict
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # the link still works
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()


def test_an_expired_link_is_refused(invite: Callable[..., Invitation]) -> None:
    invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(InvitationRefused) as refused:
        invitation_accept(token=token_of(invitation), password=GOOD_PASSWORD)
    assert refused.value.status == 410 and refused.value.code == "expired"
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()


def test_a_deactivated_user_s_pending_invitation_cannot_be_accepted(
    invite: Callable[..., Invitation], admin_user: User, other_office: FieldOffice
) -> None:
    invitation = invite()
    user_access_change(
        actor=admin_user, user=invitation.user, roles=[Role.WPA], offices=[other_office], is_active=False
    )
    for attempt in (
        lambda: invitation_get(token_of(invitation)),
        lambda: invitation_accept(token=token_of(invitation), password=GOOD_PASSWORD),
    ):
        with pytest.raises(InvitationRefused) as refused:
            attempt()
        assert refused.value.status == 410
    assert not User.objects.get(pk=invitation.user_id).has_usable_password()


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 500])
def test_unknown_tokens_are_refused(invite: Callable[..., Invitation], token: str) -> None:
    invite()
    with pytest.raises(InvitationRefused) as refused:
        invitation_accept(token=token, password=GOOD_PASSWORD)
    assert refused.value.status == 404
    assert str(refused.value.message) == str(InvitationRefused(status=410, code="expired").message)
