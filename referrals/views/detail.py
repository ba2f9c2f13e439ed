"""The referral page, and the workflow moves posted from it.

Every move posts to one URL with an `action` field and is taken by
`services.referral_transition` (the API's transitions call it too), which decides, in this
order: out of scope is 404; a user who may not act is 403; a move the referral's state does not
allow (someone acted meanwhile) shows the page as it is now with the reason (409); bad input
shows the page with the message beside the field, the input kept (200); success redirects to
the page with a message.

A provider's user reads the minimal view (`selectors.provider_referral_get`, which decides
whether the safe contact details are shown and logs it); a case worker reads the referral.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.audit.models import AccessEvent
from incidents.exceptions import TransitionNotAllowed
from incidents.models import Incident
from referrals import permissions, selectors, services
from referrals.forms import NoInputForm, OutcomeForm, ReasonForm, service_errors_add
from referrals.models import Referral, ReferralEvent
from referrals.views.listing import provider_view_only
from referrals.workflow import MOVES
from survivors.permissions import can_view_identifying

Action = ReferralEvent.Action

# Each move's form (its inputs: `workflow.TRANSITIONS`) and what is said once it is done.
FORMS: dict[str, Callable[..., forms.Form]] = {
    Action.SEND: lambda data=None: NoInputForm(data, auto_id="id_send_%s"),
    Action.ACCEPT: lambda data=None: NoInputForm(data, auto_id="id_accept_%s"),
    Action.DECLINE: lambda data=None: ReasonForm(data, auto_id="id_decline_%s"),
    Action.START: lambda data=None: NoInputForm(data, auto_id="id_start_%s"),
    Action.COMPLETE: lambda data=None: OutcomeForm(data, auto_id="id_complete_%s"),
    Action.CANCEL: lambda data=None: ReasonForm(data, auto_id="id_cancel_%s"),
}
DONE: dict[str, Any] = {
    Action.SEND: gettext_lazy("Referral sent."),
    Action.ACCEPT: gettext_lazy("Referral accepted."),
    Action.DECLINE: gettext_lazy("Referral declined."),
    Action.START: gettext_lazy("Service start recorded."),
    Action.COMPLETE: gettext_lazy("Referral completed."),
    Action.CANCEL: gettext_lazy("Referral cancelled."),
}
assert tuple(FORMS) == MOVES and tuple(DONE) == MOVES


def _incident_shown(user: Any, referral: Referral) -> Incident | None:
    """The referral's incident, to someone who may both see it and know it is this survivor's
    (the link names who it happened to: shown with the identifying fields only)."""
    if referral.incident_id is None or not can_view_identifying(user, referral.survivor):
        return None
    return Incident.objects.visible_to(user).filter(pk=referral.incident_id).first()


def render_detail(
    request: AuthenticatedHttpRequest,
    referral: Referral,
    *,
    posted: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The referral page; `posted` is a move's form to show as posted (with its errors)."""
    user = request.user
    action_forms = {
        action: posted[1] if posted and posted[0] == action else FORMS[action]()
        for action in permissions.actions_available(user, referral)
    }
    context: dict[str, Any] = {
        "referral": referral,
        "action_forms": action_forms,
        "history": selectors.referral_history(referral=referral),
        "office_time_zone": referral.survivor.field_office.time_zone,
        "overdue": referral.state in Referral.AWAITING_STATES and referral.due_at < timezone.now(),
    }
    if provider_view_only(user):
        context["minimal"] = selectors.provider_referral_get(
            user=user, public_id=referral.public_id, request=request, kind=AccessEvent.Kind.VIEW
        )
    else:
        context["incident"] = _incident_shown(user, referral)
    return render(request, "referrals/detail.html", context, status=status)


@never_cache
@require_GET
def referral_detail(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    return render_detail(request, selectors.referral_get(user=request.user, public_id=public_id))


# A reason or an outcome may describe the survivor, like the note.
@never_cache
@sensitive_post_parameters("reason", "outcome")
@require_POST
def referral_transition(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    """Adapter of `services.referral_transition` (403 and 404 propagate to Django's pages)."""
    referral = selectors.referral_get(user=request.user, public_id=public_id)
    action = request.POST.get("action", "")
    if action not in FORMS:
        messages.error(request, _("Unknown action."))
        return render_detail(request, referral, status=400)
    form = FORMS[action](request.POST)
    form.is_valid()
    data = {name: form.cleaned_data.get(name, "") for name in services.transition_inputs(action)}
    try:
        services.referral_transition(
            user=request.user, referral=referral, action=action, data=data, request=request
        )
    except TransitionNotAllowed as error:
        messages.error(request, error.message)
        current = selectors.referral_get(user=request.user, public_id=referral.public_id)
        return render_detail(request, current, status=409)
    except ValidationError as error:
        service_errors_add(form, error)
        current = selectors.referral_get(user=request.user, public_id=referral.public_id)
        return render_detail(request, current, posted=(action, form))
    messages.success(request, str(DONE[action]))
    return redirect("referrals:detail", public_id=referral.public_id)
