"""The alert pages: the list (filters, keyset pages), an alert with its history and the buttons
its state allows, the moves posted from it, and the link-incident form.

Every move posts to one URL with an `action` field, taken by `services.alert_transition` (the
API's transitions call it too), which answers in this order: out of scope 404; a role that may
not act 403; a state that does not allow it (acted on meanwhile) redisplays the page with the
reason (409); bad input redisplays it with the messages beside the fields (200); success
redirects to the page with a message. Pages show the description and notes: `never_cache`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from crsv.accounts.http import AuthenticatedHttpRequest
from crsv.accounts.models import FieldOffice
from crsv.accounts.roles import Capability
from crsv.pagination import BadCursor
from incidents import alert_permissions
from incidents.alert_workflow import MOVES, Action
from incidents.exceptions import TransitionNotAllowed
from incidents.forms.alerts import AcknowledgeForm, AlertFilterForm, LinkIncidentForm, NoteForm
from incidents.forms.review import add_service_errors
from incidents.models import Alert
from incidents.selectors import alerts as selectors
from incidents.services import alerts as services

# Each move's form (POST data or None -> form) and success message.
STEPS: dict[str, tuple[Callable[[Any], forms.Form], Any]] = {
    Action.ACKNOWLEDGE: (lambda data: AcknowledgeForm(data), gettext_lazy("Alert acknowledged.")),
    Action.DISPATCH: (
        lambda data: NoteForm(data, auto_id="id_dispatch_%s"),
        gettext_lazy("Response recorded as dispatched."),
    ),
    Action.CLOSE: (lambda data: NoteForm(data, auto_id="id_close_%s"), gettext_lazy("Alert closed.")),
}
assert tuple(STEPS) == MOVES


_INDICATORS = dict(Alert.Indicator.choices)


def indicator_labels(alert: Alert) -> list[str]:
    return [str(_INDICATORS.get(value, value)) for value in alert.indicators]


def page_url(params: list[tuple[str, Any]], *, after: str | None) -> str:
    """This page's query with another cursor: the filters stay."""
    kept = [(key, str(value)) for key, value in params if key != "after" and value]
    if after:
        kept.append(("after", after))
    return "?" + urlencode(kept)


def _visible_offices(user: Any) -> list[FieldOffice]:
    """The offices whose alerts she may list (the filter's options)."""
    ids = set(user.office_ids())
    query = FieldOffice.objects.select_related("mission").order_by("name")
    if user.can(Capability.SEE_WHOLE_MISSION):
        return list(query.filter(mission_id__in=user.mission_ids()))
    return list(query.filter(pk__in=ids))


@never_cache
@require_GET
def alert_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    alert_permissions.alert_list_authorize(user)  # 403 for a role with no alerts at all
    form = AlertFilterForm(request.GET, offices=_visible_offices(user))
    rows: list[dict[str, Any]] = []
    next_cursor = None
    if form.is_valid():
        cursor = request.GET.get("after") or None
        try:
            page = selectors.alert_page(user=user, filters=form.filters(), cursor=cursor)
        except BadCursor:  # a cursor this page did not make: the first page
            page = selectors.alert_page(user=user, filters=form.filters())
        next_cursor = page.next_cursor
        rows = [
            {
                "alert": alert,
                "place": selectors.alert_place(user=user, alert=alert),
                "signs": ", ".join(indicator_labels(alert)),
            }
            for alert in page.rows
        ]
    params = list(request.GET.items())
    context = {
        "form": form,
        "rows": rows,
        "next_url": page_url(params, after=next_cursor) if next_cursor else None,
        "first_url": page_url(params, after=None) if request.GET.get("after") else None,
        "can_create": alert_permissions.can_create_alert(user),
        "rosters": selectors.oncall_offices(user=user),
    }
    return render(request, "incidents/alerts/list.html", context)


def render_alert(
    request: AuthenticatedHttpRequest,
    alert: Alert,
    *,
    posted: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The alert's page; `posted` is a form to show as posted, with its errors."""
    user = request.user
    flags = alert_permissions.alert_permissions(user, alert)
    action_forms = {
        action: posted[1] if posted and posted[0] == action else make(None)
        for action, (make, _done) in STEPS.items()
        if flags[f"can_{action}"]
    }
    link_form = posted[1] if posted and posted[0] == "link" else LinkIncidentForm(auto_id="id_link_%s")
    context = {
        "alert": alert,
        **flags,
        "place": selectors.alert_place(user=user, alert=alert),
        "indicators": indicator_labels(alert),
        "description": selectors.alert_description(user=user, alert=alert),
        "history": selectors.alert_history(user=user, alert=alert),
        "linked": selectors.alert_linked_incidents(user=user, alert=alert),
        "action_forms": action_forms,
        "note_required_to_close": alert.state != Alert.State.RESPONSE_DISPATCHED,
        "link_form": link_form,
    }
    return render(request, "incidents/alerts/detail.html", context, status=status)


@never_cache
@require_GET
def alert_detail(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    return render_alert(request, selectors.alert_get(user=request.user, public_id=public_id))


class _Unparsed(Exception):
    """The posted form has errors; they are already beside its fields."""


def _inputs(form: forms.Form) -> services.AlertInputsReader:
    def read() -> services.AlertInputs:
        if not form.is_valid():
            raise _Unparsed
        return services.AlertInputs(note=form.cleaned_data.get("note", ""))

    return read


def _conflict(request: AuthenticatedHttpRequest, alert: Alert, error: TransitionNotAllowed) -> HttpResponse:
    messages.error(request, error.message)
    current = selectors.alert_get(user=request.user, public_id=alert.public_id)
    return render_alert(request, current, status=409)


@never_cache
@sensitive_post_parameters("note")
@require_POST
def alert_transition(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    """Adapter of `services.alert_transition` (404 and 403 propagate to Django's pages)."""
    alert = selectors.alert_get(user=request.user, public_id=public_id)
    action = request.POST.get("action", "")
    if action not in STEPS:
        messages.error(request, _("Unknown action."))
        return render_alert(request, alert, status=400)
    make, done = STEPS[action]
    form = make(request.POST)
    try:
        services.alert_transition(
            actor=request.user, alert=alert, action=action, inputs=_inputs(form), request=request
        )
    except TransitionNotAllowed as error:
        return _conflict(request, alert, error)
    except _Unparsed:
        pass
    except ValidationError as error:
        add_service_errors(form, error)
    else:
        messages.success(request, str(done))
        return redirect("incidents:alert_detail", public_id=alert.public_id)
    return render_alert(request, alert, posted=(action, form))


@never_cache
@require_POST
def alert_link(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    """Link an incident, named by its reference, to the alert (`services.alert_link_incident`)."""
    user = request.user
    alert = selectors.alert_get(user=user, public_id=public_id)
    services.alert_link_authorize(actor=user, alert=alert)  # 403 before anything about the form
    form = LinkIncidentForm(request.POST, auto_id="id_link_%s")
    if form.is_valid():
        incident = selectors.alert_incident_find(user=user, reference=form.cleaned_data["reference"])
        try:
            services.alert_link_incident(actor=user, alert=alert, incident=incident, request=request)
        except ValidationError as error:
            form.add_error("reference", error.message_dict.get("incident", error.messages))
        else:
            messages.success(request, _("Incident linked to the alert."))
            return redirect("incidents:alert_detail", public_id=alert.public_id)
    return render_alert(request, alert, posted=("link", form))
