"""Input serializers of the survivor-cases API: one per operation, explicit fields; an
unknown key is refused (400), never ignored. No error message echoes the value sent: error
bodies end up in proxies' and clients' logs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crsv.accounts.models import FieldOffice, User
from crsv.api import StrictInput
from incidents.models import Incident
from survivors import permissions, selectors
from survivors.models import Consent, ConsentText, ErasureReason, Survivor
from survivors.selectors import AssignmentFilter
from survivors.validation import (
    AGE_MAX,
    IDENTITY_MAX_LENGTHS,
    INTERVIEW_COUNT_MAX,
    consent_terms_errors,
    date_of_birth_validate,
)

LIMIT = IDENTITY_MAX_LENGTHS  # the service's limits (survivors.validation), shown in the schema

# --- fields ----------------------------------------------------------------------------------


class Choice(serializers.ChoiceField):
    """A choice whose error does not repeat the value sent (DRF's default message does)."""

    default_error_messages = {"invalid_choice": _("Not a valid choice.")}


@extend_schema_field({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]})
class DateOfBirth(serializers.CharField):
    """An ISO date (`YYYY-MM-DD`), past and not before 1900, or empty (the service's check,
    `date_of_birth_validate`). Kept as text (see SurvivorIdentity)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", LIMIT["date_of_birth"])
        kwargs.setdefault("validators", [date_of_birth_validate])
        super().__init__(**kwargs)


class SurvivorStrictInput(StrictInput):
    """`StrictInput` (crsv.api: unknown keys are refused with a 400 that says why), with the
    reasons of the survivor-cases API."""

    refusals: ClassVar[Mapping[str, StrOrPromise]] = {
        **dict.fromkeys(
            ("public_id", "code", "mission", "registered_by", "created_at", "is_erased", "identifying"),
            _("Set by the system; it cannot be sent."),
        ),
        "assigned_wpa": _("Set by assignment (POST .../assign/); it cannot be sent."),
        "erased_at": _("Set by erasure (POST .../erase/); it cannot be sent."),
        "incidents": _("Incidents are linked from the case page; they cannot be sent here."),
    }


# --- survivor cases: input -------------------------------------------------------------------


def _identifying(name: str, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        max_length=LIMIT[name], required=False, allow_blank=True, default="", **kwargs
    )


class SurvivorCaseInput(SurvivorStrictInput):
    """The fields a case's owner types: the identifying fields and the profile. Used whole at
    registration; with `partial=True` for a PATCH, where a field not sent keeps its value. The
    limits and checks are the service's (`survivors.validation`), the same as the pages'."""

    name = serializers.CharField(max_length=LIMIT["name"])
    date_of_birth = DateOfBirth(required=False, allow_blank=True, default="")
    phone = _identifying("phone")
    address = _identifying("address", help_text="Address or village.")
    caregiver = _identifying("caregiver")
    safe_contact_method = _identifying("safe_contact_method")
    safe_contact_times = _identifying("safe_contact_times")
    notes = _identifying("notes")

    sex = Choice(choices=Survivor.Sex.choices, default=Survivor.Sex.UNKNOWN)
    age = serializers.IntegerField(min_value=0, max_value=AGE_MAX, allow_null=True, default=None)
    age_band = Choice(
        choices=Survivor.AgeBand.choices,
        default=Survivor.AgeBand.UNKNOWN,
        help_text="Used only when the age is unknown: with an age, the band follows the age.",
    )
    disability = Choice(choices=Survivor.Disability.choices, default=Survivor.Disability.UNKNOWN)
    displacement_status = Choice(choices=Survivor.Displacement.choices, default=Survivor.Displacement.UNKNOWN)
    interview_count = serializers.IntegerField(min_value=0, max_value=INTERVIEW_COUNT_MAX, default=0)
    do_not_reinterview = serializers.BooleanField(default=False)


class ConsentGrantInput(SurvivorStrictInput):
    """A consent given, to append to a case's ledger (POST .../consents/, or at registration)."""

    purpose = Choice(choices=Consent.Purpose.choices)
    service_type = Choice(
        choices=Consent.ServiceType.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for a referral consent, and only for one.",
    )
    provider = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "`public_id` of an active provider of the directory (`/api/v1/providers/`). "
            "For a referral consent, optional: that provider only, if it offers the service type; "
            "null means any provider of the type. Required for sharing identifiable data. "
            "Refused for any other purpose."
        ),
    )
    organisation = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "Only for sharing identifiable data, and optional: the name recorded in the ledger; "
            "empty means the provider's name. Consent to share goes to the `provider`, never to "
            "this text."
        ),
    )
    given_by = Choice(choices=Consent.GivenBy.choices)
    child_assent = serializers.BooleanField(default=False)
    method = Choice(choices=Consent.Method.choices)
    explained_in = Choice(choices=Consent.Language.choices)
    consent_text_version = serializers.CharField(max_length=20)
    consent_text_language = Choice(choices=settings.LANGUAGES)
    given_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Default: now."
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Report the service's checks of the terms (`consent_terms_errors`) as field errors,
        beside the others; return the keyword arguments of `consent_record` (the text version
        and language become `consent_text`, the provider's public id the provider)."""
        provider_id = attrs["provider"]
        provider = None
        if provider_id is not None:  # inactive ones too: refused with their own message
            provider = selectors.consent_providers(active=False).filter(public_id=provider_id).first()
        attrs["provider"] = provider
        errors = consent_terms_errors(
            purpose=attrs["purpose"],
            service_type=attrs["service_type"],
            organisation=attrs["organisation"],
            given_at=attrs["given_at"],
            expires_at=attrs["expires_at"],
            provider=provider,
        )
        if provider_id is not None and provider is None:
            errors["provider"] = gettext("No provider of the directory has this id.")
        text = ConsentText.objects.filter(
            version=attrs.pop("consent_text_version"), language=attrs.pop("consent_text_language")
        ).first()
        if text is None:
            errors["consent_text_version"] = gettext("No consent text has this version in this language.")
        if errors:
            raise serializers.ValidationError(errors)
        attrs["consent_text"] = text
        return attrs


class SurvivorCreateInput(SurvivorCaseInput):
    """POST /survivors/: register a case, optionally from an incident and with consents given."""

    field_office = serializers.CharField(
        max_length=16,
        help_text="Code of one of your field offices (a senior WPA: any office of her missions).",
    )
    incident = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="Public id of an incident you can see."
    )
    consents: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=ConsentGrantInput(), required=False, max_length=20
    )

    def validate_field_office(self, code: str) -> FieldOffice:
        user = self.context["user"]
        nearby = FieldOffice.objects.filter(code=code).filter(
            Q(pk__in=user.office_ids()) | Q(mission_id__in=user.mission_ids())
        )
        offices = [office for office in nearby if permissions.can_register(user, office)]
        if len(offices) != 1:  # none, or the same code in two of her missions
            raise serializers.ValidationError(_("Choose one of your field offices."))
        return offices[0]

    def validate_incident(self, public_id: Any) -> Incident | None:
        if public_id is None:
            return None
        incident = Incident.objects.visible_to(self.context["user"]).filter(public_id=public_id).first()
        if incident is None:
            raise serializers.ValidationError(_("No incident you can see has this id."))
        return incident


class SurvivorUpdateInput(SurvivorCaseInput):
    """PATCH /survivors/{id}/: always bound with `partial=True`; what is not sent is unchanged.
    A key that is not one of its fields is refused (400), never silently ignored."""

    refusals: ClassVar[Mapping[str, StrOrPromise]] = {
        **SurvivorStrictInput.refusals,
        "field_office": _("The field office cannot be changed once the case is registered."),
        "incident": _("Incidents are linked from the case page; they cannot be sent here."),
        "consents": _("Record consent with POST .../consents/; it cannot be sent here."),
    }


class SurvivorListQuery(StrictInput):
    """The query of GET /survivors/ (an unknown parameter is refused, not ignored)."""

    unknown_message = _("Not a filter of this list.")
    refusals: ClassVar[Mapping[str, StrOrPromise]] = {}

    cursor = serializers.CharField(
        required=False, allow_blank=True, help_text="The `next` of the previous page."
    )
    assignment = Choice(
        choices=AssignmentFilter.choices,
        required=False,
        allow_blank=True,
        default=AssignmentFilter.ALL,
        help_text="`dormant`: the cases whose assigned WPA is no longer a member of the case's field "
        "office (or no longer active), to reassign them.",
    )


class SurvivorAssignInput(SurvivorStrictInput):
    assignee = serializers.CharField(
        max_length=150, help_text="Username of a WPA of the case's field office."
    )

    def validate_assignee(self, username: str) -> User:
        """The active user of that name (`survivor_assign` decides whether she may hold the case)."""
        assignee = User.objects.filter(username=username, is_active=True).first()
        if assignee is None:
            raise serializers.ValidationError(gettext("Choose a WPA of the case's field office."))
        return assignee


class GrantInput(SurvivorStrictInput):
    grantee = serializers.CharField(
        max_length=150, help_text="Username of an active WPA or reporter of the case's mission."
    )
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="ISO 8601 with an offset, in the future. Omitted or null: no expiry. Granting again "
        "to the same person replaces the expiry.",
    )

    def validate_grantee(self, username: str) -> User:
        """One of `context["candidates"]` (`survivor_grant_candidates`; the service checks again)."""
        grantee = self.context["candidates"].filter(username=username).first()
        if grantee is None:
            raise serializers.ValidationError(
                gettext("Choose an active WPA or reporter of the case's mission.")
            )
        return grantee


class BreakGlassInput(SurvivorStrictInput):
    reason = serializers.CharField(
        min_length=10,
        max_length=2000,
        help_text="Why you must identify the survivor now (at least 10 characters). Stored encrypted; "
        "shown to the other senior WPAs of the mission.",
    )


class EraseInput(SurvivorStrictInput):
    reason = Choice(choices=ErasureReason.choices)


class SearchInput(SurvivorStrictInput):
    """Exactly one of `code`, `name`, `phone`, not blank."""

    CRITERIA = ("code", "name", "phone")
    _FILLED: ClassVar[dict[str, Any]] = {"minLength": 1, "pattern": r"\S"}
    openapi_extra: ClassVar[dict[str, Any]] = {
        "minProperties": 1,
        "maxProperties": 1,
        "properties": dict.fromkeys(CRITERIA, _FILLED),
    }

    code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="The exact full name (case, accents and spacing do not matter). Looked up only among "
        "the cases you may identify.",
    )
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="A phone number (E.164, or national with the DRC's +243 as default). Looked up only "
        "among the cases you may identify.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [key for key in self.CRITERIA if key in attrs]
        if len(given) != 1 or not attrs[given[0]]:
            raise serializers.ValidationError(gettext("Send exactly one of: code, name, phone."))
        return {**dict.fromkeys(self.CRITERIA, ""), **attrs}
