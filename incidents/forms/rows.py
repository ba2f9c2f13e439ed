"""The intake's rows: a violation, a perpetrator, and the formsets that hold them (capped by the
service's limits)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.translation import gettext_lazy as _

from incidents.forms.fields import InstanceChoiceField, choice
from incidents.models import PartyToConflict, Perpetrator, Violation
from incidents.services import PerpetratorData, ViolationData
from incidents.services.limits import (
    PERPETRATOR_COUNT_MAX,
    PERPETRATOR_NAMES_MAX_LENGTH,
    PERPETRATOR_TEXT_MAX_LENGTH,
    PERPETRATORS_MAX,
    VIOLATIONS_MAX,
)

__all__ = ["PerpetratorForm", "PerpetratorFormSet", "RowFormSet", "ViolationForm", "ViolationFormSet"]


class ViolationForm(forms.Form):
    form = choice(_("Form of violation"), Violation.Form.choices)

    def data_row(self) -> ViolationData:
        return ViolationData(form=self.cleaned_data["form"])


class PerpetratorForm(forms.Form):
    category = choice(_("Category"), Perpetrator.Category.choices)
    count = forms.IntegerField(
        label=_("Number of perpetrators"),
        min_value=1,
        max_value=PERPETRATOR_COUNT_MAX,
        required=False,
        help_text=_("Empty when unknown."),
    )
    sex = choice(_("Sex"), Perpetrator.Sex.choices, blank=False, initial=Perpetrator.Sex.UNKNOWN)
    age_group = choice(
        _("Age group"), Perpetrator.AgeGroup.choices, blank=False, initial=Perpetrator.AgeGroup.UNKNOWN
    )
    party = InstanceChoiceField(
        label=_("Party to the conflict"),
        required=False,
        help_text=_("Only for armed forces, police, security forces, militias or armed groups."),
    )
    relationship = choice(
        _("Relationship to the survivor"),
        Perpetrator.Relationship.choices,
        blank=False,
        initial=Perpetrator.Relationship.UNKNOWN,
    )
    unit = forms.CharField(
        label=_("Unit (restricted)"), max_length=PERPETRATOR_TEXT_MAX_LENGTH, required=False
    )
    commander = forms.CharField(
        label=_("Commander (restricted)"), max_length=PERPETRATOR_TEXT_MAX_LENGTH, required=False
    )
    names = forms.CharField(
        label=_("Names (restricted)"),
        required=False,
        max_length=PERPETRATOR_NAMES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, parties: Sequence[PartyToConflict] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(InstanceChoiceField, self.fields["party"]).set_instances(parties)

    def data_row(self) -> PerpetratorData:
        data = self.cleaned_data
        return PerpetratorData(
            category=data["category"],
            count=data.get("count"),
            sex=data["sex"],
            age_group=data["age_group"],
            party=data.get("party"),
            relationship=data["relationship"],
            unit=data.get("unit", ""),
            commander=data.get("commander", ""),
            names=data.get("names", ""),
        )


class RowFormSet(forms.BaseFormSet[Any]):
    """Rows of a one-page intake. No row is required by the form (the service says when a
    violation is missing), so blank extra rows, and rows cleared to remove them, are ignored,
    whether they were shown empty or filled from the saved incident."""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "empty_permitted": True}

    @staticmethod
    def _removed(form: forms.Form) -> bool:
        # Read as typed: this is also asked of rows not validated (see raw_rows).
        return DELETION_FIELD_NAME in form.fields and bool(form[DELETION_FIELD_NAME].value())

    def filled_forms(self) -> list[Any]:
        """The rows to save: changed from blank and not marked for removal (after is_valid)."""
        return [form for form in self.forms if form.has_changed() and not self._removed(form)]

    def raw_rows(self) -> list[dict[str, Any]]:
        """What each kept row holds as typed, valid or not (to redisplay it unbound)."""
        return [
            {name: form[name].value() for name in form.fields if name != DELETION_FIELD_NAME}
            for form in self.forms
            if not self._removed(form)
        ]


class ViolationRows(RowFormSet):
    # The service's message (same msgid); Django fills in `num` with max_num.
    default_error_messages = {"too_many_forms": _("Record at most %(num)d violations.")}


class PerpetratorRows(RowFormSet):
    default_error_messages = {"too_many_forms": _("Record at most %(num)d perpetrators.")}


# The service's limits cap the rows: a page never builds more (whatever TOTAL_FORMS says, a
# POST builds at most `absolute_max` forms, and more is refused beside the group), and "add
# more rows" stops there. cast: formset_factory is typed as returning the base class.
ViolationFormSet = cast(
    type[RowFormSet],
    forms.formset_factory(
        ViolationForm,
        formset=ViolationRows,
        extra=0,
        max_num=VIOLATIONS_MAX,
        absolute_max=VIOLATIONS_MAX,
        validate_max=True,
    ),
)
PerpetratorFormSet = cast(
    type[RowFormSet],
    forms.formset_factory(
        PerpetratorForm,
        formset=PerpetratorRows,
        extra=0,
        can_delete=True,
        can_delete_extra=False,
        max_num=PERPETRATORS_MAX,
        absolute_max=PERPETRATORS_MAX,
        validate_max=True,
    ),
)
