"""The one-time links in e-mails to a provider's contact address (issue 11 item 4), registered
by `ReferralsConfig.ready()`:

- the `referral.sent` e-mail (referrals.notifications) offers the accept-or-decline link, to
  the contact address only (its users answer signed in, with their second factor);
- `referral.complete_link`, e-mailed to the contact address once the referral is accepted (by
  link or by a user: `services.responses.referral_accept`), brings the link to record the
  service given.

The token is recomputed here, at delivery (`link_tokens.link_token`), and goes into the e-mail
only: the notification's in-app `link` (which a senior WPA's list of failed deliveries shows)
stays the referral's page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.notifications.registry import NotificationKind, notification_kind_register
from referrals.models import LinkStep, ReferralAnswerLink
from referrals.notifications import (
    AnswerLink,
    referral_answer_links_register,
    referral_notification_context,
    referral_notification_link,
)
from referrals.services.link_tokens import LINK_KINDS, link_path, link_token

if TYPE_CHECKING:
    from crsv.notifications.models import Notification


def _link_url(notification: Notification, step: str) -> str:
    """The absolute URL of the referral's unused `step` link, or "" (none, used, expired, or a
    user recipient: the links go to the contact address only)."""
    if notification.recipient_id is not None or notification.object_public_id is None:
        return ""
    link = ReferralAnswerLink.objects.filter(
        referral__public_id=notification.object_public_id,
        step=step,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()
    if link is None:
        return ""
    return settings.SITE_URL.rstrip("/") + link_path(link_token(link))


def answer_links_for_sent(notification: Notification) -> list[AnswerLink]:
    """The `referral.sent` e-mail's accept-or-decline link, for the contact address."""
    url = _link_url(notification, LinkStep.ANSWER)
    if not url:
        return []
    return [
        AnswerLink(label=_("Accept or decline it here, without signing in (the link works once)"), url=url)
    ]


def complete_link_context(notification: Notification) -> dict[str, Any]:
    return {
        **referral_notification_context(notification),
        "answer_url": _link_url(notification, LinkStep.COMPLETE),
    }


def link_emails_register() -> None:
    referral_answer_links_register("referrals.answer_link", answer_links_for_sent)
    notification_kind_register(
        NotificationKind(
            name=LINK_KINDS[LinkStep.COMPLETE],
            label=_("A referral you accepted: record the service given"),
            context=complete_link_context,
            link=referral_notification_link,
            same_for_object=True,  # the referral's columns and link only (delivery renders once)
        )
    )
