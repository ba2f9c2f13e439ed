"""The invitation e-mail, delivered by the real outbox to a real SMTP server (tests/smtp_sink.py),
in the invitee's language, with the link in its body and nowhere else: not in the outbox row, the
task's arguments, the invitation row, the audit trail or the logs."""

from __future__ import annotations

import email
import logging
import re
from collections.abc import Callable
from email import policy
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from crsv.accounts.invitations import INVITATION_KIND, invitation_revoke
from crsv.accounts.models import Invitation, User
from crsv.logs import AnswerLinkTokenFilter
from crsv.notifications.models import Notification
from crsv.notifications.services import _CommitPublish
from crsv.notifications.tasks import notification_deliver
from tests.crsv.invitations.conftest import GOOD_PASSWORD, SinkHandler, token_of

pytestmark = pytest.mark.django_db


def _message(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


def _text(message: email.message.EmailMessage) -> str:
    return str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]


def _html(message: email.message.EmailMessage) -> str:
    return str(message.get_body(("html",)).get_content())  # type: ignore[union-attr]


def _tables_holding(value: str) -> list[str]:
    """The tables of the database with a row whose text holds `value`."""
    found = []
    with connection.cursor() as cursor:
        for table in (
            "accounts_invitation",
            "notifications_notification",
            "audit_auditevent",
            "accounts_user",
        ):
            cursor.execute(f"SELECT count(*) FROM {table} t WHERE t::text LIKE %s", [f"%{value}%"])  # noqa: S608
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def test_the_invitation_is_delivered_in_her_language_with_the_link(
    smtp: SinkHandler,
    invite: Callable[..., Invitation],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SITE_URL = "https://crsv.example"
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = invite(language="fr")
    token = token_of(invitation)
    [publish] = [c for c in callbacks if isinstance(c, _CommitPublish)]
    [notification] = Notification.objects.filter(kind=INVITATION_KIND)
    assert publish.ids == [notification.id]  # the task's arguments: ids only
    assert notification.recipient_id is None and notification.recipient_email == "amani@monusco.example"
    assert notification.language == "fr"
    assert _tables_holding(token) == []

    assert notification_deliver(notification.id) == "sent"
    [raw] = smtp.messages
    message = _message(raw)
    assert message["To"] == "amani@monusco.example"
    assert message["Subject"]
    link = f"https://crsv.example/accounts/invitation/{token}/"
    assert link in _text(message) and link in _html(message)
    assert 'lang="fr"' in _html(message)
    assert "amani" in _text(message)  # her username: she signs in with it
    assert "/accounts/login/" not in _text(message)  # no "open it" link of the outbox's layout
    [found] = re.findall(r"https://crsv\.example(/accounts/invitation/[A-Za-z0-9_-]+/)", _text(message))
    assert Client().get(found).status_code == 200
    assert _tables_holding(token) == []  # delivered, and still stored nowhere


def test_an_e_mail_delivered_after_its_revocation_carries_no_link(
    smtp: SinkHandler, invite: Callable[..., Invitation], admin_user: User
) -> None:
    invitation = invite(language="en")
    invitation_revoke(actor=admin_user, invitation=invitation)
    notification = Notification.objects.get(kind=INVITATION_KIND)
    assert notification_deliver(notification.id) == "sent"
    text = _text(_message(smtp.messages[0]))
    assert token_of(invitation) not in text and "/accounts/invitation/" not in text
    assert "no longer valid" in text


def test_the_token_reaches_no_log(
    invite: Callable[..., Invitation], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    invitation = invite()
    token = token_of(invitation)
    link = f"/accounts/invitation/{token}/"
    client = Client()
    client.get(link)
    client.post(link, {"password1": "short", "password2": "short"})  # 400
    client.post(link, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    Client().post(link, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})  # 410
    Client().get(f"/accounts/invitation/{token}x/")  # 404

    # A crash on the page: Django logs "Internal Server Error: <path>"; the console handler's
    # filter (settings.LOGGING) masks the path before any later handler (caplog's) reads it.
    def crash(raw_token: str) -> Invitation:
        raise RuntimeError("boom")

    monkeypatch.setattr("crsv.accounts.invitations.invitation_get", crash)
    assert Client(raise_request_exception=False).get(link).status_code == 500
    assert "Internal Server Error: /accounts/invitation/-/" in caplog.text
    assert token not in caplog.text


def test_the_filter_masks_an_invitation_path_in_a_record() -> None:
    token = "Zx9_secret-token-of-43-characters-abcdefghij"
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s',
        (f"GET /accounts/invitation/{token}/ HTTP/1.1", 200),
        None,
    )
    assert AnswerLinkTokenFilter().filter(record)
    assert record.getMessage() == '"GET /accounts/invitation/-/ HTTP/1.1" 200'
