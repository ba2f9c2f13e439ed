"""Inputs of the referrals API: query parameters and bodies, each refusing unknown keys
(`crsv.api.StrictInput`). Ids are public ids; what they name is looked up within the user's
reach, and an id she cannot use reads the same as one that does not exist."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from rest_framework import serializers

from crsv.accounts.models import FieldOffice, User
from crsv.api import StrictInput
from crsv.pagination import MAX_CURSOR_LENGTH
from incidents.api.serializers.fields import Choice
from incidents.models import Incident, Location
from referrals.models import Referral, ReferralEvent, ServiceProvider, ServiceType
from referrals.services import NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from referrals.workflow import MOVES, TRANSITIONS
from survivors.models import Survivor, SurvivorIncident

_CURSOR_HELP = "Opaque; follow the `next` link rather than building it."


def _cursor() -> serializers.CharField:
    return serializers.CharField(max_length=MAX_CURSOR_LENGTH, required=False, help_text=_CURSOR_HELP)


def state_field(**kwargs: Any) -> Choice:
    return Choice(Referral.State.choices, enum_name="ReferralState", **kwargs)


def urgency_field(**kwargs: Any) -> Choice:
    return Choice(Referral.Urgency.choices, enum_name="ReferralUrgency", **kwargs)


def service_type_field(**kwargs: Any) -> Choice:
    return Choice(ServiceType.choices, enum_name="ReferralServiceType", **kwargs)


class ReferralListQuery(StrictInput):
    """GET /referrals/: the filters of `selectors.referral_list` and the cursor."""

    unknown_message = _("Not a filter of this list.")

    state = state_field(required=False)
    urgency = urgency_field(required=False)
    overdue = serializers.BooleanField(
        default=False, help_text="Only the referrals still waiting for the service past their due time."
    )
    cursor = _cursor()


WORKFLOW_FIELDS = frozenset({"state", "reference", "due_at", "sent_at", "consent", "public_id"})


class ReferralCreateInput(StrictInput):
    """POST /referrals/: refer a case (a draft, or sent at once with `send`)."""

    refusals: ClassVar[Mapping[str, StrOrPromise]] = dict.fromkeys(
        WORKFLOW_FIELDS, _("Set by the workflow; it cannot be sent.")
    )

    survivor = serializers.UUIDField(help_text="Public id of the survivor's case.")
    provider = serializers.UUIDField(help_text="Public id of a provider of the service directory.")
    service_type = service_type_field()
    urgency = urgency_field(help_text="Sets the due time, counted from sending.")
    incident = serializers.UUIDField(
        required=False, allow_null=True, help_text="Public id of an incident linked to the case."
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text="For the provider (encrypted; the provider reads it).",
    )
    send = serializers.BooleanField(
        default=False,
        help_text="Send at once: checks the survivor's referral consent now; without it nothing is created.",
    )

    def validate_survivor(self, public_id: Any) -> Survivor:
        user: User = self.context["user"]
        survivor = Survivor.objects.visible_to(user).filter(public_id=public_id).first()
        if survivor is None:
            raise serializers.ValidationError(_("No case you can see has this id."))
        return survivor

    def validate_provider(self, public_id: Any) -> ServiceProvider:
        # Inactive ones too: the service says why they cannot be chosen.
        provider = ServiceProvider.objects.filter(public_id=public_id).first()
        if provider is None:
            raise serializers.ValidationError(_("No provider of the service directory has this id."))
        return provider

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        public_id = attrs.get("incident")
        if public_id is None:
            attrs["incident"] = None
            return attrs
        # Only an incident linked to this case: any other id reads the same, existing or not.
        linked = SurvivorIncident.objects.filter(survivor=attrs["survivor"]).values("incident_id")
        incident = Incident.objects.filter(public_id=public_id, pk__in=linked).first()
        if incident is None:
            raise serializers.ValidationError(
                {"incident": [_("This incident is not linked to the survivor's case.")]}
            )
        attrs["incident"] = incident
        return attrs


def _action_field() -> Choice:
    return Choice(
        [(action, ReferralEvent.Action(action).label) for action in MOVES],
        enum_name="ReferralTransitionAction",
        help_text="send (the case worker; draft), accept, decline (`reason`), start, complete "
        "(`outcome`, optional) (a user of the provider), cancel (`reason`; the case worker).",
    )


class ReferralTransitionActionInput(serializers.Serializer[Any]):
    """The action alone, read first: who may and the state are answered (403, 409) before
    anything is said about the other fields."""

    action = _action_field()


class ReferralTransitionInput(StrictInput):
    """POST /referrals/{id}/transitions/: one workflow move, with what that move takes."""

    action = _action_field()
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="decline, cancel: why (required; encrypted).",
    )
    outcome = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text="complete: the service given (optional; encrypted).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        used = TRANSITIONS[attrs["action"]].inputs
        unused = sorted(name for name in attrs if name != "action" and name not in used)
        if unused:
            message = _("Not used by the %(action)s action.") % {"action": attrs["action"]}
            raise serializers.ValidationError({name: [message] for name in unused})
        return attrs


class ProviderListQuery(StrictInput):
    """GET /providers/: the filters of `selectors.provider_list` and the cursor."""

    unknown_message = _("Not a filter of this list.")

    service_type = service_type_field(required=False)
    office = serializers.CharField(
        max_length=8, required=False, help_text="Code of a field office the provider serves."
    )
    location = serializers.UUIDField(
        required=False, help_text="Public id of a location the provider covers (or a place above it)."
    )
    pep_available = serializers.BooleanField(default=False)
    emergency_contraception = serializers.BooleanField(default=False)
    child_friendly = serializers.BooleanField(default=False)
    serves_male_survivors = serializers.BooleanField(default=False)
    include_inactive = serializers.BooleanField(
        default=False, help_text="Admins only (ignored for others): inactive providers too."
    )
    cursor = _cursor()

    def validate_office(self, code: str) -> FieldOffice:
        user: User = self.context["user"]
        offices = list(FieldOffice.objects.filter(code=code, mission_id__in=user.mission_ids()))
        if len(offices) != 1:
            raise serializers.ValidationError(_("No field office of your missions has this code."))
        return offices[0]

    def validate_location(self, public_id: Any) -> Location:
        location = Location.objects.filter(public_id=public_id).first()
        if location is None:
            raise serializers.ValidationError(_("No location has this id."))
        return location
