"""Sign in, sign out, and the home page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from crsv.accounts import lockout, two_factor
from crsv.accounts.home_lines import todo_lines
from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.models import User
from crsv.accounts.roles import role_label
from crsv.registry import home_panels


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """A wrong password, an unknown name and a locked-out name and address get the same page
    (crsv.accounts.lockout), which says for all of them that repeated failures pause sign-in."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"lockout_hint": lockout.lockout_hint()}


@method_decorator(login_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """POST signs out; GET shows the signed-out page (so a bookmarked link is harmless)."""

    template_name = "accounts/logged_out.html"
    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated:
            return render(request, "accounts/logout_confirm.html")
        return render(request, self.template_name)


@login_not_required
@require_http_methods(["POST"])
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in user's choice is also kept on her account, so the
    e-mails the system sends her are in the language she reads (crsv.notifications)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
    return response


@never_cache
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What needs the user now (the to-do lines the apps register, crsv.registry: those that
    count something, the urgent ones first), her roles and offices, then the panels the apps
    register that are for her: e.g. a senior WPA's recent break-glass openings, from survivors."""
    user = request.user
    lines = todo_lines(user)
    # A line that counts nothing is hidden: "now" means something is waiting. The section
    # stays (saying nothing is waiting) for a user whose roles have lines at all.
    waiting = sorted((line for line in lines if line.count), key=lambda line: not line.urgent)
    roles = sorted(role_label(name) for name in user.role_names())
    offices = list(user.offices())
    panels = [
        (panel.template_name, panel_context)
        for panel in home_panels.values()
        if (panel_context := panel.context(request)) is not None
    ]
    context = {
        "roles": roles,
        "offices": offices,
        "panels": panels,
        "has_lines": bool(lines),
        "todo": waiting,
    }
    return render(request, "home.html", context)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


@never_cache
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Second step of sign-in: a code from the authenticator, or a recovery code."""
    user = request.user
    if request.user.is_verified():  # type: ignore[attr-defined]  # set by OTPMiddleware
        return redirect(_next_url(request))
    if not two_factor.has_two_factor(user):
        return redirect(f"{resolve_url('accounts:two_factor_setup')}?next={quote(_next_url(request))}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request=request, user=user, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        # The same words when the user is locked out (crsv.accounts.lockout).
        form.add_error("token", _("This code is wrong, expired or already used."))
    context = {"form": form, "next": _next_url(request), "lockout_hint": lockout.lockout_hint()}
    return render(request, "accounts/two_factor_verify.html", context)


@never_cache
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrolment on first sign-in: scan the QR code (or type the secret), confirm with a code."""
    user = request.user
    if two_factor.has_two_factor(user):
        return redirect(_next_url(request))
    device = two_factor.enrolment_start(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.enrolment_confirm(
            request=request, user=user, device=device, token=form.cleaned_data["token"]
        )
        if codes is not None:
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
        form.add_error("token", _("This code is wrong. Check the time on your phone and try the next code."))
    context = {
        "form": form,
        "qr": two_factor.enrolment_qr_data_uri(device),
        "secret": two_factor.secret_for_typing(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)
