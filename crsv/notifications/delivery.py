"""Delivering notifications: claim a batch, render, send over one SMTP session, record.

Only the claimant sends. Claims are taken a batch at a time (claims.py: one UPDATE of rows
picked `FOR UPDATE SKIP LOCKED`, a due pending row or a row whose claim expired because its
worker died), so two workers, two sweeps, or a worker and a sweep never both hold one row. A
claim lasts `NOTIFICATION_CLAIM_SECONDS`; a batch stops sending (and gives back what it did not
try) while its claims still have twice `EMAIL_TIMEOUT` to run, so no claim expires under a
live sender.

Outcomes are recorded once per batch (one UPDATE per outcome). A worker killed after the server
accepted some of a batch's messages but before recording them causes one resend of each of
those when the claims expire, with the same Message-ID (derived from the row's idempotency key):
the issue's "at most one resend, with the same Message-ID", for up to `BATCH` messages instead of
one. Nothing is lost: an unrecorded claim is always taken over.

SMTP runs outside any transaction. Transient failures (4xx, a dropped connection, a timeout)
put the row back to pending after an exponential backoff with jitter; a permanent one (5xx), the
last attempt, or an error in the kind's code marks it failed, for senior WPAs to see.

A task delivers the ids it was given, then keeps draining due rows like the sweep for at most
`NOTIFICATION_SWEEP_SECONDS`, over one SMTP session (mailer.py), so a burst costs one
connection, and an e-mail the same for many rows (`NotificationKind.same_for_object`) is
rendered once per batch.
"""

from __future__ import annotations

import hashlib
import logging
import random
import smtplib
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from crsv.notifications import claims
from crsv.notifications.mailer import MailSession, PreparedEmail
from crsv.notifications.models import Notification
from crsv.notifications.registry import notification_kind_get, notification_kinds

logger = logging.getLogger(__name__)

# Rows claimed, sent and recorded together: the most a crash can resend (once each).
BATCH = 100


def message_id_for(idempotency_key: str) -> str:
    """The e-mail's Message-ID: the same for every send of one notification."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def notification_render(notification: Notification) -> Rendered:
    """The e-mail of a notification, in its language. The kind's context has ids and
    references only (registry.py)."""
    kind = notification_kind_get(notification.kind)
    link = settings.SITE_URL.rstrip("/") + kind.link(notification)
    with translation.override(notification.language):
        context = {
            **kind.context(notification),
            "notification": notification,
            "link": link,
            "site_url": settings.SITE_URL,
        }
        subject = " ".join(render_to_string(kind.subject_template, context).split())
        text = render_to_string(kind.text_template, context)
        html = render_to_string(kind.html_template, context)
    return Rendered(subject=subject, text=text, html=html)


def _render_key(notification: Notification) -> Hashable:
    """The rows of a batch that get the same e-mail (but for To: and Message-ID:)."""
    kind = notification_kinds.get(notification.kind)
    if kind is not None and kind.same_for_object:
        return (
            notification.kind,
            notification.object_type,
            notification.object_public_id,
            notification.language,
            notification.recipient_id is None,  # a user, or an organisation's address
        )
    return notification.id


class _Renderer:
    """A batch's e-mails, each rendered and serialized once (a failure is remembered too)."""

    def __init__(self) -> None:
        self._emails: dict[Hashable, PreparedEmail | Exception] = {}

    def email_for(self, notification: Notification) -> PreparedEmail:
        key = _render_key(notification)
        if key not in self._emails:
            try:
                rendered = notification_render(notification)
                self._emails[key] = PreparedEmail.build(rendered.subject, rendered.text, rendered.html)
            except Exception as exc:  # an unknown kind, a missing object or template
                self._emails[key] = exc
        email = self._emails[key]
        if isinstance(email, Exception):
            raise PermanentFailure(type(email).__name__) from email  # retrying will not help
        return email


def _address(notification: Notification) -> str:
    if notification.recipient_id is None:
        return notification.recipient_email
    user = notification.recipient
    return user.email if user is not None and user.is_active else ""


class PermanentFailure(Exception):
    """The message will never be accepted (SMTP 5xx) or cannot be made (the kind's code failed)."""


def _smtp_code(exc: BaseException) -> int | None:
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return min(codes) if codes else None
    return None


def _is_transient(exc: BaseException) -> bool:
    code = _smtp_code(exc)
    if code is not None:
        return code < 500
    return isinstance(exc, smtplib.SMTPException | OSError)  # disconnects, timeouts, refused


def _error_text(exc: BaseException) -> str:
    """Short and safe: the class and the SMTP code, never the server's text (it may echo data)."""
    code = _smtp_code(exc)
    return f"{type(exc).__name__}{f' {code}' if code else ''}"[:200]


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter after the `attempts`-th failed attempt."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    seconds = min(settings.NOTIFICATION_RETRY_CAP_SECONDS, base)
    return timedelta(seconds=seconds * random.uniform(0.5, 1.5))  # noqa: S311  (not a secret)


def _send(notification: Notification, renderer: _Renderer, session: MailSession) -> str:
    """Send a claimed notification; its Message-ID, or "" when it has no e-mail address (in-app
    only). Raises what the server or the connection raised, or PermanentFailure."""
    address = _address(notification)
    if not address:
        return ""
    email = renderer.email_for(notification)
    message_id = message_id_for(notification.idempotency_key)
    session.send(email, address, message_id)
    return message_id


def _failure(notification: Notification, exc: Exception) -> claims.Failed:
    error = _error_text(exc.__cause__ if isinstance(exc, PermanentFailure) and exc.__cause__ else exc)
    attempts = notification.attempts
    if _is_transient(exc) and attempts < settings.NOTIFICATION_MAX_ATTEMPTS:
        logger.info("notification %s: attempt %d failed (%s)", notification.id, attempts, error)
        return claims.Failed(notification.id, error, retry_delay(attempts))
    logger.warning("notification %s failed after %d attempts (%s)", notification.id, attempts, error)
    return claims.Failed(notification.id, error, None)


def _deliver_claimed(ids: Sequence[int], session: MailSession, deadline: float) -> dict[int, str]:
    """Send a batch this caller has claimed and record the outcomes; {id: new status}."""
    stop_at = min(deadline, time.monotonic() + claims.claim_lease_seconds() - 2 * settings.EMAIL_TIMEOUT)
    rows = list(
        Notification.objects.select_related("recipient")
        .filter(id__in=ids, status=Notification.Status.SENDING)
        .order_by("id")
    )
    renderer = _Renderer()
    sent: list[claims.Sent] = []
    failed: list[claims.Failed] = []
    outcomes: dict[int, str] = {}
    tried = 0
    try:
        for row in rows:
            if time.monotonic() >= stop_at:
                break  # the rest is given back, untried
            tried += 1
            try:
                message_id = _send(row, renderer, session)
            except Exception as exc:
                failure = _failure(row, exc)
                failed.append(failure)
                status = Notification.Status.PENDING if failure.retry_in else Notification.Status.FAILED
                outcomes[row.id] = str(status)
                continue
            sent.append(claims.Sent(row.id, message_id, timezone.now()))
            outcomes[row.id] = str(Notification.Status.SENT)
    finally:
        # Also when the loop is interrupted (a time limit): what was sent is recorded, what was
        # not tried is given back; a message interrupted mid-send stays claimed until it expires.
        with transaction.atomic():
            claims.record_sent(sent)
            claims.record_failed(failed)
            claims.release([row.id for row in rows[tried:]])
    return outcomes


def notification_deliver_due(ids: Sequence[int] = ()) -> dict[int, str]:
    """Deliver those of `ids` that are due, then every other due notification and expired claim,
    a batch at a time, over one SMTP session, until none is left or `NOTIFICATION_SWEEP_SECONDS`
    have passed; {id: new status} of every row this caller claimed. What others are claiming is
    skipped: they have it."""
    deadline = time.monotonic() + settings.NOTIFICATION_SWEEP_SECONDS
    given = list(ids)
    session = MailSession()
    outcomes: dict[int, str] = {}
    try:
        while time.monotonic() < deadline:
            if given:
                claimed = claims.claim_given(given[:BATCH], BATCH)
                given = given[BATCH:]
            else:
                claimed = claims.claim_next(BATCH)
                if not claimed:
                    break
            if claimed:
                outcomes.update(_deliver_claimed(claimed, session, deadline))
    finally:
        session.close()
    return outcomes
