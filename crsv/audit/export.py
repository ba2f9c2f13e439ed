"""The auditor's CSV export of the trail: the page's filters, every matching row, streamed.

The export is itself an audit event (`audit.exported`, the filters in `changes`), written
before the first row leaves. Rows are read in keyset batches as the response streams
(`selectors.audit_trail_rows`), so a million-row export holds one batch in memory and no
transaction open. A cell that a spreadsheet would read as a formula (it starts with = + - @,
a tab or a carriage return) is prefixed with an apostrophe: a user name or an object type
written by someone else must not run in the auditor's spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from crsv.audit.models import AuditEvent
from crsv.audit.selectors import TrailFilter, action_labels, audit_trail_rows, trail_authorize
from crsv.audit.services import audit_record
from crsv.spreadsheets import csv_cell

if TYPE_CHECKING:
    from django.http import HttpRequest

    # The user type as the selectors name it: the audit package's one typing import of
    # accounts stays the selectors' (pyproject.toml, import-linter's ignore list).
    from crsv.audit.selectors import User

# Rows per chunk handed to the server: one chunk per batch read, not one per row.
CHUNK_ROWS = 500


def _header() -> list[str]:
    return [
        _("Time (UTC)"),
        _("Event id"),
        _("Actor"),
        _("Action"),
        _("Action (description)"),
        _("Object type"),
        _("Object id"),
        _("IP address"),
        _("Changes"),
    ]


def _cells(row: tuple[Any, ...], labels: dict[str, str]) -> list[str]:
    occurred_at, event_id, actor, action, object_type, object_public_id, ip_address, changes = row
    moment: datetime = occurred_at
    return [
        csv_cell(moment.astimezone(UTC).isoformat(timespec="seconds")),
        str(event_id),
        csv_cell(actor),
        csv_cell(action),
        csv_cell(labels.get(action, "")),
        csv_cell(object_type),
        csv_cell(object_public_id),
        csv_cell(ip_address),
        csv_cell(json.dumps(changes, sort_keys=True, ensure_ascii=False) if changes else ""),
    ]


def _chunks(header: list[str], labels: dict[str, str], rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    # A byte-order mark, so that a spreadsheet opens the UTF-8 file as UTF-8 (French names).
    buffer.write("\ufeff")
    writer.writerow([csv_cell(name) for name in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow(_cells(row, labels))
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def audit_trail_export(
    *, actor: User, filters: TrailFilter, request: HttpRequest | None = None
) -> Iterator[str]:
    """The trail narrowed by `filters` as CSV text chunks, newest first, for an auditor
    (PermissionDenied for anyone else). Records the export (`audit.exported`, with the
    filters) at once; the rows are read as the chunks are consumed, and are those that
    existed when this was called (the export's own event is not among them)."""
    trail_authorize(actor)
    rows = audit_trail_rows(user=actor, filters=filters)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.AUDIT_EXPORTED,
            request=request,
            changes={"filters": filters.as_changes()},
        )
    # Translated now, in the request's language: the chunks are produced after the view returns.
    labels = action_labels()
    return _chunks(_header(), labels, rows)
