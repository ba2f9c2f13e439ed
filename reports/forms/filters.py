"""The dashboard's filters: the one parser of `from`, `to`, `office`, `admin1` and `admin2`, for
the page (a GET form, errors beside the fields) and the API (its query, errors as a 400).

An office or place is chosen among `dashboard_options` (her scope's offices, the places of
admin levels 1 and 2): anything else, whether it exists or not, is "not in your scope". A field
refused is shown with its error, and the dashboard is drawn with that field's default
(`filters()`), never a 400 page.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.forms.fields import FastInputMixin, InstanceChoiceField
from reports.dashboard import (
    DEFAULT_MONTHS,
    MAX_MONTHS,
    DashboardFilters,
    DashboardOptions,
    default_period,
    month_add,
    month_count,
)

MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
_MONTH = re.compile(MONTH_PATTERN)
MONTH_ERROR = _("Enter a month as YYYY-MM, e.g. 2026-03.")
NOT_IN_SCOPE = _("Not in your scope.")
ALL = _("All")


class MonthInput(FastInputMixin, forms.TextInput):
    """`<input type="month">`: a month picker where the browser has one, else a text box."""

    input_type = "month"


class MonthField(forms.Field):
    """A month as YYYY-MM (what `<input type="month">` sends), cleaned to its first day."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"placeholder": "YYYY-MM", "pattern": "[0-9]{4}-[0-9]{2}"}
        super().__init__(required=False, widget=MonthInput(attrs=attrs), **kwargs)

    def to_python(self, value: Any) -> date | None:
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if not _MONTH.match(text):
            raise forms.ValidationError(MONTH_ERROR, code="invalid")
        return date(int(text[:4]), int(text[5:7]), 1)


def _place_field(label: Any) -> InstanceChoiceField:
    return InstanceChoiceField(
        label=label,
        key=lambda place: place.pcode,
        label_of=lambda place: place.name,
        empty_label=ALL,
        required=False,
        error_messages={"invalid_choice": NOT_IN_SCOPE},
    )


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, bound to the query (a GET form: bookmarkable, shareable)."""

    def __init__(self, data: Any, *, options: DashboardOptions, today: date) -> None:
        super().__init__(data)
        self.today = today
        self.fields["from"] = MonthField(label=_("From (month)"))
        self.fields["to"] = MonthField(label=_("To (month)"))
        office = InstanceChoiceField(
            label=_("Field office"),
            key=lambda office: office.key,
            label_of=lambda office: office.name,
            empty_label=ALL,
            required=False,
            error_messages={"invalid_choice": NOT_IN_SCOPE},
        )
        office.set_instances(options.offices)
        admin1 = _place_field(_("Province (admin level 1)"))
        admin1.set_instances(options.admin1)
        admin2 = _place_field(_("Territory or city (admin level 2)"))
        admin2.set_instances(options.admin2, groups=lambda place: place.parent_name)
        self.fields.update({"office": office, "admin1": admin1, "admin2": admin2})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", _("The end of the period cannot be before its start."))
        elif start and end and month_count(start, end) > MAX_MONTHS:
            self.add_error("to", _("A period is at most %(months)s months.") % {"months": MAX_MONTHS})
        admin1, admin2 = data.get("admin1"), data.get("admin2")
        if admin1 is not None and admin2 is not None and admin2.parent_id != admin1.id:
            self.add_error("admin2", _("This territory or city is not in the chosen province."))
        return data

    def filters(self) -> DashboardFilters:
        """The filters asked for, each field refused replaced by its default: the period ends
        this month (or at `from`, if later) and starts twelve months before its end."""
        data = cast(dict[str, Any], getattr(self, "cleaned_data", {}))
        default_from, default_to = default_period(self.today)
        start, end = data.get("from"), data.get("to")
        end = end or max(default_to, start or default_to)
        start = start or month_add(end, 1 - DEFAULT_MONTHS)
        if end < start or month_count(start, end) > MAX_MONTHS:
            start, end = default_from, default_to
        return DashboardFilters(
            month_from=start,
            month_to=end,
            office=data.get("office"),
            admin1=data.get("admin1"),
            admin2=data.get("admin2"),
        )
