"""The list page's filters (a GET form) and orderings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice
from incidents.forms.fields import FILTER_DATE_WIDGET, FastTextInput, InstanceChoiceField, choice
from incidents.models import Incident, Perpetrator, Violation
from incidents.selectors import REFERENCE_ORDERINGS, IncidentFilters

# Public names of selectors.ORDERINGS, as offered on the list page (a test checks they match).
ORDERING_CHOICES = [
    ("-created_at", _("Newest logged first")),
    ("created_at", _("Oldest logged first")),
    ("-incident_date", _("Latest incident date first")),
    ("incident_date", _("Earliest incident date first")),
    ("-reported_on", _("Latest report first")),
    ("reported_on", _("Earliest report first")),
    ("reference", _("Reference, A to Z")),
    ("-reference", _("Reference, Z to A")),
]
DEFAULT_ORDERING = "-created_at"
ANY = _("Any")
# "me" is the one value of the "assigned to" and "reported by" filters (the home page's links).
ME = "me"


class IncidentFilterForm(forms.Form):
    """The list's filters, a GET form. Only unrestricted fields can be filtered on."""

    reference = forms.CharField(
        label=_("Reference contains"), max_length=48, required=False, widget=FastTextInput
    )
    status = choice(_("Status"), Incident.Status.choices, empty_label=ANY)
    verification_status = choice(_("Verification"), Incident.VerificationStatus.choices, empty_label=ANY)
    field_office = InstanceChoiceField(
        label=_("Field office"), key=lambda office: str(office.pk), empty_label=ANY, required=False
    )
    date_from = forms.DateField(label=_("Incident from"), required=False, widget=FILTER_DATE_WIDGET)
    date_to = forms.DateField(label=_("Incident to"), required=False, widget=FILTER_DATE_WIDGET)
    violation_form = choice(_("Form of violation"), Violation.Form.choices, empty_label=ANY)
    perpetrator_category = choice(_("Perpetrator category"), Perpetrator.Category.choices, empty_label=ANY)
    assigned = choice(_("Assigned to"), [(ME, _("Me"))], empty_label=ANY)
    reported = choice(_("Reported by"), [(ME, _("Me"))], empty_label=ANY)
    ordering = choice(_("Order"), ORDERING_CHOICES, blank=False, required=False)

    def __init__(
        self,
        *args: Any,
        offices: Sequence[FieldOffice],
        references: bool = True,
        people: bool = True,
        **kwargs: Any,
    ) -> None:
        """`references`: whether the user sees references (`permissions.can_view_references`);
        without, there is no reference to search or order by (the selector refuses both).
        `people`: whether she sees who has an incident (not `permissions.is_deidentified_viewer`);
        without, no "assigned to" or "reported by" filter is offered."""
        super().__init__(*args, **kwargs)
        cast(InstanceChoiceField, self.fields["field_office"]).set_instances(offices)
        if not people:
            del self.fields["assigned"], self.fields["reported"]
        if not references:
            del self.fields["reference"]
            cast(forms.ChoiceField, self.fields["ordering"]).choices = [
                (name, label) for name, label in ORDERING_CHOICES if name not in REFERENCE_ORDERINGS
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data

    def filters(self) -> IncidentFilters:
        data = self.cleaned_data
        return IncidentFilters(
            status=[data["status"]] if data.get("status") else [],
            verification_status=[data["verification_status"]] if data.get("verification_status") else [],
            field_office=data.get("field_office"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            violation_form=data.get("violation_form") or None,
            perpetrator_category=data.get("perpetrator_category") or None,
            reference=data.get("reference", ""),
            assigned_to_me=data.get("assigned") == ME,  # absent without `people`: not filtered
            reported_by_me=data.get("reported") == ME,
        )

    def ordering_name(self) -> str:
        return self.cleaned_data.get("ordering") or DEFAULT_ORDERING
