"""crsv.accounts.sessions: an administrator ends one session, every session and token, one token;
resets a second factor; lifts a lockout. Each audited, each refused to a non-administrator, and
a superuser untouchable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from crsv.accounts import sessions, two_factor
from crsv.accounts.models import ApiToken, AuthenticatorDevice, User, UserSession
from crsv.accounts.services import api_token_issue
from crsv.audit.models import AuditEvent
from tests.crsv.access.conftest import signed_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
ME = "/api/v1/incidents/"


def _bearer(api_client: Any, raw: str) -> int:
    return int(api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code)


def test_ending_one_session_signs_out_that_browser_only(admin_user: User, target: User) -> None:
    laptop, phone = signed_in(target), signed_in(target)
    rows = list(UserSession.objects.filter(user=target).order_by("id"))
    assert len(rows) == 2

    sessions.user_session_end(actor=admin_user, user=target, session_id=rows[0].pk)

    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 200
    assert list(UserSession.objects.filter(user=target)) == [rows[1]]
    event = AuditEvent.objects.get(action=Action.SESSION_ENDED)
    assert event.actor == admin_user and event.object_public_id == target.public_id
    assert set(event.changes) == {"signed_in_at", "client_address"}
    assert rows[0].session_key not in str(event.changes)  # the key is a credential


def test_a_session_of_someone_else_is_not_found(admin_user: User, target: User, wpa: User) -> None:
    signed_in(wpa)
    other = UserSession.objects.get(user=wpa)
    with pytest.raises(UserSession.DoesNotExist):
        sessions.user_session_end(actor=admin_user, user=target, session_id=other.pk)
    assert UserSession.objects.filter(pk=other.pk).exists()
    assert not AuditEvent.objects.filter(action=Action.SESSION_ENDED).exists()


def test_ending_everything_ends_sessions_and_tokens(admin_user: User, target: User, api_client: Any) -> None:
    browser = signed_in(target)
    raw, _token = api_token_issue(user=target)
    bystander = signed_in(admin_user)

    event = sessions.user_sessions_end(actor=admin_user, user=target)

    assert event.action == Action.SESSIONS_ENDED
    assert event.changes == {"sessions": 1, "tokens_revoked": 1}
    assert browser.get("/").status_code == 302
    assert _bearer(api_client, raw) == 401
    assert not UserSession.objects.filter(user=target).exists()
    assert bystander.get("/access/").status_code == 200


def test_one_token_is_revoked_once(admin_user: User, target: User, wpa: User, api_client: Any) -> None:
    raw, token = api_token_issue(user=target)
    raw_kept, _kept = api_token_issue(user=target)
    _raw_other, other = api_token_issue(user=wpa)

    assert sessions.user_api_token_revoke(actor=admin_user, user=target, token_public_id=token.public_id)
    assert not sessions.user_api_token_revoke(actor=admin_user, user=target, token_public_id=token.public_id)
    with pytest.raises(ApiToken.DoesNotExist):
        sessions.user_api_token_revoke(actor=admin_user, user=target, token_public_id=other.public_id)

    assert _bearer(api_client, raw) == 401
    assert _bearer(api_client, raw_kept) == 200
    event = AuditEvent.objects.get(action=Action.API_TOKEN_REVOKED)
    assert event.object_public_id == target.public_id
    assert event.changes == {"token": str(token.public_id)}
    other.refresh_from_db()
    assert other.revoked_at is None


def test_second_factor_reset(admin_user: User, target: User) -> None:
    browser = signed_in(target)  # enrols her (a confirmed authenticator)
    assert two_factor.has_two_factor(target)

    sessions.user_two_factor_reset(actor=admin_user, user=target)

    assert not AuthenticatorDevice.objects.filter(user=target).exists()
    assert browser.get("/").status_code == 302
    event = AuditEvent.objects.get(action=Action.TWO_FACTOR_RESET)
    assert event.actor == admin_user and event.object_public_id == target.public_id


def test_nobody_resets_her_own_second_factor(admin_user: User) -> None:
    two_factor.demo_device_ensure(user=admin_user)
    with pytest.raises(PermissionDenied):
        sessions.user_two_factor_reset(actor=admin_user, user=admin_user)
    assert two_factor.has_two_factor(admin_user)


def test_unlock_clears_her_attempts_and_she_signs_in(admin_user: User, target: User, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"username": target.username, "password": "wrong-password"})
    assert AccessAttempt.objects.filter(username=target.username).exists()
    refused = client.post("/accounts/login/", {"username": target.username, "password": PASSWORD})
    assert refused.status_code == 200  # locked: the wrong password's page

    assert sessions.user_lockout_end(actor=admin_user, user=target) == 1

    assert not AccessAttempt.objects.filter(username=target.username).exists()
    event = AuditEvent.objects.get(action=Action.LOGIN_UNLOCKED)
    assert event.object_public_id == target.public_id and event.actor == admin_user
    signed = client.post("/accounts/login/", {"username": target.username, "password": PASSWORD})
    assert signed.status_code == 302
    assert sessions.user_lockout_end(actor=admin_user, user=target) == 0


SERVICES: dict[str, Callable[[User, User], object]] = {
    "session": lambda actor, user: sessions.user_session_end(
        actor=actor, user=user, session_id=UserSession.objects.get(user=user).pk
    ),
    "all": lambda actor, user: sessions.user_sessions_end(actor=actor, user=user),
    "token": lambda actor, user: sessions.user_api_token_revoke(
        actor=actor, user=user, token_public_id=ApiToken.objects.get(user=user).public_id
    ),
    "two_factor": lambda actor, user: sessions.user_two_factor_reset(actor=actor, user=user),
    "unlock": lambda actor, user: sessions.user_lockout_end(actor=actor, user=user),
}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("actor", ["auditor", "senior_wpa", "deactivated_admin"])
def test_only_an_active_administrator_ends_credentials(
    request: pytest.FixtureRequest, admin_user: User, target: User, actor: str, service: str
) -> None:
    if actor == "deactivated_admin":
        User.objects.filter(pk=admin_user.pk).update(is_active=False)  # her request still says active
        acting = admin_user
    else:
        acting = request.getfixturevalue(actor)
    browser = signed_in(target)
    api_token_issue(user=target)
    with pytest.raises(PermissionDenied):
        SERVICES[service](acting, target)
    assert browser.get("/").status_code == 200
    assert not ApiToken.objects.filter(user=target, revoked_at__isnull=False).exists()
    assert not AuditEvent.objects.exclude(action__in=[Action.LOGIN, Action.TOKEN_ISSUED]).exists()


@pytest.mark.parametrize("service", SERVICES)
def test_a_superuser_is_untouchable(admin_user: User, root: User, service: str) -> None:
    signed_in(root)
    api_token_issue(user=root)
    with pytest.raises(PermissionDenied):
        SERVICES[service](admin_user, root)
    assert UserSession.objects.filter(user=root).exists()
    assert ApiToken.objects.get(user=root).revoked_at is None


def test_an_expired_session_is_not_listed_but_can_be_ended(admin_user: User, target: User) -> None:
    from crsv.access.users_selectors import user_sessions
    from crsv.accounts.browser_sessions import SessionStore

    signed_in(target)
    row = UserSession.objects.get(user=target)
    assert user_sessions(target=target) == [row]
    SessionStore.get_model_class().objects.filter(session_key=row.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert user_sessions(target=target) == []
    sessions.user_sessions_end(actor=admin_user, user=target)
    assert not UserSession.objects.filter(user=target).exists()
