"""The intake's location field: never a select of a country's villages.

Two inputs: `location_query`, a search box (part of a name, or the start of a p-code), and
`location`, the chosen place's p-code, posted by a radio button. Without JavaScript the "Find"
button redisplays the page (everything typed kept, nothing saved) with the matches as radio
buttons, at most `MATCHES_MAX`; with it, static/js/location_search.js offers the same matches as
the user types (POST /incidents/locations/search/) and checks the radio of the one picked.

On saving, a chosen p-code must be one the user may choose (else the error is beside the field,
and what was typed stays); with none chosen, a search box holding exactly a p-code (or a label
ending with one, "(CD6205)") chooses it, and any other text is not silently dropped: the page
asks to pick among its matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import User
from incidents.models import Location
from incidents.selectors.location_search import (
    TEXT_MIN,
    LocationMatch,
    location_by_pcode,
    location_label,
    location_search,
)

FIND = "find_location"  # the intent of the "Find" button
_LABELLED_PCODE = re.compile(r"\(([A-Za-z0-9_-]{2,20})\)\s*$")


@dataclass(frozen=True)
class LocationFinder:
    """The locations `user` may choose, for the location field (the selectors' scope)."""

    user: User

    def get(self, pcode: str) -> Location | None:
        return location_by_pcode(user=self.user, pcode=pcode)

    def search(self, text: str) -> list[LocationMatch]:
        return location_search(user=self.user, text=text)


@dataclass(frozen=True)
class LocationOption:
    pcode: str
    label: str
    checked: bool


@dataclass
class LocationPicker:
    """What the field shows on one rendering: the place chosen, the matches of a search, a note."""

    finder: LocationFinder
    matches: list[LocationMatch] = field(default_factory=list)
    note: str = ""

    def find(self, text: str) -> None:
        """The matches of `text` (the "Find" button), or a note saying why there are none."""
        text = text.strip()
        if not text:  # Enter pressed in another field: the page again, nothing to say
            return
        if len(text) < TEXT_MIN:
            self.note = str(_("Type at least 2 letters of the name, or the start of the p-code."))
            return
        self.matches = self.finder.search(text)
        if not self.matches:
            self.note = str(_("No location matches this search. Try fewer letters, or the p-code."))

    def clean(self, *, code: str, query: str) -> Location | None:
        """The location to save: the chosen p-code's, else the search box's p-code; None for no
        location; ValidationError (and the matches to choose from) otherwise."""
        code, query = code.strip(), query.strip()
        if code:
            location = self.finder.get(code)
            if location is None:
                raise ValidationError(
                    _("No location you may choose has the p-code %(pcode)s."), params={"pcode": code[:20]}
                )
            return location
        if not query:
            return None
        labelled = _LABELLED_PCODE.search(query)
        location = self.finder.get(labelled[1] if labelled else query)
        if location is not None:
            return location
        self.find(query)
        raise ValidationError(_("Choose the location in the list (press Find), or empty the search box."))

    def options(self, chosen: Any) -> list[LocationOption]:
        """The radio buttons: the chosen place first (checked), then the matches."""
        options: list[LocationOption] = []
        if isinstance(chosen, str) and chosen.strip():
            chosen = self.finder.get(chosen)
        elif isinstance(chosen, Location):
            chosen = self.finder.get(chosen.pcode) or chosen  # with its ancestors, for the label
        if isinstance(chosen, Location):
            options.append(LocationOption(chosen.pcode, location_label(chosen), checked=True))
        seen = {option.pcode for option in options}
        options += [LocationOption(m.pcode, m.label, False) for m in self.matches if m.pcode not in seen]
        return options
