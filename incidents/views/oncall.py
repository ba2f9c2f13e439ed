"""The on-call roster page of a field office: who is on call now and next, put someone on call,
end a shift. For the office's WPAs and its mission's senior WPAs; any other user who can see the
office gets 403, an office out of reach 404. Times are shown and typed in the office's zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.models import FieldOffice
from incidents import clock
from incidents.forms.alerts import OnCallForm
from incidents.forms.review import add_service_errors
from incidents.selectors import alerts as selectors
from incidents.services import alerts as services


def _render(
    request: AuthenticatedHttpRequest, office: FieldOffice, form: OnCallForm, *, status: int = 200
) -> HttpResponse:
    zone = ZoneInfo(office.time_zone)
    now = clock.now()
    shifts = [
        {
            "public_id": shift.public_id,
            "name": shift.user.display_name,
            "starts": timezone.localtime(shift.starts_at, zone),
            "ends": timezone.localtime(shift.ends_at, zone),
            "now": shift.starts_at <= now,
        }
        for shift in selectors.oncall_roster(field_office=office, now=now)
    ]
    context = {"office": office, "shifts": shifts, "form": form, "zone": office.time_zone}
    return render(request, "incidents/alerts/oncall.html", context, status=status)


def _form(office: FieldOffice, data: object = None) -> OnCallForm:
    return OnCallForm(
        data, candidates=selectors.oncall_candidates(field_office=office), zone=office.time_zone
    )


@never_cache
@require_http_methods(["GET", "POST"])
def oncall_roster(request: AuthenticatedHttpRequest, office_id: int) -> HttpResponse:
    user = request.user
    office = selectors.oncall_office_get(user=user, office_id=office_id)  # 404 out of reach
    services.oncall_authorize(actor=user, field_office=office)  # 403 before the form
    if request.method == "GET":
        return _render(request, office, _form(office))
    form = _form(office, request.POST)
    if form.is_valid():
        try:
            services.oncall_assign(
                actor=user,
                field_office=office,
                user=form.cleaned_data["user"],
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("On-call shift added."))
            return redirect("incidents:oncall_roster", office_id=office.pk)
    return _render(request, office, form)


@never_cache
@require_POST
def oncall_end(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    shift = selectors.oncall_shift_get(user=user, public_id=public_id)  # 404 out of reach
    office = shift.field_office
    try:
        services.oncall_end(actor=user, assignment=shift, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _render(request, office, _form(office), status=409)
    messages.success(request, _("On-call shift ended."))
    return redirect("incidents:oncall_roster", office_id=office.pk)
