"""How much and how far back a person may type into an incident: one set of limits, every door.

The services enforce these (services/validation.py, services/review.py) whoever calls them.
The API's input serializers and the pages' forms and formsets read the same constants, only
so as to refuse early (a list too long before parsing it row by row, a formset that never
builds more rows than the service accepts: issue 8 item 9) and to say so beside the field.
"""

from __future__ import annotations

from datetime import date

from incidents.models import Violation

# The narrative: a long account fits (some 8,000 words); a pasted document does not.
NARRATIVE_MAX_LENGTH = 50_000
# Each form of violation at most once, so at most one row per form.
VIOLATIONS_MAX = len(Violation.Form.values)
# Rows of perpetrators (each row may count many: `count`).
PERPETRATORS_MAX = 50
# The column is a PostgreSQL smallint.
PERPETRATOR_COUNT_MAX = 32_767
PERPETRATOR_TEXT_MAX_LENGTH = 200  # unit, commander (encrypted: no column length to read)
PERPETRATOR_NAMES_MAX_LENGTH = 5_000
# Survivors of one incident, per sex and age (a mass rape is counted in hundreds, not millions).
TALLY_MAX = 100_000
# A reviewer's reason to return or reopen.
REASON_MAX_LENGTH = 5_000
# No date of report, of the incident or of verification before this: MONUC, the mission's
# predecessor, was set up in 1999, and CRSV monitoring (MARA) much later. A date before it is
# a typing error (0001-01-01), not a late report.
EARLIEST_DATE = date(1990, 1, 1)
