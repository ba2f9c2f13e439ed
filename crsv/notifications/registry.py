"""The kinds of notification, registered by the apps from their AppConfig.ready().

An app registers each kind once::

    notification_kind_register(NotificationKind(
        name="referral.sent",
        label=_("A referral was sent to your organisation"),
        context=referral_notification_context,   # (notification) -> dict: ids in, no survivor value out
        link=referral_notification_link,         # (notification) -> "/referrals/<uuid>/": no query
    ))

and writes three Django templates, `templates/notifications/<name>.subject`, `.txt` and `.html`
(override with `subject_template`, `text_template`, `html_template`). They are rendered at
delivery in the notification's language with `context(notification)` plus `link` (the absolute
URL), `site_url` and `notification`.

`context` receives the Notification (kind, object_type, object_public_id, recipient) and may load
the object to show its reference, service type, urgency, due time: NEVER a survivor value (a
name, a place, a phone, a narrative), since an e-mail leaves the system in clear. `link` returns
a path built from the ids alone (it runs for every row of the in-app list). `label` is the
in-app list's line (a lazy translation). `same_for_object=True` lets delivery render the e-mail
once for many rows (see the field).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django_stubs_ext import StrOrPromise

if TYPE_CHECKING:
    from crsv.notifications.models import Notification


class UnknownKind(LookupError):
    """No app registered this kind (a row outlived the code that wrote it)."""


@dataclass(frozen=True)
class NotificationKind:
    name: str
    label: StrOrPromise
    context: Callable[[Notification], Mapping[str, Any]]
    link: Callable[[Notification], str]
    subject_template: str = field(default="")
    text_template: str = field(default="")
    html_template: str = field(default="")
    # True when the e-mail depends only on the object, the language and whether the recipient
    # is a user or an address (not on the event, the recipient or the row): delivery then
    # renders it once per batch for every such row (delivery.py). Leave False when the context
    # or the link reads anything else of the notification (its key, its public id).
    same_for_object: bool = False

    def __post_init__(self) -> None:
        defaults = {
            "subject_template": f"notifications/{self.name}.subject",
            "text_template": f"notifications/{self.name}.txt",
            "html_template": f"notifications/{self.name}.html",
        }
        for attribute, default in defaults.items():
            if not getattr(self, attribute):
                object.__setattr__(self, attribute, default)  # frozen: set once, here


# Keyed by name, so that registering twice (ready() run again) replaces rather than repeats.
notification_kinds: dict[str, NotificationKind] = {}


def notification_kind_register(kind: NotificationKind) -> None:
    if len(kind.name) > 64:
        raise ValueError("a notification kind's name has at most 64 characters")
    notification_kinds[kind.name] = kind


def notification_kind_get(name: str) -> NotificationKind:
    try:
        return notification_kinds[name]
    except KeyError:
        raise UnknownKind(name) from None
