"""The one use case of the de-identified exports: make one, for one user, and audit it.

Authorize (the `RUN_EXPORTS` capability: analysts and senior WPAs; her scope is her missions,
`statistics_scope`), validate (`export_request_parse`: a known kind and format, a fixed period),
build the export's tables through the statistics layer, audit (`statistics.exported`: the kind,
the period, the format and the number of rows, never a value), and hand back the file's chunks,
produced as they are read (the row-level exports read their rows in batches then).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from crsv.accounts.roles import Capability
from crsv.audit.services import audit_record
from reports.disclosure import Period
from reports.exports.catalogue import (
    CONTENT_TYPES,
    ExportFormat,
    ExportKind,
    ExportRequest,
    export_request_parse,
)
from reports.exports.cpas import cpas_export
from reports.exports.csv_format import csv_chunks
from reports.exports.gbvims import gbvims_export
from reports.exports.json_format import json_chunks
from reports.exports.mara import mara_export
from reports.exports.sage import sage_export
from reports.exports.tables import ExportData
from reports.exports.xlsx_format import xlsx_chunks
from reports.statistics import StatisticsScope, statistics_scope

if TYPE_CHECKING:
    from django.http import HttpRequest

AUDIT_ACTION = "statistics.exported"

Builder = Callable[..., ExportData]
BUILDERS: dict[str, Builder] = {
    ExportKind.GBVIMS: gbvims_export,
    ExportKind.MARA: mara_export,
    ExportKind.SAGE: sage_export,
    ExportKind.CPAS: cpas_export,
}
WRITERS: dict[str, Callable[[ExportData], Iterator[str] | Iterator[bytes]]] = {
    ExportFormat.CSV: csv_chunks,
    ExportFormat.XLSX: xlsx_chunks,
    ExportFormat.JSON: json_chunks,
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    chunks: Iterator[str] | Iterator[bytes]
    row_count: int


def exports_authorize(user: Any) -> StatisticsScope:
    """Her statistics scope if she may run exports; PermissionDenied otherwise."""
    if not getattr(user, "is_authenticated", False) or not user.can(Capability.RUN_EXPORTS):
        raise PermissionDenied
    return statistics_scope(user)


def export_data(*, actor: Any, scope: StatisticsScope, kind: str, period: Period) -> ExportData:
    """The tables of one export (nothing written, nothing audited: see `statistics_export`)."""
    return BUILDERS[kind](user=actor, scope=scope, period=period)


def statistics_export(
    *,
    actor: Any,
    kind: str,
    period: str,
    file_format: str,
    formats: tuple[str, ...] = tuple(ExportFormat),
    request: HttpRequest | None = None,
) -> ExportFile:
    """One de-identified export for `actor`: PermissionDenied (her role), ValidationError (a
    field: kind, period, format), else the file, audited before its first byte is produced."""
    scope = exports_authorize(actor)
    choice: ExportRequest = export_request_parse(
        kind=kind, period=period, file_format=file_format, formats=formats
    )
    data = export_data(actor=actor, scope=scope, kind=choice.kind, period=choice.period)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AUDIT_ACTION,
            request=request,
            changes={
                "kind": choice.kind.value,
                "period": str(choice.period),
                "format": choice.file_format.value,
                "rows": data.row_count,
            },
        )
    return ExportFile(
        filename=choice.filename,
        content_type=CONTENT_TYPES[choice.file_format],
        chunks=WRITERS[choice.file_format](data),
        row_count=data.row_count,
    )
