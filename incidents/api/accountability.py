"""The justice and accountability API (issue 13 item 6):
/api/v1/incidents/{public_id}/accountability/ (GET, POST) and .../accountability/{step_id}/
(DELETE).

Thin views over the page's selector and services: `selectors.incident_get` resolves the incident
(out of scope: 404), `selectors.accountability.accountability_step_list` reads the steps as the
user may see them, `services.accountability` writes and answers 403, 409 or 400, in that order
(incidents/api/base.py maps them).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.views.decorators.debug import sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from crsv.accounts.models import User
from crsv.api import StrictInput
from crsv.api_schema import from_body, from_path, link
from incidents import accountability_permissions as rules
from incidents import selectors
from incidents.api import schema as _schema  # noqa: F401  (registers the OpenAPI enum names)
from incidents.api.base import R400, R401, R404, R409, TAGS, IncidentAPIView, actor, http_request
from incidents.api.serializers.fields import ABSENT, Choice, Timestamp
from incidents.models import AccountabilityStep, Incident
from incidents.selectors.accountability import AccountabilityStepRow, accountability_step_list
from incidents.services import accountability as services

Step = AccountabilityStep
_RESTRICTED = (
    "Each step's `note` and `recorded_by` are left out (the keys are absent, not null) when you may "
    "not read the incident's narrative (analysts never do)."
)
_RULES = (
    "`court` is required for a `prosecution`, a `verdict` and a `sentence` and refused for the other "
    "stages; `outcome` is required for a `verdict` and refused otherwise; `occurred_on` is not in the "
    "future nor before the incident; each stage once per court."
)


def _stage() -> Choice:
    return Choice(Step.Stage.choices, enum_name="AccountabilityStage")


def _court(**kwargs: Any) -> Choice:
    return Choice(Step.Court.choices, enum_name="AccountabilityCourt", allow_blank=True, **kwargs)


def _outcome(**kwargs: Any) -> Choice:
    return Choice(Step.Outcome.choices, enum_name="AccountabilityOutcome", allow_blank=True, **kwargs)


class AccountabilityStepInput(StrictInput):
    """POST /incidents/{id}/accountability/: a step the incident reached in the justice system."""

    stage = _stage()
    court = _court(required=False, help_text="civil, military or mobile; for the court stages only.")
    occurred_on = serializers.DateField(help_text="When the step happened.")
    outcome = _outcome(required=False, help_text="For a verdict only.")
    note = serializers.CharField(
        max_length=services.NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        help_text="Restricted like the narrative, encrypted; never shown to analysts.",
    )


class _Restricted(serializers.CharField):
    """A field of the row that is None when the user may not see it: the key is left out."""

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        super().__init__(required=False, help_text=ABSENT.format(what=what), **kwargs)


class AccountabilityStepOutput(serializers.Serializer):
    """One justice and accountability step, as you may see it."""

    public_id = serializers.UUIDField()
    stage = _stage()
    stage_label = serializers.CharField()
    court = _court(help_text="Empty for the stages before no court.")
    court_label = serializers.CharField(allow_blank=True)
    occurred_on = serializers.DateField()
    outcome = _outcome(help_text="Empty but for a verdict.")
    outcome_label = serializers.CharField(allow_blank=True)
    recorded_at = Timestamp()
    note = _Restricted(what="the note is restricted like the narrative", allow_blank=True)
    recorded_by = _Restricted(what="who recorded it is shown with the note")
    can_remove = serializers.BooleanField(help_text="Whether you may remove (correct) this step.")

    def to_representation(self, instance: AccountabilityStepRow) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        for name in ("note", "recorded_by"):
            if getattr(instance, name) is None:
                data.pop(name, None)
        return data


class AccountabilityListOutput(serializers.Serializer):
    """The incident's steps in the order they happened."""

    can_record = serializers.BooleanField(help_text="Whether you may record a step now.")
    results = AccountabilityStepOutput(many=True)


def _list_body(user: User, incident: Incident) -> dict[str, Any]:
    rows = accountability_step_list(user=user, incident=incident)
    body = {"can_record": rules.can_record_accountability(user, incident), "results": rows}
    return dict(AccountabilityListOutput(body).data)


def _remove_link(pointer: str) -> dict[str, Any]:
    return {
        "RemoveAccountabilityStep": link(
            "incidents_accountability_remove",
            "Remove (correct) the step.",
            public_id=from_path("public_id"),
            step_id=from_body(pointer),
        )
    }


class AccountabilityCollectionView(IncidentAPIView):
    http_method_names = ["get", "post", "options"]
    openapi_links = {
        "get": {"200": _remove_link("/results/0/public_id")},
        "post": {"201": _remove_link("/public_id")},
    }

    @extend_schema(
        operation_id="incidents_accountability_list",
        summary="An incident's justice and accountability steps",
        description="Complaint, investigation, arrest, prosecution, verdict, sentence, reparations: "
        "in the order they happened. " + _RESTRICTED,
        responses={200: AccountabilityListOutput, 401: R401, 404: R404},
        tags=TAGS,
    )
    @sensitive_variables()
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        return Response(_list_body(user, selectors.incident_get(user=user, public_id=public_id)))

    @extend_schema(
        operation_id="incidents_accountability_record",
        summary="Record a justice and accountability step",
        description="Only a WPA of the incident's field office or a senior WPA of its mission, once the "
        "incident is submitted. Checked in this order: 404, 403, 409 (a draft), then the fields (400). "
        + _RULES
        + " "
        + _RESTRICTED,
        request=AccountabilityStepInput,
        responses={
            201: AccountabilityStepOutput,
            400: R400,
            401: R401,
            403: OpenApiResponse(description="You can see the incident but may not record its steps."),
            404: R404,
            409: R409,
        },
        tags=TAGS,
    )
    @sensitive_variables()
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = actor(request)
        with transaction.atomic():
            incident = selectors.incident_get(user=user, public_id=public_id)
            services.accountability_authorize(actor=user, incident=incident)  # before the body
            data = AccountabilityStepInput(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            step = services.accountability_step_record(
                actor=user,
                incident=incident,
                stage=values["stage"],
                court=values.get("court", ""),
                occurred_on=values["occurred_on"],
                outcome=values.get("outcome", ""),
                note=values.get("note", ""),
                request=http_request(request),
            )
            rows = accountability_step_list(user=user, incident=incident)
        row = next(row for row in rows if row.public_id == step.public_id)
        return Response(AccountabilityStepOutput(row).data, status=status.HTTP_201_CREATED)


class AccountabilityStepView(IncidentAPIView):
    http_method_names = ["delete", "options"]

    @extend_schema(
        operation_id="incidents_accountability_remove",
        summary="Remove (correct) a justice and accountability step",
        description="Only who recorded the step (while she reviews the incident) or a senior WPA of "
        "the incident's mission. A step that is not the incident's is not found.",
        responses={
            204: OpenApiResponse(description="Removed."),
            401: R401,
            403: OpenApiResponse(description="You can see the step but may not remove it."),
            404: OpenApiResponse(description="No such incident or step, or not one you can see."),
        },
        tags=TAGS,
    )
    def delete(self, request: Request, public_id: uuid.UUID, step_id: uuid.UUID) -> Response:
        user = actor(request)
        incident = selectors.incident_get(user=user, public_id=public_id)
        services.accountability_step_remove(
            actor=user, incident=incident, step_public_id=step_id, request=http_request(request)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
