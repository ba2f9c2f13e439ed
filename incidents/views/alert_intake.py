"""The minimal alert form: one screen under 10 KB of HTML, no script, usable at 360 px on a
slow link (templates/incidents/alerts/quick.html is a page of its own, without the site's
navigation and its keep-alive script). After an alert is saved the same empty form comes back,
saying which reference it got and who was told, ready for the next one.

The place is typed (a name or a p-code) and searched when the form is sent: a single match is
taken; several are offered in a short select on the redisplayed form (a search step without
JavaScript); none is said beside the field.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from crsv.accounts.http import AuthenticatedHttpRequest
from incidents import alert_permissions
from incidents.alert_notifications import Route
from incidents.forms.alerts import AlertQuickForm
from incidents.forms.review import add_service_errors
from incidents.models import Location
from incidents.selectors import alerts as selectors
from incidents.services import alerts as services


def _render(request: AuthenticatedHttpRequest, form: AlertQuickForm) -> HttpResponse:
    context = {"form": form, "can_list": alert_permissions.can_list_alerts(request.user)}
    return render(request, "incidents/alerts/quick.html", context)


def _place(form: AlertQuickForm) -> Location | None:
    """The place she means, or None with the reason beside the field (or the choice offered)."""
    matches = selectors.alert_place_search(text=form.cleaned_data["place"])
    if len(matches) == 1:
        return matches[0]
    if not matches:
        form.add_error("place", _("No locality or area by this name or p-code."))
        return None
    form.offer_places(matches)
    chosen = form.chosen_place()
    if chosen is None:
        form.add_error("location", _("Several places match: choose one."))
    return chosen


def _told(received: services.AlertReceived) -> str:
    reference = received.alert.reference
    if received.route == Route.ON_CALL:
        return ngettext(
            "Alert %(reference)s sent to the %(count)d focal point on call.",
            "Alert %(reference)s sent to the %(count)d focal points on call.",
            received.told,
        ) % {"reference": reference, "count": received.told}
    if received.route == Route.OFFICE:
        return ngettext(
            "Alert %(reference)s saved. Nobody is on call: sent to the office's %(count)d WPA.",
            "Alert %(reference)s saved. Nobody is on call: sent to the office's %(count)d WPAs.",
            received.told,
        ) % {"reference": reference, "count": received.told}
    return ngettext(
        "Alert %(reference)s saved. Nobody is on call and the office has no WPA: sent to %(count)d "
        "senior WPA.",
        "Alert %(reference)s saved. Nobody is on call and the office has no WPA: sent to %(count)d "
        "senior WPAs.",
        received.told,
    ) % {"reference": reference, "count": received.told}


# The description may name people: kept out of error reports, as every posted value.
@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def alert_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    services.alert_create_authorize(actor=user)  # 403 before the form, or anything typed
    offices = selectors.alert_offices_for_entry(user=user)
    if request.method == "GET":
        return _render(request, AlertQuickForm(offices=offices))
    form = AlertQuickForm(request.POST, offices=offices)
    if not form.is_valid():
        return _render(request, form)
    location = _place(form)
    if location is None:
        return _render(request, form)
    try:
        received = services.alert_create(
            actor=user,
            field_office=form.cleaned_data.get("field_office") or (offices[0] if len(offices) == 1 else None),
            source=form.cleaned_data["source"],
            location=location,
            indicators=form.cleaned_data["indicators"],
            urgency=form.cleaned_data["urgency"],
            description=form.cleaned_data["description"],
            request=request,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _render(request, form)
    messages.success(request, _told(received))
    return redirect("incidents:alert_create")
