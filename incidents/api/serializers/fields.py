"""The building blocks of the incidents API's serializers: choices that do not echo the value
sent and are named enums in the schema, UTC timestamps, restricted fields that leave their key
out when the user may not see them, and `IncidentStrictInput`, which refuses unknown keys."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from rest_framework import serializers
from rest_framework.fields import Field, SkipField

from crsv.api import StrictInput
from incidents.models import Incident, Perpetrator


class Choice(serializers.ChoiceField):
    """A choice whose error does not repeat the value sent (DRF's default message does), shown
    in the schema as the enum component `enum_name` (see schema.py)."""

    default_error_messages = {"invalid_choice": _("Not a valid choice.")}

    def __init__(self, choices: Any, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class Choices(serializers.MultipleChoiceField):
    default_error_messages = {"invalid_choice": _("Not a valid choice.")}


class Coordinate(serializers.DecimalField):
    """A latitude or longitude: a decimal string within `bound` degrees, at most 6 places, as
    `pattern` says; the schema shows that pattern (DRF alone would also take "1e1" or " 5")."""

    LATITUDE = r"^-?(?:90(?:\.0{1,6})?|[1-8]?\d(?:\.\d{1,6})?)$"
    LONGITUDE = r"^-?(?:180(?:\.0{1,6})?|(?:1[0-7]\d|[1-9]?\d)(?:\.\d{1,6})?)$"

    def __init__(self, *, bound: int, pattern: str, **kwargs: Any) -> None:
        self.pattern = pattern
        self.openapi_extra = {"pattern": pattern}  # crsv.api_schema
        super().__init__(min_value=-bound, max_value=bound, max_digits=9, decimal_places=6, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and not re.fullmatch(self.pattern, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class Timestamp(serializers.DateTimeField):
    """ISO 8601 in UTC, ending in `Z` (the list's fast path writes the same with orjson)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)


ABSENT = "Absent (the key is left out, not null) when you may not see it: {what}."


class Narrative(serializers.CharField):
    """From `context["narrative"]`, which the view reads through `selectors.incident_narrative`
    (None: the user may not read it, and the key stays out)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            help_text=ABSENT.format(what="only the reporter and the WPAs of its scope read it"),
            **kwargs,
        )

    def get_attribute(self, instance: Incident) -> str:
        narrative: str | None = self.context["narrative"]
        if narrative is None:
            raise SkipField
        return narrative


class ExactCoordinate(serializers.DecimalField):
    """The incident's exact latitude or longitude, if `context["permissions"]` allows it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_digits=9,
            decimal_places=6,
            allow_null=True,
            required=False,
            help_text=ABSENT.format(what="exact coordinates are restricted") + " Null when not recorded.",
            **kwargs,
        )

    def get_attribute(self, instance: Incident) -> Any:
        if not self.context["permissions"]["can_view_exact_location"]:
            raise SkipField
        return super().get_attribute(instance)


class Identification(serializers.CharField):
    """A perpetrator's unit, commander or names, if `context["permissions"]` allows it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            allow_blank=True,
            help_text=ABSENT.format(what="individual identification is restricted"),
            **kwargs,
        )

    def get_attribute(self, instance: Perpetrator) -> Any:
        if not self.context["permissions"]["can_view_identification"]:
            raise SkipField
        return super().get_attribute(instance)


def add_field(fields: dict[str, Field], name: str, field: Field, *, after: str) -> dict[str, Field]:
    """`fields` with `field` added under `name`, after the field `after`.

    For the fields named `context` and `parent`: every DRF field has attributes of those names,
    so these are added in `get_fields()` rather than declared on the class, where they would
    seem (to readers and type checkers) to replace them.
    """
    items = list(fields.items())
    index = [key for key, _field in items].index(after) + 1
    return dict([*items[:index], (name, field), *items[index:]])


DERIVED_FIELDS = frozenset({"reporting_delay_band", "gbvims_core_type", "is_sea", "is_late_verification"})
WORKFLOW_FIELDS = frozenset(
    {
        "status",
        "verification_status",
        "verification_method",
        "verified_on",
        "verified_by",
        "reference",
        "assigned_wpa",
        "submitted_at",
        "closed_at",
    }
)


class IncidentStrictInput(StrictInput):
    """`StrictInput` (crsv.api: unknown keys are refused with a 400 that says why), with the
    reasons of the incidents API: a client that sends `status` or `is_sea` learns at once that
    it cannot set them."""

    refusals: ClassVar[Mapping[str, StrOrPromise]] = {
        **dict.fromkeys(DERIVED_FIELDS, _("Derived from the other fields; it cannot be sent.")),
        **dict.fromkeys(
            WORKFLOW_FIELDS, _("Set by the workflow (POST .../transitions/); it cannot be sent.")
        ),
    }
