"""Survivor cases linked to the bench incidents, with their profiles and statistics consents.

Of the survivors suite's cases (mission BENCH, in id order, k = 0, 1, ...), four in ten are linked
to an incident of the incidents suite's mission (BENCHINC) older than 60 days, spread evenly over
them (one in ten of those to a second, the next one): the GBVIMS unit counts one row per link.
Their profiles vary (sex; age, and its band, with children and unknown ages), and their consent
ledgers decide whether their incidents count at all (`reports_consentflag`):

- k mod 10 in 0-2: a statistics grant (a child's by a caregiver with her assent), so they count,
  except k mod 100 = 1 (the grant expired after 30 days) and k mod 100 = 2 (withdrawn 20 days
  later): they and their incidents do not;
- k mod 10 = 3: no statistics consent: their incidents leave every count.

(The survivors live in another mission than the incidents they are linked to: the suites keep
their own missions. The dashboard's analyst is a member of both: see `analyst_ensure`.)
"""

from __future__ import annotations

from benchmarks.dashboard_data.bulk import bulk_transaction, insert_select, mix

_LINKS = ["survivor_id", "incident_id", "linked_at", "linked_by_id"]
_CONSENT = [
    "id",
    "public_id",
    "survivor_id",
    "kind",
    "purpose",
    "service_type",
    "organisation",
    "given_by",
    "child_assent",
    "method",
    "explained_in",
    "consent_text_id",
    "given_at",
    "expires_at",
    "withdraws_id",
    "recorded_by_id",
    "recorded_at",
]
# A child: her age under 18, or no age and a child's band (`Survivor.is_child`).
CHILD = "coalesce(s.age < 18, s.age_band IN ('0-11', '12-17'))"


def cases_load(*, mission_id: int, survivor_mission_id: int, consent_text_id: int) -> int | None:
    """Links, profiles and statistics consents (one transaction); returns the links written."""
    from django.db import connection

    from survivors.models import Consent, SurvivorIncident

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM survivors_survivorincident si JOIN incidents_incident i ON i.id = si.incident_id "
            "WHERE i.mission_id = %s LIMIT 1",
            [mission_id],
        )
        if cursor.fetchone():
            return None
    tables = ["survivors_survivorincident", "survivors_survivor", "survivors_consent"]
    params = {"mission": mission_id, "survivors": survivor_mission_id, "text": consent_text_id}
    with bulk_transaction(tables) as cursor:
        cursor.execute(
            """
            DROP TABLE IF EXISTS pg_temp.bench_linkable, pg_temp.bench_case;
        CREATE TEMP TABLE bench_linkable ON COMMIT DROP AS
            SELECT id, reported_on, row_number() OVER (ORDER BY id) AS r FROM incidents_incident
             WHERE mission_id = %(mission)s AND status <> 'draft' AND created_at < now() - interval '60 days';
            CREATE UNIQUE INDEX ON bench_linkable (r);
            CREATE TEMP TABLE bench_case ON COMMIT DROP AS
            WITH s AS (
                SELECT id, coalesce(assigned_wpa_id, registered_by_id) AS wpa_id,
                       row_number() OVER (ORDER BY id) - 1 AS k
                  FROM survivors_survivor WHERE mission_id = %(survivors)s AND erased_at IS NULL
            ), linked AS (
                SELECT s.*, row_number() OVER (ORDER BY k) - 1 AS j FROM s WHERE mod(k, 10) < 4
            )
            SELECT l.id AS survivor_id, l.k, l.j, l.wpa_id,
                   1 + l.j * (SELECT count(*) FROM bench_linkable) / (SELECT count(*) FROM linked) AS r
              FROM linked l;
            ANALYZE bench_linkable, bench_case;
            """,
            params,
        )
        links = insert_select(
            cursor,
            SurvivorIncident,
            _LINKS,
            """
            SELECT c.survivor_id, i.id, (i.reported_on + 1) + time '11:00' AT TIME ZONE 'UTC', c.wpa_id
              FROM bench_case c
              JOIN (VALUES (0), (1)) AS n(nth) ON n.nth = 0 OR mod(c.j, 10) = 0
              JOIN bench_linkable i ON i.r = c.r + n.nth
            """,
            params,
        )
        cursor.execute(
            f"""
            UPDATE survivors_survivor s SET
                sex = CASE WHEN mod(p.h, 100) < 86 THEN 'female' WHEN mod(p.h, 100) < 96 THEN 'male'
                           WHEN mod(p.h, 100) < 97 THEN 'other' ELSE 'unknown' END,
                age = p.age,
                age_band = CASE WHEN p.age IS NULL THEN 'unknown' WHEN p.age <= 11 THEN '0-11'
                                WHEN p.age <= 17 THEN '12-17' WHEN p.age <= 25 THEN '18-25'
                                WHEN p.age <= 40 THEN '26-40' WHEN p.age <= 60 THEN '41-60' ELSE '61+' END
            FROM (
                SELECT c.survivor_id, x.h,
                       CASE WHEN mod(x.h / 128, 100) < 7 THEN 4 + mod(x.h / 16384, 8)
                            WHEN mod(x.h / 128, 100) < 20 THEN 12 + mod(x.h / 16384, 6)
                            WHEN mod(x.h / 128, 100) < 95
                            THEN 18 + mod(x.h / 16384, 22) + mod(x.h / 4194304, 30) END AS age
                  FROM bench_case c CROSS JOIN LATERAL (SELECT {mix("c.k", 37)} AS h) x
            ) p
            WHERE p.survivor_id = s.id
            """
        )
        # The grants (ids taken now, so the withdrawals can name theirs).
        cursor.execute(
            """
            DROP TABLE IF EXISTS pg_temp.bench_grant;
            CREATE TEMP TABLE bench_grant ON COMMIT DROP AS
            SELECT nextval(pg_get_serial_sequence('survivors_consent', 'id')) AS id,
                   c.survivor_id, c.k, c.wpa_id,
                   (i.reported_on + 2) + time '10:00' AT TIME ZONE 'UTC' AS given_at
              FROM bench_case c JOIN bench_linkable i ON i.r = c.r
             WHERE mod(c.k, 10) < 3
               AND NOT EXISTS (SELECT 1 FROM survivors_consent x
                                WHERE x.survivor_id = c.survivor_id AND x.purpose = 'statistics')
            """
        )
        insert_select(
            cursor,
            Consent,
            _CONSENT,
            f"""
            SELECT g.id, gen_random_uuid(), g.survivor_id, 'grant', 'statistics', '', '',
                   CASE WHEN {CHILD} THEN 'caregiver' ELSE 'survivor' END, {CHILD},
                   'oral_witnessed', 'sw', %(text)s, g.given_at,
                   CASE WHEN mod(g.k, 100) = 1 THEN g.given_at + interval '30 days' END,
                   NULL::bigint, g.wpa_id, g.given_at
              FROM bench_grant g JOIN survivors_survivor s ON s.id = g.survivor_id
            """,
            params,
        )
        insert_select(
            cursor,
            Consent,
            _CONSENT,
            """
            SELECT nextval(pg_get_serial_sequence('survivors_consent', 'id')), gen_random_uuid(),
                   g.survivor_id, 'withdrawal', 'statistics', '', '', '', false, '', '', NULL::bigint,
                   g.given_at + interval '20 days', NULL::timestamptz, g.id, g.wpa_id,
                   g.given_at + interval '20 days'
              FROM bench_grant g WHERE mod(g.k, 100) = 2
            """,
            params,
        )
        return links
