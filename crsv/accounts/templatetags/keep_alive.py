"""`{% keep_alive_script %}`: the optional script that keeps a session alive while a form is
typed (crsv.accounts.keep_alive), on the pages of a signed-in, verified session only. A file of
this site (the Content-Security-Policy allows scripts from 'self' only, never inline code),
configured by its data attributes."""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from crsv.accounts.keep_alive import keep_alive_seconds

register = template.Library()


@register.simple_tag(takes_context=True)
def keep_alive_script(context: template.Context) -> SafeString:
    request = context.get("request")
    user: Any = getattr(request, "user", None)
    verified = getattr(user, "is_verified", None)
    if user is None or not user.is_authenticated or verified is None or not verified():
        return SafeString("")
    return format_html(
        '<script src="{}" defer data-keep-alive-url="{}" data-keep-alive-seconds="{}"></script>',
        static("js/keep_alive.js"),
        reverse("accounts:keep_alive"),
        keep_alive_seconds(),
    )
