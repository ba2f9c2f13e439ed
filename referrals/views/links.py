"""The one-time answer link's page, `/r/<token>/`: public (no sign-in; the 256-bit token is the
credential, so no rate limit is needed: guessing one is hopeless), an adapter of
`services.links`.

GET shows the referral's reference, service type, urgency, due time and the step's choice; POST
takes the move and shows a done page. An unknown link is a 404 page, a used, expired or
overtaken one a 410 page, both in the site's layout, and nothing is changed.

The token is the URL's last segment, so it must reach no log and no other site: every response
says `Referrer-Policy: no-referrer` and `Cache-Control: no-store`, and is marked as logged so
Django's request logger does not write the path of a 4xx (it would write the token).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods
from django_stubs_ext import StrOrPromise

from referrals.forms import OutcomeForm, ReasonForm, service_errors_add
from referrals.models import Referral, ReferralEvent, ServiceType
from referrals.services.links import AnswerLinkRefused, LinkView, answer_link_get, answer_link_use

Action = ReferralEvent.Action


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log.log_response: path holds the token
    return response


def _refused(request: HttpRequest, refusal: AnswerLinkRefused) -> HttpResponse:
    return _private(
        render(request, "referrals/link_refused.html", {"message": refusal.message}, status=refusal.status)
    )


def _page(
    request: HttpRequest,
    view: LinkView,
    *,
    decline: forms.Form | None = None,
    complete: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "link": view,
        "service_type": ServiceType(view.service_type).label,
        "urgency": Referral.Urgency(view.urgency).label,
        "can_accept": Action.ACCEPT in view.actions,
        "decline_form": (decline or ReasonForm(auto_id="id_decline_%s"))
        if Action.DECLINE in view.actions
        else None,
        "complete_form": (complete or OutcomeForm(auto_id="id_complete_%s"))
        if Action.COMPLETE in view.actions
        else None,
    }
    return _private(render(request, "referrals/link_answer.html", context, status=status))


DONE: dict[str, StrOrPromise] = {
    Action.ACCEPT: _("Referral %(reference)s accepted. Thank you."),
    Action.DECLINE: _("Referral %(reference)s declined. The referring WPA will be told."),
    Action.COMPLETE: _("The service given for referral %(reference)s is recorded. Thank you."),
}
NEXT: dict[str, StrOrPromise] = {
    Action.ACCEPT: _("Once the service is given, record it with the link of the e-mail that follows."),
}


@login_not_required
@never_cache
@sensitive_variables("token")
@sensitive_post_parameters("reason", "outcome")
@require_http_methods(["GET", "POST"])
def answer_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        view = answer_link_get(token)
    except AnswerLinkRefused as refusal:
        return _refused(request, refusal)
    if request.method != "POST":
        return _page(request, view)
    action = request.POST.get("action", "")
    form: forms.Form = (
        OutcomeForm(request.POST, auto_id="id_complete_%s")
        if action == Action.COMPLETE
        else (ReasonForm(request.POST, auto_id="id_decline_%s"))
    )
    form.is_valid()
    data = {name: form.cleaned_data.get(name, "") for name in ("reason", "outcome")}
    try:
        referral = answer_link_use(token, action, data, request=request)
    except AnswerLinkRefused as refusal:
        return _refused(request, refusal)
    except ValidationError as error:
        service_errors_add(form, error)
        if action == Action.DECLINE:
            return _page(request, view, decline=form, status=400)
        return _page(request, view, complete=form, status=400)
    context = {
        "done": DONE[action] % {"reference": referral.reference},
        "next": NEXT.get(action, ""),
        "has_contact_email": bool(referral.provider.contact_email),
    }
    return _private(render(request, "referrals/link_done.html", context))
