"""The workflow actions on the detail page; each posts `action` with its own fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import User
from incidents.forms.fields import BLANK, DATE_WIDGET, FastSelect, InstanceChoiceField
from incidents.forms.intake import IncidentForm
from incidents.models import Incident
from incidents.services.limits import REASON_MAX_LENGTH


class AssignForm(forms.Form):
    assignee = InstanceChoiceField(
        label=_("Assign to"), key=lambda user: user.username, label_of=lambda user: user.display_name
    )

    def __init__(self, *args: Any, candidates: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(InstanceChoiceField, self.fields["assignee"]).set_instances(candidates)

    def clean_assignee(self) -> str:
        """The workflow names the assignee by username, as the API does."""
        assignee: User = self.cleaned_data["assignee"]
        return assignee.username


class ReasonForm(forms.Form):
    """Return (to the reporter) and reopen: the reason is restricted, like the narrative."""

    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=REASON_MAX_LENGTH
    )


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            BLANK,
            *(
                choice
                for choice in Incident.VerificationStatus.choices
                if choice[0] in Incident.VERIFICATION_OUTCOMES
            ),
        ],
        widget=FastSelect,
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=[BLANK, *Incident.VerificationMethod.choices], widget=FastSelect
    )
    verified_on = forms.DateField(label=_("Verified on"), widget=DATE_WIDGET)


class SubmitForm(forms.Form):
    """Submitting from the detail page: nothing to type; what the incident lacks is reported
    atop the form, each message naming its field (see `add_service_errors`)."""


# What a service error key is about, when the form posting it has no such field.
_GROUP_LABELS = {"tallies": _("Survivors"), "violations": _("Violations"), "perpetrators": _("Perpetrators")}


def _subject(key: str) -> str:
    """What a key is about, as the intake page labels it."""
    if key in _GROUP_LABELS:
        return str(_GROUP_LABELS[key])
    field = IncidentForm.base_fields.get(key)
    return str(field.label) if field is not None and field.label else key


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError beside the form's fields, or atop it naming its subject."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        if key in form.fields:
            form.add_error(key, messages)
        else:
            form.add_error(None, [f"{_subject(key)}: {message}" for message in messages])
