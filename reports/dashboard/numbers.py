"""Numbers as the dashboard writes them in the active language: counts grouped by thousands,
averages and percentages with one decimal, "—" where there is nothing to divide by.

The locale's separators are read once per dashboard (`Numbers()`), not once per number as
`django.utils.formats.number_format` does: a dashboard writes a few hundred numbers.
"""

from __future__ import annotations

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

NONE = "—"


class Numbers:
    """Formats numbers as `number_format(..., force_grouping=True)` would in the language active
    when it was made."""

    def __init__(self) -> None:
        self.decimal_separator = str(get_format("DECIMAL_SEPARATOR"))
        self.thousand_separator = str(get_format("THOUSAND_SEPARATOR"))
        self.plain_grouping = get_format("NUMBER_GROUPING") == 3
        # Translators: a percentage; %(percent)s is a number with one decimal, e.g. 12.5.
        self.percent_format = _("%(percent)s%%")

    def integer(self, value: int | None) -> str:
        if value is None:
            return NONE
        if -1000 < value < 1000:
            return str(value)
        if not self.plain_grouping:  # e.g. Indian grouping: Django knows it
            return number_format(value, force_grouping=True)
        return f"{value:,}".replace(",", self.thousand_separator)

    def decimal(self, value: float | None) -> str:
        """One decimal."""
        if value is None:
            return NONE
        if not self.plain_grouping:
            return number_format(round(value, 1), 1, force_grouping=True)
        whole, _dot, fraction = f"{value:,.1f}".partition(".")
        return f"{whole.replace(',', self.thousand_separator)}{self.decimal_separator}{fraction}"

    def percent(self, ratio: float | None) -> str:
        """A ratio (0.125) as a percentage with one decimal ("12.5%")."""
        if ratio is None:
            return NONE
        return self.percent_format % {"percent": self.decimal(ratio * 100)}
