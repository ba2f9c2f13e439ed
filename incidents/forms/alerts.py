"""Forms of the alert pages. They parse what was typed; the services decide what is valid."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice, User
from incidents.alert_workflow import NOTE_MAX_LENGTH
from incidents.forms.fields import FastSelect, InstanceChoiceField, choice
from incidents.models import Alert, Location
from incidents.selectors.alerts import AlertFilters
from incidents.services.alerts import DESCRIPTION_MAX_LENGTH

ANY = _("Any")
MINE = "mine"
YES = "yes"


class AlertQuickForm(forms.Form):
    """The minimal alert form: one screen, no script. The place is typed (a name or a p-code) and
    searched on submit; when several places match, the page asks to choose among them
    (`offer_places`), so it never carries the whole list of places."""

    field_office = InstanceChoiceField(label=_("Field office"), key=lambda office: str(office.pk))
    source = forms.ChoiceField(
        label=_("Raised by"), choices=Alert.Source.choices, widget=forms.RadioSelect, initial=Alert.Source.CLA
    )
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        help_text=_("Locality, territory or p-code; no village."),
    )
    location = forms.ChoiceField(label=_("Which place?"), required=False, widget=FastSelect)
    indicators = forms.MultipleChoiceField(
        label=_("Signs"), choices=Alert.Indicator.choices, widget=forms.CheckboxSelectMultiple
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Alert.Urgency.choices, widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("What was seen or heard"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Short. Name no one unless it is needed for the response."),
    )

    def __init__(self, *args: Any, offices: Sequence[FieldOffice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places: dict[str, Location] = {}
        if len(offices) > 1:
            cast(InstanceChoiceField, self.fields["field_office"]).set_instances(offices)
        else:  # her only office: nothing to choose
            del self.fields["field_office"]
        del self.fields["location"]  # offered only when the typed place is ambiguous

    def offer_places(self, places: Sequence[Location]) -> None:
        """Ask her to choose among `places` (the search's matches for what she typed)."""
        self.places = {place.pcode: place for place in places}
        field = forms.ChoiceField(label=_("Which place?"), required=False, widget=FastSelect)
        field.choices = [("", "—"), *[(p.pcode, f"{p.name} ({p.pcode})") for p in places]]
        self.fields["location"] = field

    def chosen_place(self) -> Location | None:
        """The place she chose among those offered, if any."""
        return self.places.get(self.data.get("location", ""))


class AlertFilterForm(forms.Form):
    """The list's filters (a GET form)."""

    state = choice(_("State"), Alert.State.choices, empty_label=ANY)
    urgency = choice(_("Urgency"), Alert.Urgency.choices, empty_label=ANY)
    office = InstanceChoiceField(
        label=_("Field office"), key=lambda office: str(office.pk), empty_label=ANY, required=False
    )
    offices = choice(_("Offices"), [(MINE, _("Mine"))], empty_label=ANY)
    escalated = choice(_("Escalated"), [(YES, _("Yes"))], empty_label=ANY)

    def __init__(self, *args: Any, offices: Sequence[FieldOffice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(InstanceChoiceField, self.fields["office"]).set_instances(offices)

    def filters(self) -> AlertFilters:
        data = self.cleaned_data
        return AlertFilters(
            state=data.get("state") or "",
            urgency=data.get("urgency") or "",
            field_office_id=data["office"].pk if data.get("office") else None,
            mine=data.get("offices") == MINE,
            escalated=data.get("escalated") == YES,
        )


class AcknowledgeForm(forms.Form):
    """Acknowledging takes nothing but the button."""


class NoteForm(forms.Form):
    """Dispatch (what response, by whom) and close (why, when nothing was dispatched)."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkIncidentForm(forms.Form):
    reference = forms.CharField(
        label=_("Incident reference"),
        max_length=48,
        help_text=_("e.g. MONUSCO-GOM-2026-00042"),
    )


_MINUTE_FORMAT = "%Y-%m-%dT%H:%M"


class OnCallForm(forms.Form):
    """Put someone on call; times are typed in the office's time zone."""

    user = InstanceChoiceField(label=_("Who"), label_of=lambda user: user.display_name)
    starts_at = forms.DateTimeField(
        label=_("From"),
        input_formats=[_MINUTE_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_MINUTE_FORMAT),
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        input_formats=[_MINUTE_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_MINUTE_FORMAT),
    )

    def __init__(self, *args: Any, candidates: Sequence[User], zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(zone)
        cast(InstanceChoiceField, self.fields["user"]).set_instances(candidates)

    def _in_office_zone(self, value: datetime | None) -> datetime | None:
        """The typed wall-clock time read in the office's zone (Django read it in the user's)."""
        if value is None:
            return None
        return timezone.make_aware(timezone.make_naive(value), self.zone)

    def clean_starts_at(self) -> datetime | None:
        return self._in_office_zone(self.cleaned_data.get("starts_at"))

    def clean_ends_at(self) -> datetime | None:
        return self._in_office_zone(self.cleaned_data.get("ends_at"))
