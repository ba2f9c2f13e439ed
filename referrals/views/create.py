"""The "Refer" page: `/referrals/new/?survivor=<public_id>`, in two steps without JavaScript.

First the service type (GET), since the providers offered depend on it; then the referral
itself: one of the active providers that offer that service and serve the case's field office
(`selectors.referral_provider_candidates`, with their flags), the urgency, optionally one of the
case's incidents the user can see, a note, and "Save as draft" or "Send". `referral_create`
decides: a refusal (no consent when sending, a provider no longer eligible, ...) is shown beside
the form with what was typed kept, and nothing is saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from crsv.accounts.http import AuthenticatedHttpRequest
from referrals import permissions, selectors, services
from referrals.forms import ReferralCreateForm, ServiceTypeForm, service_errors_add
from referrals.models import ServiceType
from survivors import selectors as survivor_selectors
from survivors.models import Survivor


def _case(request: AuthenticatedHttpRequest) -> Survivor:
    """The case named by `survivor` (in the query, or posted): 404 when missing, malformed or
    out of scope."""
    public_id = request.GET.get("survivor") or request.POST.get("survivor") or ""
    if not public_id:
        raise Http404("No survivor matches the given query.")
    try:
        return survivor_selectors.survivor_get(user=request.user, public_id=public_id)
    except ValidationError as exc:  # not a UUID
        raise Http404("No survivor matches the given query.") from exc


@never_cache
@sensitive_post_parameters("note")
@require_http_methods(["GET", "POST"])
def referral_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    survivor = _case(request)
    permissions.refer_authorize(user, survivor)  # the form itself; the service asks again
    service_type = request.POST.get("service_type") or request.GET.get("service_type") or ""
    if service_type not in ServiceType.values:
        step = ServiceTypeForm(request.GET if "service_type" in request.GET else None)
        if step.is_bound:
            step.is_valid()  # an unknown service type: its message beside the field
        return render(request, "referrals/create.html", {"survivor": survivor, "step_form": step})
    candidates = list(selectors.referral_provider_candidates(survivor=survivor, service_type=service_type))
    incidents = survivor_selectors.survivor_incidents(user=user, survivor=survivor) or []
    form = ReferralCreateForm(
        request.POST if request.method == "POST" else None,
        initial={"service_type": service_type},
        candidates=candidates,
        incidents=incidents,
    )
    if request.method == "POST" and form.is_valid():
        send = "send" in request.POST
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                actor=user,
                survivor=survivor,
                provider=data["provider"],
                service_type=service_type,
                urgency=data["urgency"],
                incident=data["incident"],
                note=data["note"],
                send=send,
                request=request,
            )
        except ValidationError as error:
            service_errors_add(form, error)
        else:
            if send:
                done = _("Referral %(reference)s sent to %(provider)s.")
            else:
                done = _("Referral %(reference)s saved as a draft.")
            messages.success(
                request, done % {"reference": referral.reference, "provider": referral.provider.name}
            )
            return redirect("referrals:detail", public_id=referral.public_id)
    context = {
        "survivor": survivor,
        "form": form,
        "service_type": service_type,
        "service_type_label": ServiceType(service_type).label,
        "candidates": candidates,
        "chosen": form.selected_provider_key(),
        "incidents": incidents,
    }
    return render(request, "referrals/create.html", context)
