"""The access review as CSV, for the mission's periodic review: streamed in chunks of users (the
memory does not grow with them), every cell a spreadsheet could read as a formula escaped, and
the export itself audited (`ACCESS_REVIEW_EXPORTED`, with the filter by names)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from crsv.access.review import (
    ReviewFilter,
    ReviewRow,
    access_review_authorize,
    access_review_rows,
    review_columns,
)
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record
from crsv.spreadsheets import csv_cell

CHUNK = 500


def review_cell(value: object) -> str:
    """`value` as a CSV cell a spreadsheet will not run: None is empty, a datetime ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return value.isoformat()
    return csv_cell(value)


class _Line:
    """csv.writer's file: hands back each line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def _header() -> list[str]:
    return [
        _("Username"),
        _("Name"),
        _("Active"),
        _("Superuser"),
        _("Roles"),
        _("Field offices"),
        *[str(column.label) for column in review_columns()],
        _("Second factor enrolled"),
        _("Last activity (UTC)"),
        _("Last sign-in (UTC)"),
        _("Account created (UTC)"),
    ]


def _offices(row: ReviewRow) -> str:
    return "; ".join(
        _("%(office)s (until %(date)s)") % {"office": office.label, "date": office.ends_on.isoformat()}
        if office.ends_on is not None
        else office.label
        for office in row.offices
    )


def _cells(row: ReviewRow) -> list[object]:
    return [
        row.username,
        row.full_name,
        row.is_active,
        row.is_superuser,
        "; ".join(row.roles),
        _offices(row),
        *row.extra,
        row.two_factor,
        row.last_active_at,
        row.last_login,
        row.date_joined,
    ]


def access_review_csv_lines(*, user: Any, filters: ReviewFilter, chunk: int = CHUNK) -> Iterator[str]:
    """The CSV's lines (a byte-order mark first, so that Excel reads UTF-8), `chunk` users per
    read. Datetimes in UTC, ISO 8601."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([review_cell(value) for value in _header()])
    after = ""
    while True:
        rows = access_review_rows(user=user, filters=filters, after=after, limit=chunk)
        for row in rows:
            yield writer.writerow([review_cell(value) for value in _cells(row)])
        if len(rows) < chunk:
            return
        after = rows[-1].username


@transaction.atomic
def access_review_export(
    *, actor: Any, filters: ReviewFilter, request: HttpRequest | None = None
) -> Iterator[str]:
    """Authorize `actor`, audit the export (the filter by names), and return the CSV's lines,
    read as the response is streamed."""
    access_review_authorize(actor)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.ACCESS_REVIEW_EXPORTED,
        request=request,
        changes={"filters": filters.described()},
    )
    return access_review_csv_lines(user=actor, filters=filters)
