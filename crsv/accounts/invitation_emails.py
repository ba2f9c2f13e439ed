"""The invitation e-mail (notification kind `user.invitation`), registered by
`AccountsConfig.ready()`; templates `templates/notifications/user.invitation.{subject,txt,html}`.

It goes to the invitee's address (not to her as a user: no in-app copy), in the language the
administrator chose for her. The link's token is recomputed here, at delivery
(`invitations.invitation_token`), and written into the e-mail body only; the notification's
`link` (what a list of notifications would show) is the sign-in page. An e-mail delivered after
its invitation was revoked, accepted or expired, or its account deactivated, carries no link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts.invitations import (
    INVITATION_KIND,
    InvitationState,
    invitation_path,
    invitation_state,
    invitation_token,
)
from crsv.accounts.models import Invitation
from crsv.notifications.registry import NotificationKind, notification_kind_register

if TYPE_CHECKING:
    from crsv.notifications.models import Notification


def invitation_email_context(notification: Notification) -> dict[str, Any]:
    """The invitee's username and first name (staff data, not survivor data), the link while it
    can be used, and its expiry in her first office's time zone."""
    public_id = notification.object_public_id
    invitation = (
        Invitation.objects.select_related("user").filter(public_id=public_id).first()
        if public_id is not None
        else None
    )
    if invitation is None:
        return {"invitation_url": "", "username": "", "first_name": "", "expires": ""}
    user = invitation.user
    usable = user.is_active and invitation_state(invitation) == InvitationState.PENDING
    url = settings.SITE_URL.rstrip("/") + invitation_path(invitation_token(invitation)) if usable else ""
    office = user.primary_office()
    zone = office.time_zone if office is not None else "UTC"
    expires = timezone.localtime(invitation.expires_at, ZoneInfo(zone))
    return {
        "invitation_url": url,
        "username": user.username,
        "first_name": user.first_name,
        "expires": f"{formats.date_format(expires, 'DATETIME_FORMAT')} ({zone})",
    }


def invitation_email_link(notification: Notification) -> str:
    return reverse("accounts:login")


def invitation_kind_register() -> None:
    notification_kind_register(
        NotificationKind(
            name=INVITATION_KIND,
            label=_("You are invited to CRSV case management"),
            context=invitation_email_context,
            link=invitation_email_link,
        )
    )
