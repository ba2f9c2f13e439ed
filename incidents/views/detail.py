"""The detail page, and the workflow actions posted from it.

Every action posts to one URL with an `action` field, and is taken by
`services.incident_transition` (the API's transitions call it too). Outcomes, the same for
every action and decided by the service in this order: an incident out of scope is 404; a role
that may not act is 403; an action the incident's status does not allow (it was acted on
meanwhile) redisplays the page with the reason (409); bad input redisplays the page with the
messages beside the action's fields (200); success redirects to the page with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.roles import Capability
from incidents import clock, permissions, selectors, services
from incidents.accountability_permissions import can_record_accountability
from incidents.exceptions import TransitionNotAllowed
from incidents.forms import AssignForm, ReasonForm, SubmitForm, VerifyForm, add_service_errors
from incidents.forms.accountability import AccountabilityStepForm
from incidents.models import Incident
from incidents.selectors.accountability import accountability_step_list
from incidents.workflow import MOVES, Action

# Who may register a survivor case from an incident (the survivor intake page's own rule).


@dataclass(frozen=True)
class Step:
    """One workflow move as the page offers it (who may, from which status, with which inputs:
    `incidents.workflow.TRANSITIONS`)."""

    form: Callable[[Any, Incident], forms.Form]  # (POST data or None, incident) -> form
    done: Any  # the success message


def _assign_form(data: Any, incident: Incident) -> forms.Form:
    candidates = selectors.incident_assignee_candidates(incident=incident)
    return AssignForm(data, candidates=candidates, auto_id="id_assign_%s")


def _verify_form(data: Any, incident: Incident) -> forms.Form:
    today = clock.office_today(incident.field_office)
    return VerifyForm(data, initial={"verified_on": today}, auto_id="id_verify_%s")


STEPS: dict[str, Step] = {
    Action.SUBMIT: Step(lambda data, incident: SubmitForm(data), gettext_lazy("Incident submitted.")),
    Action.ASSIGN: Step(_assign_form, gettext_lazy("Incident assigned.")),
    Action.RETURN: Step(
        lambda data, incident: ReasonForm(data, auto_id="id_return_%s"),
        gettext_lazy("Incident returned to its reporter."),
    ),
    Action.VERIFY: Step(_verify_form, gettext_lazy("Verification recorded; the incident is closed.")),
    Action.REOPEN: Step(
        lambda data, incident: ReasonForm(data, auto_id="id_reopen_%s"),
        gettext_lazy("Incident reopened for review."),
    ),
}
assert tuple(STEPS) == MOVES


class _Unparsed(Exception):
    """The posted form has errors; they are already beside its fields."""


def _inputs(form: forms.Form) -> services.InputsReader:
    """Reads the form when the service asks, i.e. once the user may act and the status allows."""

    def read() -> services.TransitionInputs:
        if not form.is_valid():
            raise _Unparsed
        return services.TransitionInputs(**form.cleaned_data)

    return read


def render_detail(
    request: AuthenticatedHttpRequest,
    incident: Incident,
    *,
    posted: tuple[str, forms.Form] | None = None,
    accountability_form: AccountabilityStepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The detail page; `posted` is an action form to show as posted (with its errors), and
    `accountability_form` the justice step form (views/accountability.py)."""
    user = request.user
    flags = permissions.incident_permissions(user, incident)
    action_forms = {
        action: posted[1] if posted and posted[0] == action else step.form(None, incident)
        for action, step in STEPS.items()
        if flags[f"can_{action}"]
    }
    can_register_survivor = user.can(Capability.REGISTER_SURVIVOR)
    context = {
        "incident": incident,
        **flags,
        "narrative": selectors.incident_narrative(user=user, incident=incident),
        "location": selectors.incident_location_for(user=user, incident=incident),
        "violations": list(incident.violations.all()),
        "perpetrators": list(incident.perpetrators.all()),
        "history": selectors.incident_history(user=user, incident=incident),
        # Justice and accountability (issue 13 item 6): on submitted incidents only.
        "accountability_steps": (
            [] if incident.is_draft else accountability_step_list(user=user, incident=incident)
        ),
        "accountability_form": accountability_form
        or (AccountabilityStepForm() if can_record_accountability(user, incident) else None),
        "action_forms": action_forms,
        "has_actions": bool(action_forms),
        "can_register_survivor": can_register_survivor,
        "register_survivor_url": (
            f"{reverse('survivors:create')}?{urlencode({'incident': str(incident.public_id)})}"
            if can_register_survivor
            else ""
        ),
    }
    return render(request, "incidents/detail.html", context, status=status)


def detail_conflict(
    request: AuthenticatedHttpRequest, incident: Incident, error: TransitionNotAllowed
) -> HttpResponse:
    """The page as it is now, with why the action was not possible (409)."""
    messages.error(request, error.message)
    current = selectors.incident_get(user=request.user, public_id=incident.public_id)
    return render_detail(request, current, status=409)


@never_cache
@require_GET
def incident_detail(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    return render_detail(request, selectors.incident_get(user=request.user, public_id=public_id))


# A return or reopen reason may describe the incident, like the narrative.
@never_cache
@sensitive_post_parameters("reason")
@require_POST
def incident_transition(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    """Adapter of `services.incident_transition`, which decides 404, 403, 409 and the field errors
    in that order (403 and 404 propagate to Django's pages)."""
    incident = selectors.incident_get(user=request.user, public_id=public_id)
    action = request.POST.get("action", "")
    step = STEPS.get(action)
    if step is None:
        messages.error(request, _("Unknown action."))
        return render_detail(request, incident, status=400)
    form = step.form(request.POST, incident)
    try:
        services.incident_transition(
            actor=request.user, incident=incident, action=action, inputs=_inputs(form), request=request
        )
    except TransitionNotAllowed as error:
        return detail_conflict(request, incident, error)
    except _Unparsed:
        pass
    except ValidationError as error:
        add_service_errors(form, error)
    else:
        messages.success(request, str(step.done))
        return redirect("incidents:detail", public_id=incident.public_id)
    return render_detail(request, incident, posted=(action, form))
