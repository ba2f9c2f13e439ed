"""The detail page's form to record a justice and accountability step. It parses what was typed;
the service decides what is valid (which stage needs a court or an outcome, the dates)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.forms.fields import DATE_WIDGET, choice
from incidents.models import AccountabilityStep
from incidents.services.accountability import NOTE_MAX_LENGTH


class AccountabilityStepForm(forms.Form):
    """Stage, court, date, outcome and a restricted note. Its ids are prefixed (the page has
    other forms); its errors are the service's, beside each field."""

    stage = choice(_("Stage"), AccountabilityStep.Stage.choices, required=True)
    court = choice(
        _("Court"),
        AccountabilityStep.Court.choices,
        help_text=_("For a prosecution, a verdict or a sentence."),
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    outcome = choice(_("Outcome"), AccountabilityStep.Outcome.choices, help_text=_("For a verdict."))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Restricted, like the narrative: never shown to analysts."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_accountability_%s")
        super().__init__(*args, **kwargs)
