"""What referrals notifies (issue 11, item 2), registered by `ReferralsConfig.ready()`.

- `referral.sent`: the provider's users (a ProviderMembership of the referral's provider) and
  the provider's contact e-mail (an address, no account);
- `referral.accepted`, `referral.declined`, `referral.cancelled`, `referral.revoked`: the WPA
  who made the referral, and the case's assigned WPA if she is another person; never the user
  who cancelled (she knows), but a revocation (the system's consequence of a withdrawal) is told
  to whoever recorded the withdrawal too.

`referral_notify` is called by `steps.referral_move` after every move's event, in the move's
transaction; the idempotency key is the ReferralEvent's public id, so a retried service call
(a new event only if the move happened again) never notifies twice. The e-mails carry the
referral's reference, its service type, urgency and due time, the provider's name and a link:
the context reads those columns by name (`values()`), never the survivor row, so no survivor
value (name, code, phone, note, reason) can reach a template.

The `referral.sent` e-mail has a hook for the one-time answer links of providers without an
account: `referral_answer_links_register(name, source)`; `source(notification)` returns the
links to show (none for a user recipient, typically), rendered in the templates' `answer` block.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from crsv.accounts.models import User
from crsv.notifications.registry import NotificationKind, notification_kind_register
from crsv.notifications.services import notification_enqueue
from referrals.models import ProviderMembership, Referral, ReferralEvent, ServiceType

if TYPE_CHECKING:
    from django.http import HttpRequest

    from crsv.notifications.models import Notification

Action = ReferralEvent.Action

SENT = "referral.sent"
# The answers and ends told to the case's WPA, by the move that causes them.
_TO_CASE_WORKERS = {
    Action.ACCEPT: "referral.accepted",
    Action.DECLINE: "referral.declined",
    Action.CANCEL: "referral.cancelled",
    Action.REVOKE: "referral.revoked",
}

_LABELS: dict[str, StrOrPromise] = {
    SENT: _("A referral was sent to your organisation"),
    "referral.accepted": _("A referral was accepted"),
    "referral.declined": _("A referral was declined"),
    "referral.cancelled": _("A referral was cancelled"),
    "referral.revoked": _("A referral was revoked (consent withdrawn)"),
}


@dataclass(frozen=True)
class AnswerLink:
    """A link the `referral.sent` e-mail offers besides the referral's page (e.g. a one-time
    accept or decline link for a provider without an account)."""

    label: StrOrPromise
    url: str


AnswerLinksSource = Callable[["Notification"], Sequence[AnswerLink]]
_answer_links_sources: dict[str, AnswerLinksSource] = {}


def referral_answer_links_register(name: str, source: AnswerLinksSource) -> None:
    """Add the links `source(notification)` returns to every `referral.sent` e-mail (keyed by
    name: registering again replaces)."""
    _answer_links_sources[name] = source


def referral_answer_links(notification: Notification) -> list[AnswerLink]:
    return [link for source in _answer_links_sources.values() for link in source(notification)]


def _case_workers(referral: Referral, event: ReferralEvent) -> list[User]:
    """The referral's author and the case's assigned WPA (one query); the user who took the
    move is left out, unless the move is a revocation (no user chose it)."""
    ids = {pk for pk in (referral.created_by_id, referral.survivor.assigned_wpa_id) if pk is not None}
    if event.action != Action.REVOKE:
        ids.discard(event.actor_id)
    if not ids:
        return []
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def _provider_recipients(referral: Referral) -> list[User | str]:
    """The provider's users (one query), then its contact address."""
    users: list[User | str] = [
        membership.user
        for membership in ProviderMembership.objects.filter(provider_id=referral.provider_id)
        .select_related("user")
        .order_by("user_id")
    ]
    return [*users, referral.provider.contact_email]


def referral_notify(*, referral: Referral, event: ReferralEvent, request: HttpRequest | None = None) -> None:
    """Enqueue what `event` (just recorded on `referral`) notifies, in the caller's transaction:
    one query for the recipients and one INSERT, whatever their number. Moves that notify no
    one (create, start, complete) return at once."""
    if event.action == Action.SEND:
        kind, recipients = SENT, _provider_recipients(referral)
    elif event.action in _TO_CASE_WORKERS:
        kind, recipients = _TO_CASE_WORKERS[Action(event.action)], list(_case_workers(referral, event))
    else:
        return
    notification_enqueue(
        kind=kind,
        recipients=recipients,
        obj=referral,
        mission_id=referral.survivor.mission_id,  # failed deliveries reach the mission's senior WPAs
        email_language=referral.provider.email_language(),
        idempotency_key=f"{kind}:{event.public_id}",
        request=request,
    )


def referral_notification_context(notification: Notification) -> dict[str, Any]:
    """The referral's reference, service type, urgency, state and due time (in the case's field
    office's time zone and the notification's language), the provider and the office: named
    columns only, never the survivor's row."""
    referral_public_id = notification.object_public_id
    assert referral_public_id is not None  # every kind of this module names its referral
    row = Referral.objects.filter(public_id=referral_public_id).values(
        "reference",
        "service_type",
        "urgency",
        "state",
        "due_at",
        "provider__name",
        "survivor__field_office__name",
        "survivor__field_office__time_zone",
    )[0]
    zone = row["survivor__field_office__time_zone"]
    due = timezone.localtime(row["due_at"], ZoneInfo(zone))
    context: dict[str, Any] = {
        "reference": row["reference"],
        "service_type": ServiceType(row["service_type"]).label,
        "urgency": Referral.Urgency(row["urgency"]).label,
        "state": Referral.State(row["state"]).label,
        "due": f"{formats.date_format(due, 'DATETIME_FORMAT')} ({zone})",
        "provider_name": row["provider__name"],
        "field_office": row["survivor__field_office__name"],
        "is_emergency": row["urgency"] == Referral.Urgency.EMERGENCY,
    }
    if notification.kind == SENT:
        context["answer_links"] = referral_answer_links(notification)
    return context


def referral_notification_link(notification: Notification) -> str:
    return reverse("referrals:detail", kwargs={"public_id": notification.object_public_id})


def referral_notification_kinds_register() -> None:
    for name, label in _LABELS.items():
        notification_kind_register(
            NotificationKind(
                name=name,
                label=label,
                context=referral_notification_context,
                link=referral_notification_link,
                same_for_object=True,  # the referral's columns and links only (delivery renders once)
            )
        )
