"""The access review's filters (GET): role, field office, active or not."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crsv.access.review import ReviewFilter
from crsv.accounts.models import FieldOffice
from crsv.accounts.roles import Role


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.mission.code} · {obj.name}"


class ReviewFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices])
    office = OfficeChoiceField(
        label=_("Field office"),
        required=False,
        empty_label=_("Any field office"),
        queryset=FieldOffice.objects.select_related("mission").order_by("mission__code", "name"),
    )
    active = forms.ChoiceField(
        label=_("Accounts"),
        required=False,
        choices=[("", _("Active and inactive")), ("yes", _("Active only")), ("no", _("Inactive only"))],
    )

    def review_filter(self) -> ReviewFilter:
        data = self.cleaned_data
        active = {"yes": True, "no": False}.get(data.get("active") or "")
        return ReviewFilter(role=data.get("role") or "", office=data.get("office"), active=active)
