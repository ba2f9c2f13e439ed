"""The justice and accountability section of the detail page: record a step, remove one.

Adapters of `services.accountability`, in the order the service decides for every door: an
incident out of scope is 404 (Django's page); a role that may not record is 403; a draft
redisplays the page with the reason (409); bad input redisplays the page with the messages
beside the section's fields, what was typed kept (200); success redirects to the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from crsv.accounts.http import AuthenticatedHttpRequest
from incidents import selectors
from incidents.exceptions import TransitionNotAllowed
from incidents.forms import add_service_errors
from incidents.forms.accountability import AccountabilityStepForm
from incidents.services import accountability as services
from incidents.views.detail import detail_conflict, render_detail


# The note may name people, like the narrative.
@never_cache
@sensitive_post_parameters("note")
@require_POST
def accountability_record(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, public_id=public_id)
    try:
        # Who, then the status, before anything about what was typed.
        services.accountability_authorize(actor=request.user, incident=incident)
    except TransitionNotAllowed as error:
        return detail_conflict(request, incident, error)
    form = AccountabilityStepForm(request.POST)
    if form.is_valid():
        values = form.cleaned_data
        try:
            services.accountability_step_record(
                actor=request.user,
                incident=incident,
                stage=values["stage"],
                court=values["court"],
                occurred_on=values["occurred_on"],
                outcome=values["outcome"],
                note=values["note"],
                request=request,
            )
        except TransitionNotAllowed as error:  # no move leads back to draft; answered all the same
            return detail_conflict(request, incident, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Justice and accountability step recorded."))
            return redirect("incidents:detail", public_id=incident.public_id)
    return render_detail(request, incident, accountability_form=form)


@never_cache
@require_POST
def accountability_remove(request: AuthenticatedHttpRequest, public_id: str, step_id: str) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, public_id=public_id)
    services.accountability_step_remove(
        actor=request.user, incident=incident, step_public_id=step_id, request=request
    )
    messages.success(request, _("Justice and accountability step removed."))
    return redirect("incidents:detail", public_id=incident.public_id)
