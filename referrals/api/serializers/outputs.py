"""Outputs of the referrals API.

Two views of a referral, told apart by `view`:

- `full`, for the case worker (a WPA of the case, a senior WPA of its mission): the referral
  with its case code, provider, incident, note, reason and outcome, never the survivor's name
  (the case API reveals it, and logs it);
- `provider`, for a user of the provider it was sent to: `selectors.ProviderReferralView`, the
  minimum of issue 10 item 5, never the name, the narrative or the incident; the safe contact
  details only under a sharing consent naming her organisation (read, and logged, by
  `selectors.provider_referral_get`).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from incidents.api.serializers.fields import Choice, Timestamp
from referrals.api.serializers.inputs import service_type_field, state_field, urgency_field
from referrals.models import Language, Referral, ReferralEvent, ServiceProvider
from referrals.workflow import MOVES
from survivors.models import Survivor

VIEW_FULL = "full"
VIEW_PROVIDER = "provider"


class ViewName(Choice):
    """Which view of a referral a body is (a constant of the serializer: the discriminator)."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(
            [(value, value)],
            enum_name=f"ReferralView{value.title()}",
            help_text="Which view of a referral this is.",
        )

    def get_attribute(self, instance: Any) -> str:
        return self.value


def _view_field(value: str) -> ViewName:
    return ViewName(value)


# The moves the user may take now (POST .../transitions/), for the schema.
_ACTIONS = serializers.ListField(
    child=Choice([(a, ReferralEvent.Action(a).label) for a in MOVES], enum_name="ReferralTransitionAction"),
    help_text="The moves you may take now (POST .../transitions/).",
)


# --- the service directory -------------------------------------------------------------------


class ProviderOutput(serializers.Serializer):
    """A provider of the service directory (not survivor data)."""

    public_id = serializers.UUIDField()
    name = serializers.CharField()
    service_types = serializers.ListField(child=service_type_field())
    field_offices = serializers.SerializerMethodField(help_text="Codes of the field offices served.")
    contact_email = serializers.EmailField(allow_blank=True)
    hours = serializers.CharField(allow_blank=True)
    languages = serializers.ListField(child=Choice(Language.choices, enum_name="ProviderLanguage"))
    pep_available = serializers.BooleanField(help_text="Post-exposure prophylaxis available.")
    emergency_contraception = serializers.BooleanField()
    child_friendly = serializers.BooleanField()
    serves_male_survivors = serializers.BooleanField()
    active = serializers.BooleanField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_field_offices(self, provider: ServiceProvider) -> list[str]:
        return [office.code for office in provider.field_offices.all()]  # prefetched


class ProviderLocationOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    pcode = serializers.CharField()
    name = serializers.CharField()
    admin_level = serializers.IntegerField(min_value=1, max_value=4)


class ProviderDetailOutput(ProviderOutput):
    locations = ProviderLocationOutput(many=True, read_only=True, help_text="Coverage locations.")


class ProviderPageOutput(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page (same filters); null on the last.")
    results = ProviderOutput(many=True)


# --- the case worker's view ------------------------------------------------------------------


class CaseText(serializers.CharField):
    """An encrypted text of the referral; empty once the case is erased (its key is gone)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_blank=True, **kwargs)

    def get_attribute(self, instance: Referral) -> str:
        if instance.survivor.erased_at is not None:
            return ""
        return str(super().get_attribute(instance))


class ReferralCaseOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    code = serializers.CharField(help_text="Pseudonymous case code.")


class ReferralProviderOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()


class ReferralIncidentOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    reference = serializers.CharField()


class ReferralRowOutput(serializers.Serializer):
    """A row of the list, as the case worker reads it. Needs `context["now"]`."""

    view = _view_field(VIEW_FULL)
    public_id = serializers.UUIDField()
    reference = serializers.CharField()
    state = state_field()
    survivor = ReferralCaseOutput()
    field_office = serializers.CharField(source="survivor.field_office.code")
    provider = ReferralProviderOutput()
    service_type = service_type_field()
    urgency = urgency_field()
    due_at = Timestamp(help_text="When the service must have begun (counted from sending).")
    sent_at = Timestamp(allow_null=True)
    overdue = serializers.SerializerMethodField(
        help_text="Still waiting for the service (sent, accepted) past the due time."
    )
    created_by = serializers.CharField(source="created_by.username")
    created_at = Timestamp()

    def get_overdue(self, referral: Referral) -> bool:
        return referral.state in Referral.AWAITING_STATES and referral.due_at < self.context["now"]


class ReferralEventOutput(serializers.Serializer):
    occurred_at = Timestamp()
    action = Choice(ReferralEvent.Action.choices, enum_name="ReferralEventAction")
    from_state = serializers.CharField(allow_blank=True, help_text="Empty for the creation.")
    to_state = state_field()
    actor = serializers.CharField(
        source="actor.username", allow_null=True, default=None, help_text="Null: the system."
    )


class ReferralDetailOutput(ReferralRowOutput):
    """A referral, as the case worker reads it. Needs `context["now"]`, `context["history"]`
    and `context["actions"]`."""

    incident = ReferralIncidentOutput(allow_null=True)
    consent = serializers.UUIDField(
        source="consent.public_id", allow_null=True, default=None, help_text="The consent relied on."
    )
    note = CaseText(help_text="The WPA's note to the provider.")
    reason = CaseText(help_text="Why it was declined or cancelled.")
    outcome = CaseText(help_text="The provider's outcome note.")
    history = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    @extend_schema_field(ReferralEventOutput(many=True))
    def get_history(self, referral: Referral) -> Any:
        return ReferralEventOutput(self.context["history"], many=True).data

    @extend_schema_field(_ACTIONS)
    def get_actions(self, referral: Referral) -> list[str]:
        return list(self.context["actions"])


# --- the provider's view ---------------------------------------------------------------------


class ProviderReferralRowOutput(serializers.Serializer):
    """A row of the list, as a user of the provider reads it (`selectors.ProviderReferralView`):
    no contact details in a list."""

    view = _view_field(VIEW_PROVIDER)
    public_id = serializers.UUIDField()
    reference = serializers.CharField()
    state = state_field()
    survivor_code = serializers.CharField(help_text="Pseudonymous case code.")
    sex = serializers.ChoiceField(choices=Survivor.Sex.choices)
    age_band = serializers.ChoiceField(choices=Survivor.AgeBand.choices)
    service_type = service_type_field()
    urgency = urgency_field()
    due_at = Timestamp()
    sent_at = Timestamp(allow_null=True)
    overdue = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True, help_text="The WPA's note.")
    contact_shared = serializers.BooleanField(
        help_text="The survivor consented to share her safe contact details with your organisation "
        "(read them on the referral)."
    )


class ProviderReferralDetailOutput(ProviderReferralRowOutput):
    """A referral, as a user of the provider reads it. Needs `context["actions"]`."""

    safe_contact_method = serializers.CharField(
        allow_null=True, help_text="Null unless a sharing consent names your organisation."
    )
    safe_contact_times = serializers.CharField(allow_null=True)
    actions = serializers.SerializerMethodField()

    @extend_schema_field(_ACTIONS)
    def get_actions(self, view: Any) -> list[str]:
        return list(self.context["actions"])


# --- schema-only shapes ----------------------------------------------------------------------

ReferralDetailSchema = PolymorphicProxySerializer(
    component_name="ReferralDetail",
    serializers={VIEW_FULL: ReferralDetailOutput, VIEW_PROVIDER: ProviderReferralDetailOutput},
    resource_type_field_name="view",
)


class ReferralPageOutput(serializers.Serializer):
    """GET /referrals/ (for the schema: the view writes the rows with their own serializers)."""

    next = serializers.URLField(allow_null=True, help_text="The next page (same filters); null on the last.")
    results = PolymorphicProxySerializer(
        component_name="ReferralRow",
        serializers={VIEW_FULL: ReferralRowOutput, VIEW_PROVIDER: ProviderReferralRowOutput},
        resource_type_field_name="view",
        many=True,
    )
