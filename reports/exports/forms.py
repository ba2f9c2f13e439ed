"""The exports page's form (GET): which export, for which fixed period, in which format."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.disclosure import Period, PeriodError
from reports.exports.catalogue import ExportFormat, ExportKind


def last_quarter(today: date) -> str:
    """The last complete quarter before `today`, as the form's first suggestion."""
    quarter = (today.month - 1) // 3  # 0: we are in Q1, so the last one is Q4 of last year
    return f"{today.year - 1}-Q4" if quarter == 0 else f"{today.year}-Q{quarter}"


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Export"), choices=ExportKind.choices, widget=forms.RadioSelect)
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_(
            "A month (2026-03), a quarter (2026-Q1) or a year (2026): only whole periods leave the mission."
        ),
    )
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices, widget=forms.RadioSelect)

    def clean_period(self) -> str:
        text: str = self.cleaned_data["period"]
        try:
            return str(Period.parse(text))
        except PeriodError as error:
            raise forms.ValidationError(str(error), code="period") from error
