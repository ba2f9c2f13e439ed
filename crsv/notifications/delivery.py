"""Delivering one notification: claim it, render it, send it, record the outcome.

Only the claimant sends. A claim is one conditional UPDATE (a due pending row, or a row whose
claim expired because its worker died), so two workers, two sweeps, or a worker and a sweep
never both hold one row. The claim lasts `NOTIFICATION_CLAIM_SECONDS`, longer than an SMTP
exchange can take (`EMAIL_TIMEOUT`); a worker killed after the server accepted the message but
before recording it causes one resend when the claim expires, with the same Message-ID.

SMTP runs outside any transaction. Transient failures (4xx, a dropped connection, a timeout)
put the row back to pending after an exponential backoff with jitter; a permanent one (5xx), the
last attempt, or an error in the kind's code marks it failed, for senior WPAs to see.
"""

from __future__ import annotations

import hashlib
import logging
import random
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.db.models.functions import Now
from django.template.loader import render_to_string
from django.utils import translation

from crsv.notifications.models import Notification
from crsv.notifications.registry import notification_kind_get

logger = logging.getLogger(__name__)

_TABLE = Notification._meta.db_table
_DUE = "(status = 'pending' AND next_attempt_at <= now()) OR (status = 'sending' AND claimed_until < now())"
_CLAIM_SET = "status = 'sending', claimed_until = now() + make_interval(secs => %s), attempts = attempts + 1"


def message_id_for(idempotency_key: str) -> str:
    """The e-mail's Message-ID: the same for every send of one notification."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"


def _lease() -> int:
    """The claim's length in seconds."""
    return int(settings.NOTIFICATION_CLAIM_SECONDS)


def notification_claim(notification_id: int) -> bool:
    """Claim one notification if it is due; True if this caller now holds it."""
    sql = f"UPDATE {_TABLE} SET {_CLAIM_SET} WHERE id = %s AND ({_DUE}) RETURNING id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [_lease(), notification_id])
        return cursor.fetchone() is not None


_CLAIMABLE = (
    # Claims whose worker died first (they are the oldest), then due pending rows, most overdue first.
    ("status = 'sending' AND claimed_until < now()", "claimed_until"),
    ("status = 'pending' AND next_attempt_at <= now()", "next_attempt_at"),
)


def notification_claim_next() -> int | None:
    """Claim one due notification that no one else is claiming (SKIP LOCKED), or None if none is."""
    with connection.cursor() as cursor:
        for condition, order in _CLAIMABLE:
            sql = (
                f"UPDATE {_TABLE} SET {_CLAIM_SET} WHERE id = ("  # noqa: S608  (constant names)
                f" SELECT id FROM {_TABLE} WHERE {condition} ORDER BY {order} LIMIT 1"
                f" FOR UPDATE SKIP LOCKED) AND {condition} RETURNING id"
            )
            cursor.execute(sql, [_lease()])
            row = cursor.fetchone()
            if row:
                return int(row[0])
    return None


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


def notification_send(notification: Notification, mail_connection: BaseEmailBackend | None = None) -> str:
    """Render and send a claimed notification; returns its Message-ID, or "" when it has no
    e-mail address (in-app only). Raises what the SMTP backend raised, or PermanentFailure."""
    address = _address(notification)
    if not address:
        return ""
    try:
        rendered = notification_render(notification)
    except Exception as exc:  # an unknown kind, a missing object or template: retrying will not help
        raise PermanentFailure(type(exc).__name__) from exc
    message_id = message_id_for(notification.idempotency_key)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Message-ID": message_id},
        connection=mail_connection or get_connection(fail_silently=False),
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send(fail_silently=False)
    return message_id


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter after the `attempts`-th failed attempt."""
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    seconds = min(settings.NOTIFICATION_RETRY_CAP_SECONDS, base)
    return timedelta(seconds=seconds * random.uniform(0.5, 1.5))  # noqa: S311  (not a secret)


def notification_deliver_claimed(
    notification_id: int, mail_connection: BaseEmailBackend | None = None
) -> Notification.Status | None:
    """Send a notification this caller has claimed and record the outcome; its new status."""
    notification = Notification.objects.select_related("recipient").filter(id=notification_id).first()
    if notification is None or notification.status != Notification.Status.SENDING:
        return None
    claimed = Notification.objects.filter(id=notification_id, status=Notification.Status.SENDING)
    try:
        message_id = notification_send(notification, mail_connection)
    except Exception as exc:
        if mail_connection is not None:
            mail_connection.close()  # a session after an error is suspect: the next send opens anew
        error = _error_text(exc.__cause__ if isinstance(exc, PermanentFailure) and exc.__cause__ else exc)
        last = notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
        if _is_transient(exc) and not last:
            claimed.update(
                status=Notification.Status.PENDING,
                claimed_until=None,
                next_attempt_at=Now() + retry_delay(notification.attempts),
                last_error=error,
            )
            logger.info(
                "notification %s: attempt %d failed (%s)", notification_id, notification.attempts, error
            )
            return Notification.Status.PENDING
        claimed.update(status=Notification.Status.FAILED, claimed_until=None, last_error=error)
        logger.warning(
            "notification %s failed after %d attempts (%s)", notification_id, notification.attempts, error
        )
        return Notification.Status.FAILED
    claimed.update(
        status=Notification.Status.SENT,
        claimed_until=None,
        sent_at=Now(),
        message_id=message_id,
        last_error="",
    )
    return Notification.Status.SENT
