"""Sign in, sign out, and the home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from crsv.accounts.roles import role_label


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@method_decorator(login_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    """POST signs out; GET shows the signed-out page (so a bookmarked link is harmless)."""

    template_name = "accounts/logged_out.html"
    http_method_names = ["get", "post", "options"]

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.user.is_authenticated:
            return render(request, "accounts/logout_confirm.html")
        return render(request, self.template_name)


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = sorted(role_label(name) for name in user.role_names())  # type: ignore[union-attr]  # login required
    offices = list(user.offices())  # type: ignore[union-attr]
    return render(request, "home.html", {"roles": roles, "offices": offices})
