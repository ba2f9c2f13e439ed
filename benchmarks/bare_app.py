"""The limit for issue 3's benchmark: a bare WSGI app that answers the incident list's first page
(50 rows of the bench WPA's 3 offices, newest first, same visibility rule as
`Incident.objects.visible_to`) straight from SQL, encoded with orjson. No Django, no auth, no
template: what the hardware and PostgreSQL allow. Served by the same gunicorn as the app.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

import orjson
import psycopg2

_local = threading.local()

# The same scope as incident_scope() for a WPA: her own incidents in her offices (SEA only while
# in her hands), and the non-draft, non-SEA incidents of her offices; the same columns and joins
# as the list API's rows.
SQL = """
SELECT i.public_id::text, i.reference, i.status, i.verification_status, o.code,
       i.reported_on, i.incident_date_start, i.incident_date_end, i.reporting_delay_band,
       l.name, i.tally_women, i.tally_girls, i.tally_men, i.tally_boys, i.tally_unknown_sex,
       i.gbvims_core_type, i.is_sea, i.created_at,
       (SELECT array_agg(v.form ORDER BY v.id) FROM incidents_violation v WHERE v.incident_id = i.id)
FROM incidents_incident i
JOIN accounts_fieldoffice o ON o.id = i.field_office_id
LEFT JOIN incidents_location l ON l.id = i.location_id
WHERE (i.field_office_id = ANY(%(offices)s) AND i.reported_by_id = %(user)s
       AND (NOT i.is_sea OR i.status IN ('draft', 'returned')))
   OR (i.field_office_id = ANY(%(offices)s) AND NOT i.is_sea AND i.status <> 'draft')
ORDER BY i.created_at DESC, i.id DESC
LIMIT 50
"""
KEYS = (
    "public_id",
    "reference",
    "status",
    "verification_status",
    "field_office",
    "reported_on",
    "incident_date_start",
    "incident_date_end",
    "reporting_delay_band",
    "location",
    "tally_women",
    "tally_girls",
    "tally_men",
    "tally_boys",
    "tally_unknown_sex",
    "gbvims_core_type",
    "is_sea",
    "created_at",
    "violations",
)
PARAMS = {
    "offices": [int(x) for x in os.environ.get("BENCH_OFFICE_IDS", "0").split(",")],
    "user": int(os.environ.get("BENCH_USER_ID", "0")),
}


def _connection() -> Any:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg2.connect(os.environ["DATABASE_URL"])
        conn.autocommit = True
        _local.conn = conn
    return conn


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    with _connection().cursor() as cursor:
        cursor.execute(SQL, PARAMS)
        rows = [dict(zip(KEYS, row, strict=True)) for row in cursor.fetchall()]
    body = orjson.dumps({"results": rows, "next": None})
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
