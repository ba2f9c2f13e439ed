"""The dashboard API's query (validated by the page's own filter form) and its output, as the
schema documents it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import Field

from crsv.api import StrictInput
from reports.forms.filters import MONTH_ERROR, MONTH_PATTERN, DashboardFilterForm

OFFICE_PATTERN = r"^[A-Z]{3,8}$|^[A-Z]{2,16}-[A-Z]{3,8}$"
PCODE_PATTERN = r"^[A-Za-z0-9_-]{2,20}$"


class Pattern(serializers.RegexField):
    """A text matching `regex`, which the schema shows as its pattern (crsv.api_schema would
    otherwise document a plain text's)."""

    def __init__(self, regex: str, **kwargs: Any) -> None:
        self.openapi_extra = {"pattern": regex}
        super().__init__(regex, **kwargs)


class DashboardQuery(StrictInput):
    """`from`, `to`, `office`, `admin1`, `admin2`: the page's filters, checked by the page's form
    (`DashboardFilterForm`: one rule for both doors), except that a refused value is a 400 here
    where the page shows it beside its field and draws the default."""

    unknown_message = _("Not a filter of the dashboard.")

    def get_fields(self) -> dict[str, Field]:
        return {
            "from": Pattern(
                MONTH_PATTERN,
                required=False,
                error_messages={"invalid": MONTH_ERROR},
                help_text="First month of the period, YYYY-MM (default: eleven months before `to`).",
            ),
            "to": Pattern(
                MONTH_PATTERN,
                required=False,
                error_messages={"invalid": MONTH_ERROR},
                help_text="Last month, YYYY-MM, not before `from`, at most 120 months after it "
                "(default: this month, or `from` if later).",
            ),
            "office": Pattern(
                OFFICE_PATTERN,
                required=False,
                help_text="Code of a field office of your scope (with its mission's code, MISSION-CODE, "
                "where two offices of your missions share a code).",
            ),
            "admin1": Pattern(PCODE_PATTERN, required=False, help_text="P-code of a place of admin level 1."),
            "admin2": Pattern(
                PCODE_PATTERN,
                required=False,
                help_text="P-code of a place of admin level 2 (within `admin1` when both are given).",
            ),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        form = DashboardFilterForm(attrs, options=self.context["options"], today=self.context["today"])
        if not form.is_valid():
            errors = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
            raise serializers.ValidationError(errors)
        return {"filters": form.filters()}


class CellOutput(serializers.Serializer):
    value = serializers.FloatField(
        allow_null=True,
        help_text="A count (a whole number), an average or a ratio; null when there is nothing to divide by "
        "or the cell does not apply.",
    )
    text = serializers.CharField(help_text="The value as the page writes it, in your language (— for null).")


def _label() -> dict[str, Field]:
    """`label` is a Field attribute (its title in forms): such a field is declared here."""
    return {"label": serializers.CharField()}


class RowOutput(serializers.Serializer):
    key = serializers.CharField(
        help_text="Stable: a month (YYYY-MM), an office code, a p-code, a value's code, `unknown`, `total`."
    )
    kind = serializers.ChoiceField(
        choices=["", "subtotal", "total"], help_text="Empty for a row of the breakdown; sums are marked."
    )
    cells = CellOutput(many=True, help_text="One per column.")

    def get_fields(self) -> dict[str, Field]:
        fields = super().get_fields()
        return {"key": fields.pop("key"), **_label(), **fields}


class ColumnOutput(serializers.Serializer):
    key = serializers.CharField()

    def get_fields(self) -> dict[str, Field]:
        return {**super().get_fields(), **_label()}


class FigureOutput(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    text = serializers.CharField()
    detail = serializers.CharField(help_text="What it was computed from, e.g. '12 verified of 40 incidents'.")

    def get_fields(self) -> dict[str, Field]:
        fields = super().get_fields()
        return {"key": fields.pop("key"), **_label(), **fields}


class PanelOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField(
        help_text="The counting unit (MARA: incidents, violations, victims; GBVIMS: survivors)."
    )
    heading = serializers.CharField(help_text="The head of the rows' labels.")
    columns = ColumnOutput(many=True)
    rows = RowOutput(many=True)
    figures = FigureOutput(many=True)


class SectionOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    panels = PanelOutput(many=True)


class PeriodOutput(serializers.Serializer):
    def get_fields(self) -> dict[str, Field]:
        return {
            "from": serializers.CharField(help_text="YYYY-MM"),
            "to": serializers.CharField(help_text="YYYY-MM"),
        }


class FiltersOutput(serializers.Serializer):
    office = serializers.CharField(allow_null=True)
    admin1 = serializers.CharField(allow_null=True)
    admin2 = serializers.CharField(allow_null=True)


class DashboardOutput(serializers.Serializer):
    period = PeriodOutput(help_text="The months counted, both included (the defaults filled in).")
    filters = FiltersOutput()
    mission_level = serializers.BooleanField(help_text="Your whole mission (else your field offices only).")
    survivor_panels = serializers.BooleanField(
        help_text="Whether the survivor and referral panels are included (senior WPAs and analysts)."
    )
    sections = SectionOutput(many=True)
