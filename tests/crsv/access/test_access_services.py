"""`user_access_change` and `user_active_set` (crsv.accounts.services) with membership end dates:
each rule, the audit row's names and end dates before and after, and whose credentials end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from crsv.accounts import services
from crsv.accounts.access_rules import access_of, access_version
from crsv.accounts.models import ApiToken, FieldOffice, Membership, User, UserSession
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from tests.crsv.access.conftest import signed_in

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def _ends(user: User) -> dict[str, object]:
    return {
        m.field_office.code: m.ends_on
        for m in Membership.objects.filter(user=user).select_related("field_office")
    }


def _change(actor: User, user: User, offices: list[FieldOffice], **kwargs: object) -> AuditEvent | None:
    roles = kwargs.pop("roles", [Role.WPA])
    return services.user_access_change(
        actor=actor,
        user=user,
        roles=roles,
        offices=offices,
        is_active=True,
        **kwargs,  # type: ignore[arg-type]
    )


def test_an_office_with_an_end_date_is_saved_and_audited_by_name(
    admin_user: User, target: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    client = signed_in(target)
    last_day = timezone.localdate() + timedelta(days=30)

    event = _change(admin_user, target, [office, other_office], ends_on={other_office.pk: last_day})

    assert event is not None and event.action == Action.USER_ACCESS_CHANGED
    assert event.actor == admin_user and event.object_public_id == target.public_id
    assert event.changes == {
        "offices": {"before": ["MONUSCO-GOM"], "after": ["MONUSCO-BUN", "MONUSCO-GOM"]},
        "office_end_dates": {"before": {}, "after": {"MONUSCO-BUN": last_day.isoformat()}},
    }
    assert _ends(target) == {"GOM": None, "BUN": last_day}
    assert client.get("/").status_code == 302  # a new office: her sessions ended


def test_moving_or_removing_an_end_date_is_audited_and_her_sessions_live_on(
    admin_user: User, target: User, office: FieldOffice
) -> None:
    client = signed_in(target)
    first, later = timezone.localdate() + timedelta(days=3), timezone.localdate() + timedelta(days=60)

    moved = _change(admin_user, target, [office], ends_on={office.pk: first})
    assert moved is not None and moved.action == Action.USER_ACCESS_CHANGED
    assert moved.changes == {"office_end_dates": {"before": {}, "after": {"MONUSCO-GOM": first.isoformat()}}}
    again = _change(admin_user, target, [office], ends_on={office.pk: later})
    assert again is not None
    assert again.changes["office_end_dates"] == {
        "before": {"MONUSCO-GOM": first.isoformat()},
        "after": {"MONUSCO-GOM": later.isoformat()},
    }
    removed = _change(admin_user, target, [office], ends_on={})
    assert removed is not None
    assert removed.changes["office_end_dates"]["after"] == {}
    assert _ends(target) == {"GOM": None}
    assert client.get("/").status_code == 200  # today's scope is unchanged: nothing ended
    assert not ApiToken.objects.filter(user=target, revoked_at__isnull=False).exists()


def test_a_change_without_end_dates_keeps_the_stored_ones(
    admin_user: User, target: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    """The admin site does not show end dates: its changes (ends_on=None) keep them."""
    last_day = timezone.localdate() + timedelta(days=10)
    _change(admin_user, target, [office], ends_on={office.pk: last_day})

    event = _change(admin_user, target, [office, other_office], roles=[Role.SENIOR_WPA])

    assert _ends(target) == {"GOM": last_day, "BUN": None}
    assert event is not None and "office_end_dates" not in event.changes
    assert event.changes["roles"] == {"before": ["wpa"], "after": ["senior_wpa"]}


def test_an_end_date_in_the_past_is_refused_and_a_stored_one_may_stay(
    admin_user: User, target: User, office: FieldOffice
) -> None:
    yesterday = timezone.localdate() - timedelta(days=2)
    with pytest.raises(ValidationError) as refused:
        _change(admin_user, target, [office], ends_on={office.pk: yesterday})
    assert refused.value.error_dict["ends_on"][0].code == "end_past"
    assert "Goma" in refused.value.messages[0]
    assert _ends(target) == {"GOM": None}

    # Already past (the beat task has not ended it yet): kept as it is, other changes go through.
    Membership.objects.filter(user=target).update(ends_on=yesterday)
    event = _change(admin_user, target, [office], roles=[Role.REPORTER], ends_on={office.pk: yesterday})
    assert event is not None and set(event.changes) == {"roles"}


def test_an_end_date_only_for_a_chosen_office(
    admin_user: User, target: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    later = timezone.localdate() + timedelta(days=5)
    with pytest.raises(ValidationError) as refused:
        _change(admin_user, target, [office], ends_on={other_office.pk: later})
    assert refused.value.error_dict["ends_on"][0].code == "end_not_member"
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_nobody_moves_her_own_end_date(admin_user: User, admin_two: User, office: FieldOffice) -> None:
    later = timezone.localdate() + timedelta(days=5)
    with pytest.raises(ValidationError) as refused:
        services.user_access_change(
            actor=admin_user,
            user=admin_user,
            roles=[Role.ADMIN],
            offices=[office],
            is_active=True,
            ends_on={office.pk: later},
        )
    assert refused.value.error_dict["offices"][0].code == "own_offices"
    # Another administrator may.
    assert services.user_access_change(
        actor=admin_two,
        user=admin_user,
        roles=[Role.ADMIN],
        offices=[office],
        is_active=True,
        ends_on={office.pk: later},
    )
    assert _ends(admin_user) == {"GOM": later}


def test_the_old_rules_stand(admin_user: User, target: User, root: User, office: FieldOffice) -> None:
    with pytest.raises(ValidationError) as alone:
        _change(admin_user, target, [office], roles=[Role.ADMIN, Role.WPA])
    assert alone.value.error_dict["roles"][0].code == "admin_alone"
    with pytest.raises(ValidationError) as superuser:
        _change(admin_user, root, [office], roles=[])
    assert superuser.value.messages == [
        "Superuser accounts are managed on the server only, not in this screen."
    ]
    with pytest.raises(PermissionDenied):
        _change(target, target, [office])
    assert set(Group.objects.filter(user=target).values_list("name", flat=True)) == {Role.WPA}


def test_a_change_from_a_stale_form_is_refused(admin_user: User, target: User, office: FieldOffice) -> None:
    seen = access_version(access_of(target))
    assert _change(admin_user, target, [office], roles=[Role.REPORTER], expected_version=seen)
    with pytest.raises(ValidationError) as stale:
        # Built on what was there before the first change: it would give the WPA role back.
        _change(admin_user, target, [office], roles=[Role.WPA, Role.REPORTER], expected_version=seen)
    assert stale.value.code == "stale"
    assert set(Group.objects.filter(user=target).values_list("name", flat=True)) == {Role.REPORTER}


def test_an_administrator_deactivated_or_demoted_meanwhile_may_not_act(
    admin_user: User, target: User, office: FieldOffice
) -> None:
    """The actor is read again once the rows are locked, not trusted from her request."""
    User.objects.filter(pk=admin_user.pk).update(is_active=False)
    with pytest.raises(PermissionDenied):
        _change(admin_user, target, [office], roles=[Role.SENIOR_WPA])
    User.objects.filter(pk=admin_user.pk).update(is_active=True)
    admin_user.groups.clear()
    with pytest.raises(PermissionDenied):
        services.user_active_set(actor=admin_user, user=target, is_active=False)
    target.refresh_from_db()
    assert target.is_active
    assert set(Group.objects.filter(user=target).values_list("name", flat=True)) == {Role.WPA}


def test_deactivation_ends_every_credential_and_reactivation_is_audited(
    admin_user: User, target: User, api_client: Client
) -> None:
    client = signed_in(target)
    raw, _token = services.api_token_issue(user=target)
    assert UserSession.objects.filter(user=target).count() == 1

    event = services.user_active_set(actor=admin_user, user=target, is_active=False)

    assert event is not None and event.action == Action.USER_DEACTIVATED
    assert event.changes == {"is_active": {"before": True, "after": False}}
    assert client.get("/").status_code == 302
    assert api_client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert not UserSession.objects.filter(user=target).exists()
    assert services.user_active_set(actor=admin_user, user=target, is_active=False) is None  # no change
    back = services.user_active_set(actor=admin_user, user=target, is_active=True)
    assert back is not None and back.action == Action.USER_ACTIVATED
    assert set(Group.objects.filter(user=target).values_list("name", flat=True)) == {Role.WPA}


def test_deactivation_keeps_a_membership_past_its_end_date(
    admin_user: User, target: User, office: FieldOffice
) -> None:
    """Its end is the beat task's to record: a deactivation is not an office change."""
    Membership.objects.filter(user=target).update(ends_on=timezone.localdate() - timedelta(days=3))
    event = services.user_active_set(actor=admin_user, user=target, is_active=False)
    assert event is not None and set(event.changes) == {"is_active"}
    assert Membership.objects.filter(user=target, field_office=office).exists()


def test_nobody_deactivates_herself_nor_a_superuser(admin_user: User, root: User) -> None:
    with pytest.raises(ValidationError) as own:
        services.user_active_set(actor=admin_user, user=admin_user, is_active=False)
    assert own.value.error_dict["is_active"][0].code == "own_active"
    with pytest.raises(ValidationError):
        services.user_active_set(actor=admin_user, user=root, is_active=False)
    assert User.objects.filter(pk__in=[admin_user.pk, root.pk], is_active=True).count() == 2
