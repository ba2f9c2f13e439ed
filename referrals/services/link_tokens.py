"""Issuing one-time answer links, and the tokens they carry.

A link's token is `HMAC-SHA256(SECRET_KEY, "referrals.answer_link" + public_id)` in URL-safe
base64 (43 characters, 256 bits): a "signed" link. It is not a random value stored somewhere
because the outbox renders an e-mail at delivery, in a worker, perhaps minutes later after Redis
came back, and again on a crash's resend: a random token would have to wait in the outbox row in
clear. Derived, it is recomputed at delivery and nowhere written; the database keeps only its
SHA-256 (`ReferralAnswerLink.token_hash`), so a copy of the database opens no link. Rotating
SECRET_KEY voids the links not yet used (the signed-in provider users are unaffected).

Imported by the sending and accepting services (which issue links), so it imports none of them.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from crsv.notifications.services import notification_enqueue
from referrals.models import LinkStep, Referral, ReferralAnswerLink

_SALT = "referrals.answer_link"
# The e-mail that carries each step's link: the answer link rides in `referral.sent`
# (referrals.notifications, enqueued by every send); the complete link has its own
# (referrals.link_emails), enqueued by `answer_link_send`.
LINK_KINDS: dict[str, str] = {
    LinkStep.ANSWER: "referral.sent",
    LinkStep.COMPLETE: "referral.complete_link",
}

# How long a link lives (README, "Configuration"): an answer link REFERRAL_LINK_HOURS (72) from
# its e-mail, or until 24 hours past the referral's due time if that is later (a late answer is
# still worth having), never more than 8 days; a complete link 30 days (the service itself may
# take weeks).
ANSWER_GRACE_AFTER_DUE = timedelta(hours=24)
ANSWER_CAP = timedelta(days=8)
COMPLETE_LIFETIME = timedelta(days=30)


def token_hash(raw_token: str) -> str:
    """What is stored and looked up: the hex SHA-256 of the token."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def link_token(link: ReferralAnswerLink) -> str:
    """The link's token, recomputed from its public id under the server's key."""
    digest = salted_hmac(_SALT, str(link.public_id), algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_path(raw_token: str) -> str:
    """The answer page's path (`referrals.link_urls`): the token as a path segment."""
    return f"/r/{raw_token}/"


def link_expiry(referral: Referral, step: str, *, now: datetime) -> datetime:
    if step == LinkStep.COMPLETE:
        return now + COMPLETE_LIFETIME
    hours = int(getattr(settings, "REFERRAL_LINK_HOURS", 72))
    return min(max(now + timedelta(hours=hours), referral.due_at + ANSWER_GRACE_AFTER_DUE), now + ANSWER_CAP)


def answer_link_issue(referral: Referral, step: str) -> str:
    """The referral's link for `step` (made once: issuing again returns the same token), as its
    raw token. Runs in the caller's transaction."""
    existing = ReferralAnswerLink.objects.filter(referral=referral, step=step).first()
    if existing is not None:
        return link_token(existing)
    now = timezone.now()
    link = ReferralAnswerLink(
        referral=referral, step=step, created_at=now, expires_at=link_expiry(referral, step, now=now)
    )
    raw = link_token(link)
    link.token_hash = token_hash(raw)
    link.save()
    return raw


def complete_link_send(referral: Referral) -> bool:
    """Once `referral` is accepted: issue its complete link and e-mail it to the provider's
    contact address (`referral.complete_link`), in the caller's transaction (the outbox
    delivers it after commit). A provider without a contact address gets no link (its users
    record the service signed in). True if an e-mail was enqueued. (The answer link needs no
    e-mail of its own: it rides in `referral.sent`.)"""
    address = referral.provider.contact_email
    if not address:
        return False
    answer_link_issue(referral, LinkStep.COMPLETE)
    kind = LINK_KINDS[LinkStep.COMPLETE]
    notification_enqueue(
        kind=kind,
        recipients=[address],
        obj=referral,
        mission_id=referral.survivor.mission_id,  # a failed delivery reaches the mission's senior WPAs
        email_language=referral.provider.email_language(),
        idempotency_key=f"{kind}:{referral.public_id}",
    )
    return True
