"""The trail page's filters (GET): actor, action, object, time range."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.audit.models import AuditEvent
from crsv.audit.selectors import TrailFilter


class TrailFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor (user name)"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *AuditEvent.Action.choices]
    )
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    object_public_id = forms.UUIDField(label=_("Object id"), required=False)
    since = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To (date, inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data

    def field_views(self) -> list[dict[str, object]]:
        """What `partials/audit/filter_fields.jinja` renders for each field: the markup of
        Django's widgets (label, errors, input or select, the submitted value) without
        rendering a template per widget and per option (the action list has 30 options; the
        page is on a throughput budget)."""
        views: list[dict[str, object]] = []
        for name, field in self.fields.items():
            bound = self[name]
            raw = self.data.get(name, "") if self.is_bound else ""
            value = raw if isinstance(raw, str) else ""
            options = None
            if isinstance(field, forms.ChoiceField):
                # Normalised by ChoiceField to (value, label) pairs; the stubs type the inputs.
                choices = cast("list[tuple[object, object]]", field.choices)
                options = [(str(key), str(label), str(key) == value) for key, label in choices]
            views.append(
                {
                    "id": bound.auto_id,
                    "name": bound.html_name,
                    "label": str(field.label),
                    "type": field.widget.attrs.get("type", "text"),
                    "value": value,
                    "maxlength": getattr(field, "max_length", None),
                    "errors": [str(error) for error in bound.errors],
                    "options": options,
                }
            )
        return views

    def trail_filter(self) -> TrailFilter:
        """The filter of a valid form; days are whole days in the current (office) time zone."""
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        return TrailFilter(
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            object_type=(data.get("object_type") or "").strip().lower(),
            object_public_id=data.get("object_public_id"),
            since=timezone.make_aware(datetime.combine(since, time.min)) if since else None,
            until=timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
            if until
            else None,
        )
