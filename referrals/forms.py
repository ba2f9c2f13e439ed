"""Forms of the referral pages. They parse what was typed and keep it for a page shown again;
the services decide what is valid (a message they raise is put beside its field here)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice, User
from incidents.forms import InstanceChoiceField
from incidents.models import Incident, Location
from referrals.models import Language, Referral, ServiceProvider, ServiceType
from referrals.selectors import DirectoryFlags

BLANK_ANY = ("", _("Any"))


class ReferralFilterForm(forms.Form):
    """The list's filters (GET)."""

    state = forms.ChoiceField(label=_("State"), choices=[BLANK_ANY, *Referral.State.choices], required=False)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[BLANK_ANY, *Referral.Urgency.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def filters(self) -> dict[str, Any]:
        return {
            "state": self.cleaned_data["state"],
            "urgency": self.cleaned_data["urgency"],
            "overdue": self.cleaned_data["overdue"],
        }


class SentByMeForm(ReferralFilterForm):
    """A case worker's filters: also "only the referrals I made"."""

    mine = forms.BooleanField(label=_("Made by me only"), required=False)


class ServiceTypeForm(forms.Form):
    """The "Refer" page's first step: which service (the providers offered depend on it)."""

    service_type = forms.ChoiceField(
        label=_("Service type"), choices=[("", "—"), *ServiceType.choices], required=True
    )


class ReferralCreateForm(forms.Form):
    """The "Refer" page's second step. `provider` is one of `candidates` (active, offering the
    service, serving the case's office), `incident` one of the case's incidents she can see."""

    service_type = forms.ChoiceField(choices=ServiceType.choices, widget=forms.HiddenInput)
    provider = InstanceChoiceField(label=_("Provider"))  # radios with flags: the template
    urgency = forms.ChoiceField(label=_("Urgency"), choices=[("", "—"), *Referral.Urgency.choices])
    incident = InstanceChoiceField(
        label=_("Incident (optional)"),
        required=False,
        label_of=lambda incident: incident.reference or str(_("draft")),
    )
    note = forms.CharField(
        label=_("Note to the provider (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("What the provider needs to know. The provider reads it; keep names out of it."),
    )

    def __init__(
        self,
        *args: Any,
        candidates: Iterable[ServiceProvider],
        incidents: Iterable[Incident],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, InstanceChoiceField)
        provider.set_instances(candidates)
        incident = self.fields["incident"]
        assert isinstance(incident, InstanceChoiceField)
        incident.set_instances(incidents)

    def selected_provider_key(self) -> str:
        """The provider's key as posted (to check its radio again)."""
        return str(self["provider"].value() or "")


class ReasonForm(forms.Form):
    """Decline and cancel: the reason (the service says it is required)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class OutcomeForm(forms.Form):
    """Complete: an optional outcome note."""

    outcome = forms.CharField(
        label=_("Outcome (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class NoInputForm(forms.Form):
    """Send, accept, start: nothing to type; a refusal is shown atop the button."""


class DirectoryFilterForm(forms.Form):
    """The service directory's filters (GET). `location` is a p-code."""

    service_type = forms.ChoiceField(
        label=_("Service type"), choices=[BLANK_ANY, *ServiceType.choices], required=False
    )
    office = InstanceChoiceField(
        label=_("Field office served"),
        required=False,
        empty_label=BLANK_ANY[1],
        key=lambda office: office.code,
    )
    location = forms.CharField(label=_("Location (p-code)"), max_length=32, required=False)
    pep_available = forms.BooleanField(label=_("Post-exposure prophylaxis"), required=False)
    emergency_contraception = forms.BooleanField(label=_("Emergency contraception"), required=False)
    child_friendly = forms.BooleanField(label=_("Child-friendly"), required=False)
    serves_male_survivors = forms.BooleanField(label=_("Serves male survivors"), required=False)

    inactive = forms.BooleanField(label=_("Inactive organisations too"), required=False)

    def __init__(
        self, *args: Any, offices: Iterable[FieldOffice], manage: bool = False, **kwargs: Any
    ) -> None:
        """`manage`: an admin, who may list the inactive organisations too."""
        super().__init__(*args, **kwargs)
        if not manage:
            del self.fields["inactive"]
        office = self.fields["office"]
        assert isinstance(office, InstanceChoiceField)
        office.set_instances(offices)

    def clean_location(self) -> Location | None:
        pcode = self.cleaned_data["location"].strip()
        if not pcode:
            return None
        location = Location.objects.filter(pcode__iexact=pcode).first()
        if location is None:
            raise ValidationError(_("No location has this p-code."))
        return location

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "service_type": data["service_type"],
            "office": data["office"],
            "location": data["location"],
            "include_inactive": bool(data.get("inactive")),
            "flags": DirectoryFlags(
                pep_available=data["pep_available"],
                emergency_contraception=data["emergency_contraception"],
                child_friendly=data["child_friendly"],
                serves_male_survivors=data["serves_male_survivors"],
            ),
        }


def service_errors_add(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError beside the form's fields (input kept), or atop it for a key
    the form has no field for (e.g. `consent`, `survivor`)."""
    form.is_valid()  # errors may only be added to a cleaned form
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        shown = key in form.fields and not form.fields[key].widget.is_hidden
        form.add_error(key if shown else None, messages)


class ProviderForm(forms.Form):
    """An organisation of the directory, as an admin creates or changes it (`provider_save`
    decides). The coverage places are typed as p-codes: a country has thousands of them."""

    name = forms.CharField(label=_("Organisation"), max_length=200)
    service_types = forms.MultipleChoiceField(
        label=_("Service types"),
        choices=ServiceType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    field_offices = forms.MultipleChoiceField(
        label=_("Field offices served"), widget=forms.CheckboxSelectMultiple, required=False
    )
    locations = forms.CharField(
        label=_("Coverage locations (p-codes)"),
        required=False,
        max_length=4000,
        help_text=_("Separate p-codes with spaces or commas, e.g. CD61 CD6101."),
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    hours = forms.CharField(label=_("Opening hours"), max_length=200, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    pep_available = forms.BooleanField(label=_("Post-exposure prophylaxis available"), required=False)
    emergency_contraception = forms.BooleanField(label=_("Emergency contraception available"), required=False)
    child_friendly = forms.BooleanField(label=_("Child-friendly"), required=False)
    serves_male_survivors = forms.BooleanField(label=_("Serves male survivors"), required=False)
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Inactive organisations are not offered for referrals."),
    )

    def __init__(self, *args: Any, offices: Iterable[FieldOffice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offices = {str(office.pk): office for office in offices}
        field = self.fields["field_offices"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(key, f"{o.mission.code} · {o.name}") for key, o in self.offices.items()]

    @classmethod
    def initial_of(cls, provider: ServiceProvider) -> dict[str, Any]:
        values = {
            name: getattr(provider, name)
            for name in cls.base_fields
            if name not in ("field_offices", "locations")
        }
        values["field_offices"] = [str(pk) for pk in provider.field_offices.values_list("pk", flat=True)]
        values["locations"] = " ".join(provider.locations.order_by("pcode").values_list("pcode", flat=True))
        return values

    def clean_field_offices(self) -> list[FieldOffice]:
        return [self.offices[key] for key in self.cleaned_data["field_offices"]]

    def clean_locations(self) -> list[Location]:
        pcodes = sorted({code.upper() for code in self.cleaned_data["locations"].replace(",", " ").split()})
        if len(pcodes) > 500:
            raise ValidationError(_("At most 500 p-codes."))
        places = Location.objects.annotate(upper_pcode=Upper("pcode")).filter(upper_pcode__in=pcodes)
        found = {location.pcode.upper(): location for location in places}
        unknown = [code for code in pcodes if code not in found]
        if unknown:
            raise ValidationError(
                _("No location has these p-codes: %(codes)s."), params={"codes": ", ".join(unknown)}
            )
        return [found[code] for code in pcodes]

    def values(self) -> dict[str, Any]:
        """The plain values for `provider_save` (offices and places apart)."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("field_offices", "locations")}


class ProviderMemberForm(forms.Form):
    """Add a provider user to an organisation: one of the active holders of the provider role."""

    user = InstanceChoiceField(label=_("Provider user"), key=lambda user: str(user.public_id))

    def __init__(self, *args: Any, users: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, InstanceChoiceField)
        field.set_instances(users)
