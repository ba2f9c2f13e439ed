"""The invitation's page, `/accounts/invitation/<token>/`: public (the 256-bit token is the
credential), an adapter of crsv.accounts.invitations.

Step 1, here: the invitee chooses her password (Django's validators, in the service); the link is
spent and she is signed in, her session not yet verified. Step 2: the second-factor setup page
she is sent to (crsv.accounts.views.two_factor_setup: QR code and first code), then home. An
unknown, used, revoked or expired link, or one of a deactivated account, gets one neutral page.

The token is the URL's last segment, so it must reach no log and no other site: every response
says `Referrer-Policy: no-referrer` and `Cache-Control: no-store`, and is marked as logged so
Django's request logger does not write the path of a 4xx; crsv.logs masks it in every other log
record.
"""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from crsv.accounts import invitations

_BACKEND = "crsv.accounts.backends.ScopedModelBackend"


class InvitationPasswordForm(SetPasswordMixin, forms.Form):
    """Her password, twice. The rules (Django's validators) are the service's."""

    password1, password2 = SetPasswordMixin.create_password_fields()

    def clean(self) -> dict[str, object]:
        self.validate_passwords()
        return super().clean() or {}


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log.log_response: path holds the token
    return response


def _refused(request: HttpRequest, refusal: invitations.InvitationRefused) -> HttpResponse:
    return _private(
        render(
            request, "accounts/invitation_refused.html", {"message": refusal.message}, status=refusal.status
        )
    )


@login_not_required
@never_cache
@sensitive_variables("token")
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitations.invitation_get(token)
    except invitations.InvitationRefused as refusal:
        return _refused(request, refusal)
    form = InvitationPasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invitation_accept(
                token=token, password=form.cleaned_data["password1"], request=request
            )
        except invitations.InvitationRefused as refusal:
            return _refused(request, refusal)
        except ValidationError as error:
            form.add_error("password1", error.error_dict.get("password", error.messages))
        else:
            login(request, user, backend=_BACKEND)
            setup = resolve_url("accounts:two_factor_setup")
            return _private(redirect(f"{setup}?next={quote(resolve_url('home'))}"))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "username": invitation.user.username}
    return _private(render(request, "accounts/invitation_accept.html", context, status=status))
