"""Form fields the incident pages share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from django import forms
from django.db import models
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = ("", "—")


class InstanceChoiceField(forms.ChoiceField):
    """A select of model instances read once by the view (not a query per render, per row and
    per validation as ModelChoiceField does); cleans to the instance, or None when blank."""

    def __init__(
        self,
        *,
        key: Callable[[Any], str] = lambda obj: str(obj.public_id),
        label_of: Callable[[Any], str] = str,
        empty_label: Any = BLANK[1],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", FastSelect)
        super().__init__(**kwargs)
        self.key, self.label_of, self.empty_label = key, label_of, empty_label
        self.by_key: dict[str, Any] = {}

    def set_instances(self, instances: Iterable[Any], *, groups: Callable[[Any], str] | None = None) -> None:
        """Offer `instances`; with `groups`, in <optgroup>s named by it (in the given order)."""
        self.by_key = {self.key(obj): obj for obj in instances}
        options: list[Any] = [("", self.empty_label)]
        if groups is None:
            options += [(key, self.label_of(obj)) for key, obj in self.by_key.items()]
        else:
            grouped: dict[str, list[tuple[str, str]]] = {}
            for key, obj in self.by_key.items():
                grouped.setdefault(groups(obj), []).append((key, self.label_of(obj)))
            options += list(grouped.items())
        self.choices = options

    def prepare_value(self, value: Any) -> Any:
        return self.key(value) if isinstance(value, models.Model) else value

    def clean(self, value: Any) -> Any:
        key = super().clean(value)
        return self.by_key.get(key) if key else None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(data or "")


def choice(
    label: Any, choices: Any, *, blank: bool = True, empty_label: Any = BLANK[1], **kwargs: Any
) -> forms.ChoiceField:
    """A select; with `blank`, optional and led by an empty option, else required."""
    kwargs.setdefault("required", not blank)
    kwargs.setdefault("widget", FastSelect)
    return forms.ChoiceField(
        label=label, choices=[("", empty_label), *choices] if blank else choices, **kwargs
    )


class YesNoField(forms.TypedChoiceField):
    """A GBVIMS classification question: yes or no, as radio buttons in a fieldset."""

    def __init__(self, *, label: Any) -> None:
        super().__init__(
            label=label,
            choices=[("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda value: value == "yes",
            empty_value=False,  # type: ignore[arg-type]  # the stubs expect a str; a missing answer is "no"
            required=False,
            initial="no",
            widget=forms.RadioSelect,
        )


class FastInputMixin:
    """An <input> rendered in Python rather than through the widget template, for the list
    page's filters (same reason and same escaping as FastSelect below)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        shown = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
        markup = (
            f'<input type="{escape(widget["type"])}" name="{escape(name)}"{shown}{flatatt(widget["attrs"])}>'
        )
        return mark_safe(markup)  # noqa: S308  # nosec B308 B703  # every interpolated value is escaped above


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


FILTER_DATE_WIDGET = FastDateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FastSelect(forms.Select):
    """A <select> rendered in Python, not through one template include per option.

    For the list page's filters, on a throughput budget: nine selects of some sixty options
    through Django's widget templates cost more than the fifty rows of the table. The same
    markup and attributes (id, aria-describedby, aria-invalid); every name, value and label
    is escaped with `html.escape`, which is what Django's `escape` does, minus its lazy-string
    wrapper that made up most of the cost.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(name)}"{flatatt(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{escape(str(group_name))}">')
            parts.extend(
                f'<option value="{escape(str(option["value"]))}"{" selected" if option["selected"] else ""}>'
                f"{escape(str(option['label']))}</option>"
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703  # every value is escaped above
