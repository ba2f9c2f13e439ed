"""An intake posted after its session expired (issue 12 item 3): kept as an encrypted draft of
its reporter through the intake service, never in the session, the cache or a log, audited as
hers, offered back after she signs in again, once, however often the post is replayed; and
nothing at all kept when the expired session no longer proves who she is, or her role no
longer lets her log incidents. Time travels through the session's own timestamps."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache

from crsv.accounts.models import FieldOffice, Membership, User
from crsv.accounts.services import user_credentials_end
from crsv.audit.models import AuditEvent
from incidents.models import Incident, Location, PartyToConflict
from tests.factories import PASSWORD
from tests.incidents.expired import ABSOLUTE, IDLE, OpenIntake, offer_link, open_intake
from tests.incidents.factories import office_today
from tests.incidents.pages import COMMANDER, NARRATIVE, UNIT, intake_data, perpetrator_row, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def typing(reporter: User) -> OpenIntake:
    return open_intake(reporter)


@pytest.fixture
def typed(reporter: User, sake: Location, office: FieldOffice, m23: PartyToConflict) -> dict[str, str]:
    """A whole intake, ready to submit."""
    return intake_data(
        location=sake,
        today=office_today(reporter),
        office=office,
        perpetrators=(perpetrator_row(party=m23),),
        intent="submit",
    )


def _signed_in_page(typing: OpenIntake) -> int:
    return int(typing.client.get("/").status_code)


def _redis_values() -> list[bytes]:
    """Every value this test stored in the real Redis (its own key prefix, tests/conftest.py)."""
    client = cache._cache.get_client()  # type: ignore[attr-defined]  # django's RedisCache
    prefix = cache.key_prefix
    return [client.get(key) or b"" for key in client.scan_iter(f"{prefix}:*")]


def test_kept_after_the_idle_timeout_as_an_encrypted_draft(
    typing: OpenIntake, typed: dict[str, str], reporter: User, caplog: Any
) -> None:
    typing.idle_for(IDLE + 60)
    response = typing.post(typed)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"

    incident = Incident.objects.get()
    # A draft of hers, whichever button she pressed: she reads it again before submitting.
    assert incident.status == Incident.Status.DRAFT and incident.reference is None
    assert incident.reported_by == reporter and incident.intake_key == uuid.UUID(typing.key)
    assert incident.narrative == NARRATIVE
    assert NARRATIVE.encode() not in bytes(incident.narrative_ct)
    assert sorted(incident.violations.values_list("form", flat=True)) == ["rape", "sexual_slavery"]
    perpetrator = incident.perpetrators.get()
    assert (perpetrator.unit, perpetrator.commander) == (UNIT, COMMANDER)
    # Audited as hers, with the sign-out that followed.
    created = AuditEvent.objects.get(action="incident.create")
    assert created.actor == reporter and created.object_public_id == incident.public_id
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOGOUT, actor=reporter).exists()
    # Signed out, and told on the sign-in page; nothing typed in the session, cache or logs.
    assert _signed_in_page(typing) == 302
    login_page = typing.client.get("/accounts/login/")
    assert "saved as a draft: sign in again to open it" in text(login_page)
    for session in Session.objects.all():
        assert NARRATIVE not in str(session.get_decoded()) and UNIT not in str(session.get_decoded())
    assert not any(NARRATIVE.encode() in value or UNIT.encode() in value for value in _redis_values())
    assert NARRATIVE not in caplog.text and UNIT not in caplog.text


def test_kept_after_the_absolute_timeout(typing: OpenIntake, typed: dict[str, str]) -> None:
    typing.signed_in_for(ABSOLUTE + 1)
    typing.idle_for(5)  # typing all along: the absolute lifetime ends it anyway
    assert typing.post(typed).status_code == 302
    assert Incident.objects.get().narrative == NARRATIVE
    assert _signed_in_page(typing) == 302


def test_offered_back_after_sign_in_with_everything_typed(typing: OpenIntake, typed: dict[str, str]) -> None:
    typing.idle_for(IDLE + 1)
    typing.post(typed)
    incident = Incident.objects.get()
    first = typing.sign_in_again()
    assert "You were signed out; your incident report was saved as a draft:" in text(first)
    link = offer_link(first)
    assert link == f"/incidents/{incident.public_id}/edit/"
    page = typing.client.get(link)
    assert page.status_code == 200
    assert NARRATIVE in text(page) and UNIT in text(page) and COMMANDER in text(page)
    assert offer_link(typing.client.get("/")) is None  # offered once


def test_offered_to_her_only(typing: OpenIntake, typed: dict[str, str], colleague: User) -> None:
    """Someone else signing in at the same browser is offered nothing (and sees nothing of it)."""
    typing.idle_for(IDLE + 1)
    typing.client.get(typing.post(typed)["Location"])  # the sign-in page says a draft was kept
    first = typing.sign_in_again(colleague)
    assert offer_link(first) is None and "saved as a draft" not in text(first)
    assert Incident.objects.count() == 1


def test_a_replay_keeps_one_draft(typing: OpenIntake, typed: dict[str, str]) -> None:
    """The same expired post twice (the browser resent it while the first was in flight, on a
    copy of the same session): one draft, offered both times."""
    typing.idle_for(IDLE + 1)
    session = typing.client.session
    copy = type(session)()
    copy.update(dict(session.items()))
    copy.create()
    assert typing.post(typed).status_code == 302
    typing.client.cookies["sessionid"] = copy.session_key
    assert typing.post(typed).status_code == 302
    incident = Incident.objects.get()
    assert AuditEvent.objects.filter(action="incident.create").count() == 1
    assert offer_link(typing.sign_in_again()) == f"/incidents/{incident.public_id}/edit/"


def test_a_post_that_does_not_add_rows_or_save_is_kept_too(typing: OpenIntake, typed: dict[str, str]) -> None:
    typing.idle_for(IDLE + 1)
    typing.post(typed | {"intent": "add_rows"})
    assert Incident.objects.get().narrative == NARRATIVE


def _password_changed(typing: OpenIntake) -> None:
    typing.user.set_password(PASSWORD + "-new")
    typing.user.save()


def _stamp_changed(typing: OpenIntake) -> None:
    user_credentials_end(user=typing.user)


def _deactivated(typing: OpenIntake) -> None:
    User.objects.filter(pk=typing.user.pk).update(is_active=False)


def _session_ended_by_an_admin(typing: OpenIntake) -> None:
    Session.objects.filter(session_key=typing.client.session.session_key).delete()


def _second_factor_not_passed(typing: OpenIntake) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY

    session = typing.client.session
    del session[DEVICE_ID_SESSION_KEY]
    session.save()


def _role_removed(typing: OpenIntake) -> None:
    typing.user.groups.clear()  # the stamp unchanged: the intake service refuses her


def _office_removed(typing: OpenIntake) -> None:
    Membership.objects.filter(user=typing.user).delete()


@pytest.mark.parametrize(
    "change",
    [
        _password_changed,
        _stamp_changed,
        _deactivated,
        _session_ended_by_an_admin,
        _second_factor_not_passed,
        _role_removed,
        _office_removed,
    ],
    ids=lambda change: change.__name__.strip("_"),
)
def test_nothing_kept_when_the_session_no_longer_proves_her_or_her_role_forbids(
    typing: OpenIntake, typed: dict[str, str], change: Any
) -> None:
    typing.idle_for(IDLE + 1)
    change(typing)
    response = typing.post(typed)
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert not Incident.objects.exists()
    assert not AuditEvent.objects.filter(action="incident.create").exists()
    User.objects.filter(pk=typing.user.pk).update(is_active=True)
    typing.user.refresh_from_db()
    typing.user.set_password(PASSWORD)
    typing.user.save()
    assert offer_link(typing.sign_in_again()) is None


def test_the_role_check_is_the_services_own(typing: OpenIntake, typed: dict[str, str]) -> None:
    """Removing her role leaves her session's hash valid (no new stamp here): what refuses is
    the intake service's authorization, not the session check."""
    stamp = typing.user.security_stamp
    _role_removed(typing)
    typing.idle_for(IDLE + 1)
    typing.post(typed)
    assert User.objects.get(pk=typing.user.pk).security_stamp == stamp
    assert not Incident.objects.exists()


@pytest.mark.parametrize("token", ["", "x" * 64])
def test_nothing_kept_without_a_good_csrf_token(
    typing: OpenIntake, typed: dict[str, str], token: str
) -> None:
    typing.idle_for(IDLE + 1)
    typing.csrf = token
    response = typing.post(typed)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not Incident.objects.exists()
    assert _signed_in_page(typing) == 302  # signed out all the same


def test_only_the_intake_is_kept(typing: OpenIntake, typed: dict[str, str]) -> None:
    """Another form posted after the timeout (here the language switch) signs out and keeps
    nothing; so does asking for the intake page."""
    typing.idle_for(IDLE + 1)
    switched = typing.client.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": typing.csrf})
    assert switched.status_code == 302 and switched["Location"] == "/accounts/login/"
    assert "Your session expired. Please sign in again." in text(typing.client.get("/accounts/login/"))
    assert not Incident.objects.exists()
    again = open_intake(typing.user)
    again.idle_for(IDLE + 1)
    assert again.client.get("/incidents/new/").status_code == 302
    assert not Incident.objects.exists()


def test_a_ping_racing_the_post_does_not_lose_it(typing: OpenIntake, typed: dict[str, str]) -> None:
    """She comes back after the timeout, types a word and presses Submit: the script's ping
    (refused) reaches the server first, and must leave the session for the post."""
    typing.idle_for(IDLE + 1)
    ping = typing.client.post("/accounts/keep-alive/", HTTP_X_CSRFTOKEN=typing.csrf)
    assert ping.status_code == 302
    assert typing.post(typed).status_code == 302
    assert Incident.objects.get().narrative == NARRATIVE


def test_a_live_session_saves_as_always(typing: OpenIntake, typed: dict[str, str]) -> None:
    typing.idle_for(IDLE - 60)
    response = typing.post(typed)
    incident = Incident.objects.get()
    assert response["Location"] == f"/incidents/{incident.public_id}/"
    assert incident.status == Incident.Status.SUBMITTED and incident.intake_key is None
    assert _signed_in_page(typing) == 200
