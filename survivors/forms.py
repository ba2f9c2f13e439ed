"""Forms for survivor cases. Values typed here are never logged (views use
`sensitive_post_parameters`) and are encrypted by the services before they are stored."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice, User
from survivors import selectors
from survivors.identity import SurvivorIdentity
from survivors.models import Consent, ConsentText, ErasureReason, Survivor
from survivors.services import ConsentGrant, SurvivorProfile
from survivors.validation import (
    AGE_MAX,
    IDENTITY_MAX_LENGTHS,
    INTERVIEW_COUNT_MAX,
    consent_terms_errors,
    date_in_range_validate,
)

LIMIT = IDENTITY_MAX_LENGTHS  # the service's limits (survivors.validation), shown in the page


class SurvivorForm(forms.Form):
    """Identifying fields and the non-identifying profile of a case. The limits and checks are
    the service's (`survivors.validation`): the same as the API's."""

    name = forms.CharField(label=_("Name"), max_length=LIMIT["name"])
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        validators=[date_in_range_validate],
        widget=forms.DateInput(attrs={"type": "date", "min": "1900-01-01"}),
    )
    phone = forms.CharField(label=_("Phone"), max_length=LIMIT["phone"], required=False)
    address = forms.CharField(label=_("Address or village"), max_length=LIMIT["address"], required=False)
    caregiver = forms.CharField(
        label=_("Caregiver"),
        max_length=LIMIT["caregiver"],
        required=False,
        help_text=_("For a child: name and relationship."),
    )
    safe_contact_method = forms.CharField(
        label=_("Safe contact method"), max_length=LIMIT["safe_contact_method"], required=False
    )
    safe_contact_times = forms.CharField(
        label=_("Safe contact times"), max_length=LIMIT["safe_contact_times"], required=False
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=LIMIT["notes"],
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Survivor.Sex.choices, initial=Survivor.Sex.UNKNOWN)
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=AGE_MAX, required=False)
    age_band = forms.ChoiceField(
        label=_("Age band"),
        choices=Survivor.AgeBand.choices,
        initial=Survivor.AgeBand.UNKNOWN,
        help_text=_("Used when the age is not known; otherwise it follows the age."),
    )
    disability = forms.ChoiceField(
        label=_("Disability"), choices=Survivor.Disability.choices, initial=Survivor.Disability.UNKNOWN
    )
    displacement_status = forms.ChoiceField(
        label=_("Displacement status"),
        choices=Survivor.Displacement.choices,
        initial=Survivor.Displacement.UNKNOWN,
    )
    interview_count = forms.IntegerField(
        label=_("Interviews so far"), min_value=0, max_value=INTERVIEW_COUNT_MAX, initial=0
    )
    do_not_reinterview = forms.BooleanField(label=_("Do not re-interview"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No `maxlength` on the notes: a browser cuts a long paste there without a word. The
        # server refuses it with a message beside the field and gives the text back to shorten.
        self.fields["notes"].widget.attrs.pop("maxlength", None)

    def identity(self) -> SurvivorIdentity:
        data = self.cleaned_data
        born = data.get("date_of_birth")
        return SurvivorIdentity(
            name=data["name"],
            date_of_birth=born.isoformat() if born else "",
            phone=data.get("phone", ""),
            address=data.get("address", ""),
            caregiver=data.get("caregiver", ""),
            safe_contact_method=data.get("safe_contact_method", ""),
            safe_contact_times=data.get("safe_contact_times", ""),
            notes=data.get("notes", ""),
        )

    def profile(self) -> SurvivorProfile:
        data = self.cleaned_data
        return SurvivorProfile(
            sex=data["sex"],
            age=data.get("age"),
            age_band=data["age_band"],
            disability=data["disability"],
            displacement_status=data["displacement_status"],
            interview_count=data.get("interview_count") or 0,
            do_not_reinterview=data.get("do_not_reinterview", False),
        )


class SurvivorCreateForm(SurvivorForm):
    field_office = forms.ModelChoiceField(label=_("Field office"), queryset=FieldOffice.objects.none())

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["field_office"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = offices
        if offices.count() == 1:
            field.initial = offices.first()


def _current_texts() -> Any:
    return ConsentText.objects.filter(retired_at__isnull=True).order_by("-published_at", "language")


class ConsentMetaFields(forms.Form):
    """Who gave consent, how, in which language and on which text."""

    given_by = forms.ChoiceField(
        label=_("Given by"), choices=Consent.GivenBy.choices, initial=Consent.GivenBy.SURVIVOR
    )
    child_assent = forms.BooleanField(label=_("The child gave her or his assent"), required=False)
    method = forms.ChoiceField(label=_("How"), choices=Consent.Method.choices)
    explained_in = forms.ChoiceField(label=_("Explained in"), choices=Consent.Language.choices)
    consent_text = forms.ModelChoiceField(label=_("Consent text read"), queryset=ConsentText.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["consent_text"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _current_texts()


INTAKE_PURPOSES = [
    (Consent.Purpose.CASE_MANAGEMENT.value, Consent.Purpose.CASE_MANAGEMENT.label),
    (Consent.Purpose.STATISTICS.value, Consent.Purpose.STATISTICS.label),
    (Consent.Purpose.CONTACT.value, Consent.Purpose.CONTACT.label),
    (Consent.Purpose.LEGAL.value, Consent.Purpose.LEGAL.label),
]


class IntakeConsentForm(ConsentMetaFields):
    """The consents given at intake: several purposes at once, one set of circumstances."""

    purposes = forms.MultipleChoiceField(
        label=_("Consent given for"),
        choices=INTAKE_PURPOSES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referral_services = forms.MultipleChoiceField(
        label=_("Referral to"),
        choices=Consent.ServiceType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("given_by", "method", "explained_in", "consent_text"):
            self.fields[name].required = False  # required only when some consent is given

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("purposes") or data.get("referral_services"):
            for name in ("given_by", "method", "explained_in", "consent_text"):
                if not data.get(name):
                    self.add_error(name, _("Required when consent is given."))
        return data

    def grants(self) -> list[ConsentGrant]:
        data = self.cleaned_data
        common = {
            "given_by": data.get("given_by", ""),
            "child_assent": data.get("child_assent", False),
            "method": data.get("method", ""),
            "explained_in": data.get("explained_in", ""),
            "consent_text": data.get("consent_text"),
        }
        grants = [ConsentGrant(purpose=p, **common) for p in data.get("purposes", [])]
        grants += [
            ConsentGrant(purpose=Consent.Purpose.REFERRAL, service_type=s, **common)
            for s in data.get("referral_services", [])
        ]
        return grants


class ProviderChoiceField(forms.ModelChoiceField[Any]):
    """A provider of the directory (`referrals.ServiceProvider`), shown by its organisation name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ConsentForm(ConsentMetaFields):
    """One consent, recorded later in the case. It names a provider of the directory, never a
    typed organisation: a sharing consent takes the provider's name (`consent_record`)."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=Consent.Purpose.choices)
    service_type = forms.ChoiceField(
        label=_("Service type (for a referral)"),
        choices=[("", "—"), *Consent.ServiceType.choices],
        required=False,
    )
    provider = ProviderChoiceField(
        label=_("Provider"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label=_("Any provider of this type"),
        help_text=_(
            "For a referral: leave it for any provider of the service type. "
            "Required for sharing identifiable data."
        ),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    field_order = ["purpose", "service_type", "provider"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        assert isinstance(field, ProviderChoiceField)
        field.queryset = selectors.consent_providers()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("purpose"):  # the service's rules, reported beside the fields with the others
            errors = consent_terms_errors(
                purpose=data["purpose"],
                service_type=data.get("service_type", ""),
                expires_at=data.get("expires_at"),
                provider=data.get("provider"),
            )
            if "provider" in self.errors:  # an unknown or inactive choice: said once, by the field
                errors.pop("provider", None)
            for name, message in errors.items():
                self.add_error(name if name in self.fields else None, message)
        return data

    def grant(self) -> ConsentGrant:
        data = self.cleaned_data
        return ConsentGrant(
            purpose=data["purpose"],
            service_type=data.get("service_type", ""),
            provider=data.get("provider"),
            given_by=data["given_by"],
            child_assent=data.get("child_assent", False),
            method=data["method"],
            explained_in=data["explained_in"],
            consent_text=data["consent_text"],
            expires_at=data.get("expires_at"),
        )


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class AssignForm(forms.Form):
    assignee = UserChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, UserChoiceField)
        field.queryset = candidates


class GrantForm(forms.Form):
    """Give a WPA or a reporter of the mission access to one case, optionally until a time typed
    in the case's field-office time zone."""

    grantee = UserChoiceField(
        label=_("Give access to"), queryset=User.objects.none(), to_field_name="public_id"
    )
    expires_at = forms.DateTimeField(
        label=_("Until"),
        required=False,
        help_text=_("Leave empty for no expiry."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, candidates: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["grantee"]
        assert isinstance(field, UserChoiceField)
        field.queryset = candidates
        self.time_zone = ZoneInfo(time_zone)
        self.fields["expires_at"].help_text = _("Time in %(zone)s. Leave empty for no expiry.") % {
            "zone": time_zone
        }

    def full_clean(self) -> None:
        # A typed time means the office's wall clock, whatever zone the signed-in user is in.
        with timezone.override(self.time_zone):
            super().full_clean()


class BreakGlassForm(forms.Form):
    """Why a senior WPA opens a case outside her grants. The reason is encrypted and shown to
    the mission's other senior WPAs."""

    reason = forms.CharField(
        label=_("Reason"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Say why you need to identify the survivor. The other senior WPAs of the mission will see it."
        ),
    )


class EraseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why erase this case"), choices=ErasureReason.choices)
    confirm = forms.BooleanField(label=_("I understand this cannot be undone"), required=True)


class ValueNeverShown(forms.TextInput):
    """A text box that never renders a value back: a searched name or phone number must not sit
    in the page after the search (a screen others can see, a saved page, the browser cache)."""

    def format_value(self, value: Any) -> str | None:
        return None


class SearchForm(forms.Form):
    """One of: a survivor code, an exact name, a phone number. Sent by POST only."""

    code = forms.CharField(label=_("Survivor code"), max_length=20, required=False)
    name = forms.CharField(
        label=_("Exact name"),
        max_length=200,
        required=False,
        widget=ValueNeverShown(attrs={"autocomplete": "off"}),
        help_text=_("Case, accents and spacing do not matter; the whole name must match."),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        widget=ValueNeverShown(attrs={"autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [key for key in ("code", "name", "phone") if (data.get(key) or "").strip()]
        if len(filled) != 1:
            raise forms.ValidationError(_("Fill in exactly one of: code, name, phone number."))
        return data
