"""Early-warning alerts of the bench mission's offices: what the alert panels count.

One alert for every 50 incidents (20,000 for a million), evenly over the incidents' 17 months,
dealt to the offices in turn, each in a groupement (admin level 3: an alert names no village) of
its office's area (places.py), entered by the office's bench reporter. Acknowledged 2 minutes
to 4 hours after reception (those past 30 minutes were escalated), a response dispatched 10
minutes to 12 hours later, closed after a few days; the newest are still open, the last twenty
still new. No history rows (AlertEvent): the statistics read the alert's own times.
"""

from __future__ import annotations

from benchmarks.dashboard_data.bulk import bulk_transaction, insert_select, mix
from benchmarks.dashboard_data.places import areas_build

REFERENCE_PREFIX = "BENCH-A-"
INDICATORS = [
    "armed_presence",
    "fighting",
    "attack_on_locality",
    "abductions",
    "threats",
    "recent_sexual_violence",
    "displacement",
    "restricted_movement",
    "checkpoints",
    "arrests",
    "forced_recruitment",
]


def alerts_load(*, mission_id: int, count: int, reporter_ids: list[int]) -> int | None:
    from django.db import connection

    from incidents.models import Alert

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM incidents_alert WHERE reference LIKE %s LIMIT 1", [f"{REFERENCE_PREFIX}%"]
        )
        if cursor.fetchone():
            return None
        cursor.execute(
            "SELECT min(created_at), max(created_at) FROM incidents_incident WHERE mission_id = %s",
            [mission_id],
        )
        first, last = cursor.fetchone()
    with bulk_transaction(["incidents_alert"]) as cursor:
        areas_build(cursor, mission_id=mission_id)
        return insert_select(
            cursor,
            Alert,
            [
                "public_id",
                "reference",
                "field_office_id",
                "reported_by_id",
                "source",
                "location_id",
                "indicators",
                "urgency",
                "state",
                "received_at",
                "acknowledged_at",
                "dispatched_at",
                "closed_at",
                "escalated_at",
            ],
            f"""
            SELECT gen_random_uuid(), %(prefix)s || lpad(t.a::text, 8, '0'), o.office_id,
                   (%(reporters)s::bigint[])[1 + o.n], t.source, g.groupement_id, t.indicators, t.urgency,
                   t.state, t.received_at,
                   CASE WHEN t.state <> 'new' THEN t.received_at + t.ack END,
                   CASE WHEN t.state IN ('response_dispatched', 'closed')
                        THEN t.received_at + t.ack + t.dispatch END,
                   CASE WHEN t.state = 'closed'
                        THEN t.received_at + t.ack + t.dispatch + interval '3 days' END,
                   CASE WHEN t.ack > interval '30 minutes' THEN t.received_at + interval '30 minutes' END
              FROM (
                SELECT a, h, received_at,
                       (ARRAY['community_alert_network', 'cla', 'other'])[1 + mod(h, 3)] AS source,
                       (ARRAY['low', 'medium', 'high', 'critical'])[1 + mod(h / 4, 4)] AS urgency,
                       ARRAY[(%(indicators)s::text[])[1 + mod(h / 16, 11)]]
                         || CASE WHEN mod(h / 256, 2) = 0 THEN ARRAY[]::text[]
                                 ELSE ARRAY[(%(indicators)s::text[])
                                            [1 + mod(h / 16 + 1 + mod(h / 512, 10), 11)]] END
                         AS indicators,
                       (2 + mod(h / 4096, 239)) * interval '1 minute' AS ack,
                       (10 + mod(h / 1048576, 711)) * interval '1 minute' AS dispatch,
                       CASE WHEN a > %(count)s - 20 THEN 'new'
                            WHEN received_at > now() - interval '4 days' THEN 'acknowledged'
                            WHEN received_at > now() - interval '10 days' THEN 'response_dispatched'
                            ELSE 'closed' END AS state
                  FROM generate_series(1, %(count)s) AS a
                  CROSS JOIN LATERAL (SELECT {mix("a", 47)} AS h) x
                  CROSS JOIN LATERAL (
                    SELECT %(first)s::timestamptz
                           + (a - 1) * ((%(last)s::timestamptz - %(first)s) / %(count)s) AS received_at) r
              ) t
              JOIN bench_office o ON o.n = mod(t.a, (SELECT count(*) FROM bench_office))
              JOIN bench_area ar ON ar.office_id = o.office_id AND ar.slot = mod(t.a / 30, 2)
              JOIN bench_territory te ON te.territory_id = ar.territory_id
              JOIN bench_groupement g ON g.territory_id = ar.territory_id
                                     AND g.rank = 1 + mod(t.a / 60, te.groupements)
            """,
            {
                "prefix": REFERENCE_PREFIX,
                "reporters": reporter_ids,
                "indicators": INDICATORS,
                "count": count,
                "first": first,
                "last": last,
            },
        )
