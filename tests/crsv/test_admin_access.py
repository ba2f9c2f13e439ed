"""Issue 8 item 2: in the admin site nobody raises herself, nobody makes a superuser, and only the
admin role manages users. Through the admin pages, with the personas of tests/conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from crsv.accounts import services
from crsv.accounts.models import FieldOffice, Membership, User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from tests.conftest import verify_second_factor
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
USER_ACTIONS = [choice for choice in AuditEvent.Action.values if choice.startswith("user.")]


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def change_data(user: User, **overrides: Any) -> dict[str, Any]:
    """The change form as the admin page would post it, for `user` as she is now."""
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "offices": list(user.memberships.values_list("field_office_id", flat=True)),
        "_save": "Save",
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def roles_of(user: User) -> set[str]:
    return set(Group.objects.filter(user=user).values_list("name", flat=True))


def offices_of(user: User) -> set[int]:
    return set(Membership.objects.filter(user=user).values_list("field_office_id", flat=True))


def user_audit_rows() -> int:
    return AuditEvent.objects.filter(action__in=USER_ACTIONS).count()


def errors_of(response: Any) -> str:
    return str(response.context["adminform"].form.errors)


def test_admin_cannot_make_herself_senior_wpa(login: Login, admin_user: User) -> None:
    client = login(admin_user)
    for roles in ([Role.ADMIN, Role.SENIOR_WPA], [Role.SENIOR_WPA]):
        response = client.post(change_url(admin_user), change_data(admin_user, roles=roles))

        assert response.status_code == 200  # the form again, with the refusal next to the field
        assert "You cannot change your own roles: ask another administrator." in errors_of(response)
        assert "You cannot change your own roles" in response.content.decode()
    assert roles_of(admin_user) == {Role.ADMIN}
    assert user_audit_rows() == 0


def test_admin_cannot_change_her_own_offices_nor_through_an_inline(
    login: Login, admin_user: User, office: FieldOffice, other_office: FieldOffice
) -> None:
    client = login(admin_user)
    data = change_data(admin_user, offices=[office.pk, other_office.pk])
    response = client.post(change_url(admin_user), data)

    assert response.status_code == 200
    assert "You cannot change your own field offices: ask another administrator." in errors_of(response)

    # The membership inline of before is gone: a crafted inline formset adds nothing.
    crafted = change_data(admin_user) | {
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-field_office": str(other_office.pk),
        "memberships-0-user": str(admin_user.pk),
    }
    assert client.post(change_url(admin_user), crafted).status_code == 302
    assert offices_of(admin_user) == {office.pk}
    assert user_audit_rows() == 0  # nothing changed, nothing to audit


def test_admin_cannot_deactivate_herself(login: Login, admin_user: User) -> None:
    client = login(admin_user)
    response = client.post(
        change_url(admin_user), change_data(admin_user, is_active=None) | {"is_active": ""}
    )

    assert response.status_code == 200
    assert "You cannot deactivate your own account." in errors_of(response)
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_crafted_superuser_staff_and_permissions_are_not_saved(
    login: Login, admin_user: User, wpa: User
) -> None:
    client = login(admin_user)
    admin_group = Group.objects.get(name=Role.ADMIN)
    permission = Permission.objects.get(codename="view_accessevent")
    crafted = change_data(wpa, first_name="Esther") | {
        "is_superuser": "on",
        "is_staff": "on",
        "user_permissions": [str(permission.pk)],
        "groups": [str(admin_group.pk)],
    }
    response = client.post(change_url(wpa), crafted)

    assert response.status_code == 302
    wpa.refresh_from_db()
    assert wpa.first_name == "Esther"
    assert not wpa.is_superuser
    assert not wpa.is_staff
    assert not wpa.user_permissions.exists()
    assert roles_of(wpa) == {Role.WPA}


def test_crafted_superuser_on_the_add_form_is_not_saved(
    login: Login, admin_user: User, office: FieldOffice
) -> None:
    client = login(admin_user)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "is_active": "on",
            "roles": [Role.AUDITOR],
            "offices": [office.pk],
            "is_superuser": "on",
            "user_permissions": [str(Permission.objects.get(codename="change_user").pk)],
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.is_superuser
    assert not newcomer.user_permissions.exists()
    assert newcomer.is_staff  # follows from the auditor role
    assert roles_of(newcomer) == {Role.AUDITOR}
    assert offices_of(newcomer) == {office.pk}
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_CREATED)
    assert event.actor == admin_user
    assert event.object_public_id == newcomer.public_id
    assert event.changes["roles"] == {"before": [], "after": ["auditor"]}
    assert event.changes["offices"] == {"before": [], "after": ["MONUSCO-GOM"]}
    assert "a-long-enough-passphrase" not in str(event.changes)


def test_admin_role_with_another_role_is_refused(login: Login, admin_user: User, wpa: User) -> None:
    client = login(admin_user)
    response = client.post(change_url(wpa), change_data(wpa, roles=[Role.ADMIN, Role.WPA]))

    assert response.status_code == 200
    assert "The Administrator role cannot be combined with any other role" in errors_of(response)
    assert roles_of(wpa) == {Role.WPA}
    assert user_audit_rows() == 0


def test_admin_role_with_another_role_when_the_setting_allows_it(
    login: Login, admin_user: User, wpa: User, settings: Any
) -> None:
    settings.CRSV_ALLOW_ADMIN_WITH_OTHER_ROLES = True
    client = login(admin_user)

    assert client.post(change_url(wpa), change_data(wpa, roles=[Role.ADMIN, Role.WPA])).status_code == 302
    assert roles_of(wpa) == {Role.ADMIN, Role.WPA}


def test_admin_makes_another_user_an_admin(login: Login, admin_user: User, analyst: User) -> None:
    client = login(admin_user)

    assert client.post(change_url(analyst), change_data(analyst, roles=[Role.ADMIN])).status_code == 302
    analyst.refresh_from_db()
    assert roles_of(analyst) == {Role.ADMIN}
    assert analyst.is_staff  # follows from the role


@pytest.mark.parametrize("persona", ["auditor", "wpa", "senior_wpa"])
def test_only_the_admin_role_manages_users(login: Login, request: Any, persona: str, wpa: User) -> None:
    user: User = request.getfixturevalue(persona)
    user.is_staff = True  # even a staff flag set by hand does not open the user screens
    user.save()
    client = login(user)

    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(change_url(wpa)).status_code == 403
    response = client.post(change_url(wpa), change_data(wpa, roles=[Role.SENIOR_WPA]))
    assert response.status_code == 403
    assert client.post(reverse("admin:auth_user_password_change", args=[wpa.pk])).status_code == 403
    assert roles_of(wpa) == {Role.WPA}


def test_a_superuser_without_the_admin_role_does_not_manage_users(wpa: User) -> None:
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(root)
    verify_second_factor(client, root)

    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    response = client.post(change_url(wpa), change_data(wpa, roles=[Role.SENIOR_WPA]))
    assert response.status_code == 403
    assert roles_of(wpa) == {Role.WPA}


def test_a_superuser_account_is_read_only_for_the_admin(login: Login, admin_user: User) -> None:
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = login(admin_user)

    assert client.get(change_url(root)).status_code == 200  # shown, read-only
    response = client.post(change_url(root), change_data(root, is_active=None) | {"is_active": ""})
    assert response.status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    response = client.post(
        password_url, {"password1": "x-new-passphrase-1", "password2": "x-new-passphrase-1"}
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active
    assert root.check_password(PASSWORD)


def test_roles_are_read_only_in_the_admin(login: Login, admin_user: User) -> None:
    client = login(admin_user)
    group = Group.objects.get(name=Role.AUDITOR)

    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200
    assert client.post(reverse("admin:auth_group_add"), {"name": "root"}).status_code == 403
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]), {"name": "auditor", "permissions": []}
    )
    assert response.status_code == 403


def test_the_service_refuses_what_the_form_refuses(admin_user: User, auditor: User, wpa: User) -> None:
    """The rules live in the service: a caller other than the admin site meets them too."""
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError) as refused:
        services.user_access_change(
            actor=admin_user, user=admin_user, roles=[Role.SENIOR_WPA], offices=[], is_active=True
        )
    assert set(refused.value.message_dict) == {"roles", "offices"}
    with pytest.raises(PermissionDenied):
        services.user_access_change(
            actor=auditor, user=wpa, roles=[Role.SENIOR_WPA], offices=wpa.offices(), is_active=True
        )
    assert roles_of(wpa) == {Role.WPA}
    assert roles_of(admin_user) == {Role.ADMIN}


def test_the_user_pages_offer_no_superuser_staff_or_permission_field(
    login: Login, admin_user: User, wpa: User
) -> None:
    client = login(admin_user)
    pages = [
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_add"),
        change_url(wpa),
        change_url(admin_user),
        reverse("admin:auth_user_password_change", args=[wpa.pk]),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        for field in ("is_superuser", "is_staff", "user_permissions", "groups"):
            assert f'name="{field}"' not in html, (page, field)
    assert 'name="roles"' in client.get(change_url(wpa)).content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_static/staticdevice/",
        "/admin/axes/accesslog/",
        "/admin/axes/accessfailurelog/",
    ],
)
def test_two_factor_devices_and_axes_logs_are_in_no_screen(login: Any, path: str) -> None:
    """Not even for a superuser: a device row holds the TOTP secret, and editing it would
    bypass the audited reset."""
    root = User.objects.create_superuser("root", password="a-long-password-for-root")
    assert login(root).get(path).status_code == 404
