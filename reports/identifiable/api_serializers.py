"""The identifiable exports API's serializers: one input per operation, explicit outputs. Their
docstrings and help texts are the schema's descriptions, written for API clients."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from crsv.api import StrictInput
from incidents.api.serializers.fields import Choice, Timestamp
from reports.identifiable.models import IdentifiableExport, IdentifiableExportCase
from reports.identifiable.services import CODE_PATTERN, MAX_CASES, REASON_MAX


def _state() -> Choice:
    return Choice(IdentifiableExport.State.choices, enum_name="IdentifiableExportState")


def _recipient() -> Choice:
    return Choice(IdentifiableExport.Recipient.choices, enum_name="IdentifiableExportRecipient")


class IdentifiableExportListQuery(StrictInput):
    """Query of GET /reports/identifiable-exports/."""

    cursor = serializers.CharField(max_length=200, required=False, help_text="From the `next` link.")


class SurvivorCodes(serializers.ListField):
    """A list of survivor codes. drf-spectacular leaves out a list item's validators: the
    pattern its items must match is stated here (crsv.api_schema merges `openapi_extra`)."""

    openapi_extra: ClassVar[dict[str, Any]] = {"items": {"pattern": CODE_PATTERN.pattern}}


class IdentifiableExportCreateInput(StrictInput):
    """POST /reports/identifiable-exports/: ask for the identifying data of cases you may
    identify, for one recipient: a provider of the service directory (the cases whose consent to
    share identifiable data names it) or a legal use (the cases with a consent to legal use)."""

    recipient = _recipient()
    provider = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="An active provider's public id (GET /providers/); with `recipient` `provider` only.",
    )
    survivor_codes = SurvivorCodes(
        child=serializers.RegexField(
            CODE_PATTERN.pattern, max_length=11, error_messages={"invalid": "Not a survivor code."}
        ),
        min_length=1,
        max_length=MAX_CASES,
        help_text="Codes of cases you may identify, all of one mission.",
    )
    reason = serializers.CharField(
        max_length=REASON_MAX, help_text="The purpose and the reason (stored encrypted)."
    )


class IdentifiableExportRefuseInput(StrictInput):
    """POST /reports/identifiable-exports/{public_id}/refuse/."""

    reason = serializers.CharField(max_length=REASON_MAX, help_text="Why it is refused (stored encrypted).")


class IdentifiableExportProviderOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()


class IdentifiableExportRowOutput(serializers.Serializer):
    public_id = serializers.UUIDField()
    state = _state()
    recipient = _recipient()
    provider = IdentifiableExportProviderOutput(allow_null=True, help_text="Null for a legal use.")
    requested_by = serializers.CharField(help_text="The requester's name.")
    requested_at = Timestamp()
    decided_at = Timestamp(allow_null=True)
    expires_at = Timestamp(allow_null=True, help_text="An approved export may be downloaded until then.")
    downloaded_at = Timestamp(allow_null=True)
    cases_included = serializers.IntegerField()
    cases_excluded = serializers.IntegerField()


class IdentifiableExportPageOutput(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last page.")
    results = IdentifiableExportRowOutput(many=True)


class IdentifiableExportCaseOutput(serializers.Serializer):
    survivor_code = serializers.CharField()
    survivor = serializers.UUIDField(help_text="The case's public id.")
    included = serializers.BooleanField()
    excluded_because = Choice(
        IdentifiableExportCase.Exclusion.choices, enum_name="IdentifiableExportExclusion", allow_blank=True
    )
    checked_at = Timestamp(help_text="When the decision was made (request, approval or download).")


class IdentifiableExportPermissionsOutput(serializers.Serializer):
    approve = serializers.BooleanField()
    refuse = serializers.BooleanField()
    download = serializers.BooleanField(help_text="On the web page only: the password is shown there once.")


class IdentifiableExportDetailOutput(IdentifiableExportRowOutput):
    reason = serializers.CharField()
    decided_by = serializers.CharField(allow_null=True)
    refusal_reason = serializers.CharField(allow_blank=True)
    cases = IdentifiableExportCaseOutput(many=True)
    permissions = IdentifiableExportPermissionsOutput()
