"""Issue 8 item 3: privilege changes made in the admin site write an AuditEvent with the names
before and after, in the same transaction, and end the user's sessions and tokens; the auditor
reads the access log (AccessEvent) in the admin, the administrator does not."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role
from crsv.accounts.services import api_token_issue
from crsv.audit.models import AccessEvent, AuditEvent
from crsv.audit.services import access_record
from tests.conftest import verify_second_factor
from tests.crsv.test_admin_access import change_data, change_url

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
API = "/api/v1/incidents/"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def bearer_status(api_client: Any, raw: str) -> int:
    return int(api_client.get(API, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code)


def test_a_role_change_is_audited_and_ends_the_users_sessions_and_tokens(
    login: Login, api_client: Any, admin_user: User, wpa: User
) -> None:
    target = signed_in(wpa)
    raw, _ = api_token_issue(user=wpa)
    assert target.get("/").status_code == 200
    assert bearer_status(api_client, raw) == 200
    admin = login(admin_user)
    before = AuditEvent.objects.count()  # the sign-ins are audited too

    response = admin.post(change_url(wpa), change_data(wpa, roles=[Role.SENIOR_WPA]), REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 302
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_ACCESS_CHANGED)
    assert event.actor == admin_user
    assert event.object_type == "accounts.user"
    assert event.object_public_id == wpa.public_id
    assert event.ip_address == "10.1.2.3"
    assert event.changes == {"roles": {"before": ["wpa"], "after": ["senior_wpa"]}}
    assert target.get("/").status_code == 302  # signed out: back to the sign-in page
    assert bearer_status(api_client, raw) == 401


def test_an_office_change_is_audited_by_office_names(
    login: Login, api_client: Any, admin_user: User, wpa: User, other_office: FieldOffice
) -> None:
    target = signed_in(wpa)
    raw, _ = api_token_issue(user=wpa)
    admin = login(admin_user)

    assert admin.post(change_url(wpa), change_data(wpa, offices=[other_office.pk])).status_code == 302

    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_ACCESS_CHANGED)
    assert event.changes == {"offices": {"before": ["MONUSCO-GOM"], "after": ["MONUSCO-BUN"]}}
    assert target.get("/").status_code == 302
    assert bearer_status(api_client, raw) == 401


def test_a_name_change_is_audited_without_values_and_keeps_the_session(
    login: Login, admin_user: User, wpa: User
) -> None:
    target = signed_in(wpa)
    admin = login(admin_user)

    assert (
        admin.post(change_url(wpa), change_data(wpa, email="esther@monusco.example.org")).status_code == 302
    )

    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_CHANGED)
    assert event.changes == {"profile": {"fields": ["email"]}}
    assert target.get("/").status_code == 200  # not a change of access


def test_deactivation_and_activation_are_audited(login: Login, admin_user: User, wpa: User) -> None:
    admin = login(admin_user)

    assert admin.post(change_url(wpa), change_data(wpa, is_active=None)).status_code == 302
    wpa.refresh_from_db()
    assert not wpa.is_active
    assert admin.post(change_url(wpa), change_data(wpa)).status_code == 302  # unchanged: no row
    assert admin.post(change_url(wpa), change_data(wpa, is_active="on")).status_code == 302

    deactivated = AuditEvent.objects.get(action=AuditEvent.Action.USER_DEACTIVATED)
    assert deactivated.changes == {"is_active": {"before": True, "after": False}}
    activated = AuditEvent.objects.get(action=AuditEvent.Action.USER_ACTIVATED)
    assert activated.changes == {"is_active": {"before": False, "after": True}}


def test_a_password_set_by_the_admin_is_audited_and_ends_sessions_and_tokens(
    login: Login, api_client: Any, admin_user: User, wpa: User
) -> None:
    target = signed_in(wpa)
    raw, _ = api_token_issue(user=wpa)
    admin = login(admin_user)
    secret = "a-brand-new-passphrase-42"

    response = admin.post(
        reverse("admin:auth_user_password_change", args=[wpa.pk]),
        {"usable_password": "true", "password1": secret, "password2": secret},
    )

    assert response.status_code == 302
    wpa.refresh_from_db()
    assert wpa.check_password(secret)
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_PASSWORD_SET)
    assert event.actor == admin_user
    assert event.object_public_id == wpa.public_id
    assert secret not in str(event.changes)
    assert event.changes == {"password_usable": {"before": True, "after": True}}
    assert target.get("/").status_code == 302
    assert bearer_status(api_client, raw) == 401
    assert admin.get(reverse("admin:accounts_user_changelist")).status_code == 200  # hers lives on


def test_a_refused_change_writes_nothing(login: Login, admin_user: User, wpa: User) -> None:
    """All or nothing: a refusal leaves neither a half-saved user nor an audit row."""
    admin = login(admin_user)
    before = AuditEvent.objects.count()

    response = admin.post(
        change_url(wpa), change_data(wpa, first_name="Changed", roles=[Role.ADMIN, Role.SENIOR_WPA])
    )

    assert response.status_code == 200
    wpa.refresh_from_db()
    assert wpa.first_name != "Changed"
    assert AuditEvent.objects.count() == before


def test_the_changes_column_is_append_only_too(admin_user: User, wpa: User) -> None:
    from crsv.accounts.services import user_access_change

    event = user_access_change(
        actor=admin_user, user=wpa, roles=[Role.REPORTER], offices=wpa.offices(), is_active=True
    )
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(changes={})
    event.refresh_from_db()
    assert event.changes == {"roles": {"before": ["wpa"], "after": ["reporter"]}}


def _access_events(actor: User, count: int) -> None:
    access_record(actor=actor, survivor_public_ids=[uuid.uuid4() for _ in range(count)], kind="view")


def test_the_auditor_reads_the_access_log_in_the_admin(login: Login, auditor: User, wpa: User) -> None:
    _access_events(wpa, 2)
    client = login(auditor)
    url = reverse("admin:audit_accessevent_changelist")

    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    assert str(AccessEvent.objects.first().survivor_public_id) in response.content.decode()  # type: ignore[union-attr]
    _access_events(wpa, 20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)  # the actor is joined, not read per row
    event = AccessEvent.objects.first()
    assert event is not None
    assert client.get(reverse("admin:audit_accessevent_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200


def test_the_access_log_is_read_only_for_the_auditor(login: Login, auditor: User, wpa: User) -> None:
    _access_events(wpa, 1)
    event = AccessEvent.objects.get()
    client = login(auditor)

    assert client.post(reverse("admin:audit_accessevent_add"), {}).status_code == 403
    response = client.post(reverse("admin:audit_accessevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AccessEvent.objects.count() == 1


@pytest.mark.parametrize("model", ["accessevent", "auditevent"])
def test_the_admin_does_not_read_the_audit_trail(
    login: Login, admin_user: User, wpa: User, model: str
) -> None:
    _access_events(wpa, 1)
    client = login(admin_user)

    assert client.get(reverse(f"admin:audit_{model}_changelist")).status_code == 403


def test_bootstrap_gives_each_role_exactly_its_permissions() -> None:
    from django.contrib.auth.models import Group

    auditor = Group.objects.get(name=Role.AUDITOR)
    wpa = Group.objects.get(name=Role.WPA)
    wpa.permissions.add(Permission.objects.get(codename="change_user"))  # granted by hand

    call_command("bootstrap", stdout=io.StringIO())

    assert set(auditor.permissions.values_list("codename", flat=True)) == {
        "view_auditevent",
        "view_accessevent",
    }
    assert not wpa.permissions.exists()
    admin_codes = set(Group.objects.get(name=Role.ADMIN).permissions.values_list("codename", flat=True))
    assert "change_user" in admin_codes
    assert not {"add_membership", "change_membership", "delete_membership"} & admin_codes


def test_the_first_administrator_is_made_on_the_server(login: Login, office: FieldOffice) -> None:
    """`createsuperuser` then `bootstrap --admin NAME`: nobody gives herself the role on a screen."""
    root = User.objects.create_superuser("root", "root@example.org", "a-long-enough-passphrase")
    out = io.StringIO()

    call_command("bootstrap", "--admin", "root", stdout=out)

    assert "root is now an administrator" in out.getvalue()
    root.refresh_from_db()
    assert root.is_staff
    assert root.has_role(Role.ADMIN)
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_ACCESS_CHANGED)
    assert event.actor is None
    assert event.changes == {"roles": {"before": [], "after": ["admin"]}}
    assert login(root).get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_the_first_administrator_may_be_given_field_offices(office: FieldOffice) -> None:
    """`bootstrap --admin NAME --office MONUSCO-GOM`: her offices' missions are the service
    directory she manages; nobody gives herself an office on a screen."""
    from django.core.management import CommandError

    root = User.objects.create_superuser("root", "root@example.org", "a-long-enough-passphrase")
    with pytest.raises(CommandError, match="No field office 'MONUSCO-XYZ'"):
        call_command("bootstrap", "--admin", "root", "--office", "MONUSCO-XYZ", stdout=io.StringIO())
    call_command("bootstrap", "--admin", "root", "--office", "MONUSCO-GOM", stdout=io.StringIO())

    assert root.has_role(Role.ADMIN) and root.office_ids() == [office.pk]
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_ACCESS_CHANGED)
    assert event.changes["offices"] == {"before": [], "after": ["MONUSCO-GOM"]}
    out = io.StringIO()
    call_command("bootstrap", "--admin", "root", "--office", "MONUSCO-GOM", stdout=out)
    assert "root already is an administrator" in out.getvalue()


def test_bootstrap_admin_refuses_an_account_with_another_role(wpa: User) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="cannot be combined"):
        call_command("bootstrap", "--admin", "wpa", stdout=io.StringIO())
    assert not wpa.has_role(Role.ADMIN)


def test_the_admin_role_unlocks_a_sign_in_in_the_admin_site(
    login: Login, admin_user: User, wpa: User
) -> None:
    """Issue 8 item 4 says the admin can unlock: `bootstrap` gives her role the axes permissions."""
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="wpa", ip_address="198.51.100.7", user_agent="", failures_since_start=9
    )
    call_command("bootstrap", stdout=io.StringIO())
    client = login(admin_user)

    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_UNLOCKED)
    assert event.actor == admin_user
    assert event.object_public_id == wpa.public_id
    assert event.changes == {"client_address": "198.51.100.7", "failures": 9}
