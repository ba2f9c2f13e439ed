"""The intake page: log an incident, or edit one's own while it is a draft or returned.

One page, working without JavaScript: the incident, its violations and its perpetrators,
saved as a draft or submitted, all or nothing. "Add more rows" redisplays the page with more
empty rows and everything typed so far; "Find" (the location's search step) redisplays it with
the places matching the location's search box to choose from (forms/location_picker.py).
"""

from __future__ import annotations

import logging
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.models import User
from crsv.expired_posts import KeptDraft, keeps_expired_post
from incidents import clock, selectors, services
from incidents.exceptions import TransitionNotAllowed
from incidents.forms import IncidentIntake, IntakeChoices, IntakeInitial
from incidents.forms.kept import intake_kept_inputs
from incidents.forms.location_picker import FIND, LocationFinder
from incidents.models import Incident
from incidents.views.detail import detail_conflict
from incidents.workflow import Action

# The intake's buttons (`intent`) that save. Anything else ("add_rows", "find_location", or
# Enter pressed in a field, which sends the first button: "Find") redisplays the page and never
# saves.
SAVE, SUBMIT = "save", "submit"

logger = logging.getLogger(__name__)


def _choices(user: User, *, incident: Incident | None = None) -> IntakeChoices:
    """The selects' options, one query each. Editing keeps a party since deactivated. Locations
    are searched, never listed (a country has thousands)."""
    parties = selectors.party_list()
    if incident is not None:
        in_use = [row.party_id for row in incident.perpetrators.all() if row.party_id is not None]
        parties = selectors.party_list(include_inactive=True).filter(Q(active=True) | Q(pk__in=in_use))
    offices = list(user.offices()) if incident is None else []
    return IntakeChoices(locations=LocationFinder(user), parties=list(parties), offices=offices)


def _redisplayed(intake: IncidentIntake, intent: str | None) -> IncidentIntake:
    """The page again, nothing saved: with the location's matches, or with more rows."""
    return intake.with_location_matches() if intent == FIND else intake.with_more_rows()


def _render(
    request: AuthenticatedHttpRequest, intake: IncidentIntake, incident: Incident | None
) -> HttpResponse:
    context = {
        "intake": intake,
        "incident": incident,
        "is_returned": incident is not None and incident.status == Incident.Status.RETURNED,
    }
    return render(request, "incidents/intake.html", context)


def _saved(request: AuthenticatedHttpRequest, incident: Incident, *, submitted: bool) -> HttpResponse:
    if submitted:
        messages.success(request, _("Incident %(reference)s submitted.") % {"reference": incident.reference})
    elif incident.status == Incident.Status.DRAFT:
        messages.success(request, _("Draft saved. Only you can see it until you submit it."))
    else:
        messages.success(request, _("Changes saved. Submit the incident again when it is ready."))
    return redirect("incidents:detail", public_id=incident.public_id)


def intake_keep(request: HttpRequest) -> KeptDraft | None:
    """An intake posted after its session expired, as the session's user: kept as a draft of
    hers with whatever parsed (crsv.expired_posts has checked the session and the CSRF token;
    the service, her role). None when nothing could be kept."""
    user = cast(User, request.user)
    services.incident_create_authorize(actor=user)  # PermissionDenied before reading anything
    inputs = intake_kept_inputs(IncidentIntake(request.POST, choices=_choices(user)))
    try:
        kept = services.incident_draft_keep(
            actor=user,
            intake_key=inputs.intake_key,
            field_office=inputs.field_office,
            violations=inputs.violations,
            perpetrators=inputs.perpetrators,
            request=request,
            **inputs.fields,
        )
    except ValidationError as error:  # a rule the keeping does not know how to leave out
        keys = sorted(error.message_dict) if hasattr(error, "error_dict") else ["__all__"]
        logger.warning("An expired intake could not be kept as a draft (fields %s).", keys)
        return None
    if kept.created and (inputs.left_out or kept.left_out):
        offer = _(
            "You were signed out; your incident report was saved as a draft, without the "
            "answers that were not valid:"
        )
    else:
        offer = _("You were signed out; your incident report was saved as a draft:")
    return KeptDraft(url=reverse("incidents:edit", args=[kept.incident.public_id]), offer=offer)


# Every value typed here may describe the incident or name a perpetrator: none is shown in
# an error report (a superset of `sensitive_post_parameters("narrative")`). Posted after its
# session expired, it is kept as a draft (`intake_keep`).
@keeps_expired_post(intake_keep)
@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def incident_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    services.incident_create_authorize(actor=user)  # 403 before the form, or anything typed
    choices = _choices(user)
    if request.method == "GET":
        office = user.primary_office()  # can_create_incident: the user has one
        initial = IntakeInitial(incident={"reported_on": clock.office_today(office) if office else None})
        return _render(request, IncidentIntake(choices=choices, initial=initial), None)
    intake = IncidentIntake(request.POST, choices=choices)
    intent = request.POST.get("intent")
    if intent not in (SAVE, SUBMIT):
        return _render(request, _redisplayed(intake, intent), None)
    if intake.is_valid():
        try:
            with transaction.atomic():  # submitting a new incident: both steps or neither
                incident = services.incident_create(
                    actor=user,
                    field_office=intake.field_office(),
                    violations=intake.violation_rows(),
                    perpetrators=intake.perpetrator_rows(),
                    request=request,
                    **intake.incident_fields(),
                )
                if intent == SUBMIT:
                    incident = services.incident_submit(actor=user, incident=incident, request=request)
        except ValidationError as error:
            intake.add_service_errors(error)
        else:
            return _saved(request, incident, submitted=intent == SUBMIT)
    return _render(request, intake, None)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def incident_edit(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
    incident = selectors.incident_get(user=user, public_id=public_id)
    try:  # 403, then 409, before the form or anything typed (the service asks again on saving)
        services.incident_step_authorize(actor=user, incident=incident, action=Action.UPDATE)
    except TransitionNotAllowed as error:
        return detail_conflict(request, incident, error)
    choices = _choices(user, incident=incident)
    if request.method == "GET":
        narrative = selectors.incident_narrative(user=user, incident=incident) or ""
        return _render(
            request, IncidentIntake.of_incident(incident, narrative=narrative, choices=choices), incident
        )
    intake = IncidentIntake(request.POST, choices=choices)
    intent = request.POST.get("intent")
    if intent not in (SAVE, SUBMIT):
        return _render(request, _redisplayed(intake, intent), incident)
    if intake.is_valid():
        try:
            with transaction.atomic():  # the edit and the submission: both or neither
                saved = services.incident_update(
                    actor=user,
                    incident=incident,
                    violations=intake.violation_rows(),
                    perpetrators=intake.perpetrator_rows(),
                    request=request,
                    **intake.incident_fields(),
                )
                if intent == SUBMIT:
                    saved = services.incident_submit(actor=user, incident=saved, request=request)
        except TransitionNotAllowed as error:  # submitted meanwhile, from another tab
            return detail_conflict(request, incident, error)
        except ValidationError as error:
            intake.add_service_errors(error)
        else:
            return _saved(request, saved, submitted=intent == SUBMIT)
    return _render(request, intake, incident)
