"""Output serializers of the survivor-cases API.

They never read an identifying value from the model. Those values reach them in the serializer
context, already decrypted *and logged* by `survivors.selectors.*_reveal`; a value that was not
revealed is left out of the response (the key is absent, not null), so a response can hold no
more than what the access log says it showed."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from incidents.models import Incident
from survivors.consent import consent_status
from survivors.identity import SurvivorIdentity
from survivors.list_rows import CaseRow
from survivors.models import ENCRYPTED_FIELDS, Consent, Survivor
from survivors.selectors import AccessWhy


class RevealedName(serializers.CharField):
    """A list row's name, from `context["names"]` (pk → name, from `survivor_names_reveal`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def get_attribute(self, instance: CaseRow) -> str:
        names: dict[int, str] = self.context["names"]
        if instance.pk not in names:
            raise SkipField  # not revealed to this user: the key stays out of the row
        return names[instance.pk]


class RevealedIdentityValue(serializers.CharField):
    """One identifying field, from `context["identity"]` (from `survivor_reveal`, or None)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def get_attribute(self, instance: Survivor) -> str:
        identity: SurvivorIdentity | None = self.context["identity"]
        if identity is None:
            raise SkipField
        assert self.field_name in ENCRYPTED_FIELDS  # bound under one of their names
        value: str = getattr(identity, self.field_name)
        return value


# --- survivor cases: output ------------------------------------------------------------------


class SurvivorSummaryOutput(serializers.Serializer):
    """The non-identifying part of a case: what a senior WPA sees of every case of her mission."""

    public_id = serializers.UUIDField()
    code = serializers.CharField(help_text="Pseudonymous case code.")
    field_office = serializers.CharField(source="field_office.code")
    sex = serializers.ChoiceField(choices=Survivor.Sex.choices)
    age = serializers.IntegerField(allow_null=True)
    age_band = serializers.ChoiceField(choices=Survivor.AgeBand.choices)
    disability = serializers.ChoiceField(choices=Survivor.Disability.choices)
    displacement_status = serializers.ChoiceField(choices=Survivor.Displacement.choices)
    interview_count = serializers.IntegerField()
    do_not_reinterview = serializers.BooleanField()
    assigned_wpa = serializers.CharField(source="assigned_wpa.username", allow_null=True)
    is_erased = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class SurvivorListItemOutput(SurvivorSummaryOutput):
    """A row of the case list or of the search (`survivors.list_rows.CaseRow`). Needs
    `context["names"]` (from `survivor_names_reveal`)."""

    # The row holds the office's code and the WPA's username themselves (the schema is the same).
    field_office = serializers.CharField()
    assigned_wpa = serializers.CharField(allow_null=True)
    identifying = serializers.SerializerMethodField(
        help_text="True when this row carries the survivor's name (you may identify the survivor "
        "and the case is not erased)."
    )
    name = RevealedName(help_text="Present only when `identifying` is true; the key is absent otherwise.")

    def get_identifying(self, row: CaseRow) -> bool:
        return row.pk in self.context["names"]


class SurvivorPageOutput(serializers.Serializer):
    next = serializers.CharField(
        allow_null=True, help_text="Pass as `?cursor=` for the next (older) page; null on the last page."
    )
    results = SurvivorListItemOutput(many=True)


class LinkedIncidentOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    reference = serializers.CharField(allow_null=True, help_text="Null while the incident is a draft.")


class RevealedIncidents(serializers.ListField):
    """The case's incidents the user can see, from `context["incidents"]` (None: not shown)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=LinkedIncidentOutput(), required=False, **kwargs)

    def get_attribute(self, instance: Survivor) -> list[Incident]:
        incidents: list[Incident] | None = self.context["incidents"]
        if incidents is None:
            raise SkipField
        return incidents


_REVEALED = "Present only when `identifying` is true; the key is absent otherwise."


class SurvivorDetailOutput(SurvivorSummaryOutput):
    """One case. Needs `context["identity"]` (from `survivor_reveal`, or None) and
    `context["incidents"]` (a list, or None when the identifying part is not shown)."""

    identifying = serializers.SerializerMethodField(
        help_text="True when this response carries the identifying fields and linked incidents."
    )
    name = RevealedIdentityValue(help_text=_REVEALED)
    date_of_birth = RevealedIdentityValue(help_text=f"YYYY-MM-DD or empty. {_REVEALED}")
    phone = RevealedIdentityValue(help_text=_REVEALED)
    address = RevealedIdentityValue(help_text=_REVEALED)
    caregiver = RevealedIdentityValue(help_text=_REVEALED)
    safe_contact_method = RevealedIdentityValue(help_text=_REVEALED)
    safe_contact_times = RevealedIdentityValue(help_text=_REVEALED)
    notes = RevealedIdentityValue(help_text=_REVEALED)
    incidents = RevealedIncidents(help_text=_REVEALED)

    def get_identifying(self, survivor: Survivor) -> bool:
        return self.context["identity"] is not None


# --- consent ledger --------------------------------------------------------------------------


class ConsentTextRefOutput(serializers.Serializer):
    version = serializers.CharField()
    language = serializers.CharField()


class ConsentProviderOutput(serializers.Serializer):
    """The directory provider a consent names."""

    public_id = serializers.UUIDField()
    name = serializers.CharField()


class ConsentEntryOutput(serializers.Serializer):
    """One ledger entry: a grant, or the withdrawal of one (`withdraws`)."""

    public_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Consent.Kind.choices)
    purpose = serializers.ChoiceField(choices=Consent.Purpose.choices)
    service_type = serializers.CharField(help_text="A service type for a referral consent; empty otherwise.")
    provider = ConsentProviderOutput(
        allow_null=True,
        help_text=(
            "The provider of the directory the consent names: for a referral, that provider only "
            "(null: any provider of the service type); for sharing identifiable data, the one it "
            "may be shared with. Null otherwise, and on sharing consents recorded before the "
            "directory (their `organisation` shares with no provider)."
        ),
    )
    organisation = serializers.CharField(
        help_text="For a consent to share identifiable data (the provider's name); empty otherwise."
    )
    given_by = serializers.CharField(help_text="`survivor` or `caregiver`; empty for a withdrawal.")
    child_assent = serializers.BooleanField()
    method = serializers.CharField(help_text="`written`, `oral` or `oral_witnessed`; empty for a withdrawal.")
    explained_in = serializers.CharField(help_text="Language code; empty for a withdrawal.")
    consent_text = ConsentTextRefOutput(allow_null=True, help_text="Null for a withdrawal.")
    given_at = serializers.DateTimeField(help_text="When given (a withdrawal: when withdrawn).")
    expires_at = serializers.DateTimeField(allow_null=True)
    withdraws = serializers.UUIDField(
        source="withdraws.public_id", allow_null=True, help_text="For a withdrawal: the grant it ends."
    )
    status = serializers.SerializerMethodField()
    recorded_by = serializers.CharField(source="recorded_by.username")

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["active", "expired", "withdrawn", "not_yet"],
            allow_null=True,
            help_text="For a grant, now; null for a withdrawal.",
        )
    )
    def get_status(self, consent: Consent) -> str | None:
        if consent.kind != Consent.Kind.GRANT:
            return None
        return consent_status(consent)


class ConsentLedgerOutput(serializers.Serializer):
    results = ConsentEntryOutput(many=True)


# --- who has access: grants, break-glass; erasure; search ------------------------------------


class AccessEntryOutput(serializers.Serializer):
    """One person who may read the case's identifying fields now, and why."""

    user = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.display_name")
    why = serializers.ChoiceField(choices=AccessWhy.choices)
    granted_by = serializers.CharField(
        source="granted_by.username", allow_null=True, help_text="For a grant: who gave it; null otherwise."
    )
    since = serializers.DateTimeField(allow_null=True, help_text="Null for the assigned WPA.")
    until = serializers.DateTimeField(
        allow_null=True, help_text="When the access ends; null for no expiry (or while assigned)."
    )


class CaseAccessOutput(serializers.Serializer):
    results = AccessEntryOutput(many=True)


class GrantOutput(serializers.Serializer):
    grantee = serializers.CharField(source="user.username")
    granted_by = serializers.CharField(source="granted_by.username")
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Null: no expiry.")


class BreakGlassOutput(serializers.Serializer):
    """The opening (never its reason: nothing typed is echoed)."""

    public_id = serializers.UUIDField()
    opened_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="The case closes to you again at this time.")


class SearchOutput(serializers.Serializer):
    """Matches, newest first. Needs `context["names"]` (from `survivor_names_reveal`)."""

    results = SurvivorListItemOutput(many=True)
