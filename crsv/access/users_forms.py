"""The access pages' forms: the users list's filters (GET), a user's roles and field offices with
their end dates (POST), and the small forms of the buttons (a session, a token, active or not).

Offices travel by name (`MONUSCO-GOM`), never by integer key. The access form asks the service's
rules in clean() (crsv.accounts.access_rules.user_access_validate), so each refusal is shown
next to its field with the input kept; the service decides them again when it writes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from crsv.access.users_selectors import NO_ROLE, UserFilter, office_key
from crsv.accounts.access_rules import access_of, access_version, user_access_validate
from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Role

ANY_YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
MAX_INACTIVE_DAYS = 3650
_YES_NO = {"yes": True, "no": False}
_STATUS = {"active": True, "deactivated": False}


def _office_choices(offices: list[FieldOffice]) -> list[tuple[str, str]]:
    return [(office_key(office), f"{office.mission.code} · {office.name}") for office in offices]


class UserFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, help_text=_("Username, name or e-mail.")
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Any role")), *Role.choices, (NO_ROLE, _("No role"))],
    )
    office = forms.ChoiceField(label=_("Field office"), required=False)
    inactive_days = forms.IntegerField(
        label=_("Not active for at least (days)"),
        required=False,
        min_value=1,
        max_value=MAX_INACTIVE_DAYS,
    )
    never_active = forms.BooleanField(label=_("Never active"), required=False)
    two_factor = forms.ChoiceField(label=_("Second factor enrolled"), required=False, choices=ANY_YES_NO)
    locked = forms.ChoiceField(label=_("Locked out"), required=False, choices=ANY_YES_NO)
    status = forms.ChoiceField(
        label=_("Account"),
        required=False,
        choices=[("", _("Any")), ("active", _("Active")), ("deactivated", _("Deactivated"))],
    )

    def __init__(self, *args: Any, offices: list[FieldOffice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.office_ids = {office_key(office): office.pk for office in offices}
        self.fields["office"].choices = [("", _("Any office")), *_office_choices(offices)]  # type: ignore[attr-defined]

    def user_filter(self) -> UserFilter:
        """The filter of a valid form."""
        data = self.cleaned_data
        return UserFilter(
            text=data.get("q") or "",
            role=data.get("role") or "",
            office_id=self.office_ids.get(data.get("office") or ""),
            inactive_days=data.get("inactive_days"),
            never_active=bool(data.get("never_active")),
            two_factor=_YES_NO.get(data.get("two_factor") or ""),
            locked=_YES_NO.get(data.get("locked") or ""),
            active=_STATUS.get(data.get("status") or ""),
        )


def _until_name(key: str) -> str:
    return f"until-{key}"


class UserAccessForm(forms.Form):
    """Roles, and field offices each with an optional last day; `version` is the access the
    form was built from (a change made meanwhile by another administrator is not undone)."""

    version = forms.CharField(widget=forms.HiddenInput, max_length=64)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The Administrator role cannot be combined with another role."),
    )
    offices = forms.MultipleChoiceField(
        label=_("Field offices"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, actor: User, target: User, offices: list[FieldOffice], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.actor, self.target = actor, target
        self.office_by_key = {office_key(office): office for office in offices}
        self.fields["offices"].choices = _office_choices(offices)  # type: ignore[attr-defined]
        for key in self.office_by_key:
            self.fields[_until_name(key)] = forms.DateField(
                label=_("Last day"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    @classmethod
    def data_of(cls, target: User) -> dict[str, Any]:
        """The form's data for the access `target` has now (a fresh form, or one rebuilt after
        another administrator's change)."""
        memberships = list(target.memberships.select_related("field_office__mission"))
        data: dict[str, Any] = {
            "version": access_version(access_of(target)),
            "roles": sorted(target.groups.values_list("name", flat=True)),
            "offices": [office_key(m.field_office) for m in memberships],
        }
        for membership in memberships:
            if membership.ends_on is not None:
                data[_until_name(office_key(membership.field_office))] = membership.ends_on.isoformat()
        return data

    def office_rows(self) -> list[tuple[Any, BoundField]]:
        """Each office's checkbox with its last-day field, for the template's table."""
        checkboxes = list(self["offices"])
        return [
            (checkbox, self[_until_name(key)])
            for checkbox, key in zip(checkboxes, self.office_by_key, strict=True)
        ]

    def chosen_offices(self) -> list[FieldOffice]:
        return [self.office_by_key[key] for key in self.cleaned_data.get("offices", [])]

    def end_dates(self) -> dict[int, date | None]:
        """The last day of each chosen office (a date typed for an office not chosen is left)."""
        return {
            office.pk: self.cleaned_data.get(_until_name(office_key(office)))
            for office in self.chosen_offices()
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "roles" in cleaned and "offices" in cleaned and not self.errors:
            try:
                user_access_validate(
                    actor=self.actor,
                    user=self.target,
                    roles=cleaned["roles"],
                    offices=self.chosen_offices(),
                    is_active=self.target.is_active,
                    ends_on=self.end_dates(),
                )
            except PermissionDenied as refused:
                raise ValidationError(str(refused)) from refused
            except ValidationError as refused:
                self.add_refusal(refused)
        return cleaned

    def add_refusal(self, refused: ValidationError) -> None:
        """Show a service's refusal: each message next to its field, end dates with the offices."""
        if not hasattr(refused, "error_dict"):
            self.add_error(None, refused)
            return
        for key, errors in refused.error_dict.items():
            field = {"ends_on": "offices", "is_active": None, NON_FIELD_ERRORS: None}.get(key, key)
            self.add_error(field if field in self.fields else None, errors)


class ActiveForm(forms.Form):
    is_active = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


class SessionForm(forms.Form):
    session = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class TokenForm(forms.Form):
    token = forms.UUIDField()
