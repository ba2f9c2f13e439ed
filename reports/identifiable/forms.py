"""The pages' forms: they parse; the services decide (their errors land beside these fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from reports.identifiable import selectors
from reports.identifiable.models import IdentifiableExport
from reports.identifiable.services import MAX_CASES, REASON_MAX


class ExportRequestForm(forms.Form):
    recipient = forms.ChoiceField(
        label=_("Recipient"), choices=IdentifiableExport.Recipient.choices, widget=forms.RadioSelect
    )
    provider = forms.ModelChoiceField(
        label=_("Service provider"),
        queryset=selectors.export_providers(),
        to_field_name="public_id",
        required=False,
        help_text=_(
            "For a provider: only the cases whose consent to share names this provider are included."
        ),
    )
    survivor_codes = forms.CharField(
        label=_("Survivor codes"),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        max_length=MAX_CASES * 13,
        # Formatted when shown, in the reader's language (a `%` here would fix it in English).
        help_text=format_lazy(_("One per line or separated by commas, at most {count}."), count=MAX_CASES),
    )
    reason = forms.CharField(
        label=_("Purpose and reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX,
        help_text=_("Why this recipient needs these cases' identifying data. Stored encrypted."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read at each request, so a provider added or deactivated since is seen at once.
        self.fields["provider"].queryset = selectors.export_providers()  # type: ignore[attr-defined]  # a ModelChoiceField


class ExportRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is refused"), widget=forms.Textarea(attrs={"rows": 3}), max_length=REASON_MAX
    )


class ExportDownloadForm(forms.Form):
    password = forms.CharField(widget=forms.HiddenInput, max_length=64)
