"""The de-identified exports (issue 13 item 5): the GBVIMS Incident Recorder columns, the MARA
tables, the incident feed for SAGE and the CPAS indicators, each through the statistics layer
and disclosure control, each audited. One module per export kind and per file format; the pages
(`reports.views.exports`) and the API (`reports.api.exports`) call `statistics_export`."""

from __future__ import annotations

from reports.exports.catalogue import (
    API_FORMATS,
    ExportFormat,
    ExportKind,
    ExportRequest,
    export_request_parse,
)
from reports.exports.services import AUDIT_ACTION, ExportFile, exports_authorize, statistics_export

__all__ = [
    "API_FORMATS",
    "AUDIT_ACTION",
    "ExportFile",
    "ExportFormat",
    "ExportKind",
    "ExportRequest",
    "export_request_parse",
    "exports_authorize",
    "statistics_export",
]
