"""The "Invite a user" form: who she is, her roles, and her field offices, each with an optional
last day (temporary staff). The rules are `invitations.invitation_send`'s; its refusals are
shown next to their fields (`errors_add`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crsv.accounts.invitations import InvitationState
from crsv.accounts.models import FieldOffice
from crsv.accounts.roles import Role


class InviteForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(
        label=_("Language of her e-mails"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The Administrator role cannot be combined with another role."),
    )

    def __init__(self, *args: Any, offices: list[FieldOffice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offices = offices
        self.office_rows: list[tuple[forms.BoundField, forms.BoundField]] = []
        for office in offices:
            label = f"{office.name} ({office.mission.code})"
            self.fields[f"office_{office.pk}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"ends_{office.pk}"] = forms.DateField(
                label=_("Last day at %(office)s (optional)") % {"office": label},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.office_rows.append((self[f"office_{office.pk}"], self[f"ends_{office.pk}"]))
        self.office_errors: list[str] = []

    def chosen_offices(self) -> dict[FieldOffice, date | None]:
        """The offices ticked, each with its last day (None: no end)."""
        return {
            office: self.cleaned_data.get(f"ends_{office.pk}")
            for office in self.offices
            if self.cleaned_data.get(f"office_{office.pk}")
        }

    def invitation(self) -> dict[str, Any]:
        """The service's arguments (but the actor and the request)."""
        data = self.cleaned_data
        return {
            "username": data["username"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "language": data["language"],
            "roles": data["roles"],
            "offices": self.chosen_offices(),
        }

    def errors_add(self, error: ValidationError) -> None:
        """The service's refusals next to their fields; the offices' above the offices' table."""
        for field, messages in error.message_dict.items():
            if field in ("offices", "ends_on"):
                self.office_errors += messages
            elif field in self.fields:
                self.add_error(field, messages)
            else:
                self.add_error(None, messages)


STATE_FILTERS = [
    ("", _("All but revoked")),
    (InvitationState.PENDING.value, _("Pending")),
    (InvitationState.EXPIRED.value, _("Expired")),
    (InvitationState.ACCEPTED.value, _("Accepted")),
    (InvitationState.REVOKED.value, _("Revoked")),
]


class InvitationFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Show"), choices=STATE_FILTERS, required=False)
