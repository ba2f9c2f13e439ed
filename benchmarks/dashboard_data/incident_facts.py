"""What the incident panels count, on the bench mission's incidents (set-based, deterministic).

The incidents loader writes one shape of incident (a rape of women and girls, reported 3 days
later, pending or not yet reviewed, no perpetrator). These parts give them the variety the
dashboard breaks down: each office's area (places.py), reporting delays in every band, men, boys
and victims of unknown sex now and then, verification outcomes and dates on the incidents older
than 30 days, a second form of violation on one in eight, perpetrators (category, named party)
on every incident that has none, and the justice steps of some verified ones. Each part returns
the rows it wrote, or None when its rows were already there.
"""

from __future__ import annotations

from benchmarks.dashboard_data.bulk import bulk_transaction, insert_select, mix, table_exists
from benchmarks.dashboard_data.places import areas_build

PARTIES = {
    # (name, listed in the SG's annex): the armed actors the perpetrators name.
    "nsag": ["M23/AFC", "ADF", "CODECO", "Nyatura", "Mai-Mai Yakutumba", "Raia Mutomboki"],
    "state_armed_forces": ["FARDC"],
    "national_police": ["PNC"],
    "pro_government_militia": ["Wazalendo"],
}


def parties_ensure() -> dict[str, list[int]]:
    from incidents.models import PartyToConflict

    return {
        group: [
            PartyToConflict.objects.get_or_create(
                name=name, defaults={"listed_in_sg_annex": group == "nsag"}
            )[0].pk
            for name in names
        ]
        for group, names in PARTIES.items()
    }


def outcomes_load(*, mission_id: int, wpa_id: int) -> int | None:
    """Places, delays, tallies and verification outcomes, in one pass over the incidents."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM incidents_incident "
            "WHERE mission_id = %s AND verification_status = 'verified' LIMIT 1",
            [mission_id],
        )
        if cursor.fetchone():
            return None
    with bulk_transaction(["incidents_incident"]) as cursor:
        areas_build(cursor, mission_id=mission_id)
        # Delay draw d (0-999): 40% 0-3 days, 15% 4-5, 20% 6-14, 13% 15-30, 12% over a month.
        # Outcome draw v (0-99), for the incidents reported more than 30 days ago: 50% verified,
        # 12% could not be verified, 4% did not occur (not counted), the rest still open.
        cursor.execute(
            f"""
            UPDATE incidents_incident i SET
                location_id = p.village_id,
                incident_date_start = i.reported_on - p.delay,
                incident_date_end = i.reported_on - p.delay,
                reporting_delay_band = p.band,
                tally_men = CASE WHEN mod(p.h, 100) < 6 THEN 1 ELSE 0 END,
                tally_boys = CASE WHEN mod(p.h / 128, 100) < 4 THEN 1 ELSE 0 END,
                tally_unknown_sex = CASE WHEN mod(p.h / 16384, 100) < 3 THEN 2 ELSE 0 END,
                status = CASE WHEN p.outcome IS NULL THEN i.status ELSE 'closed' END,
                verification_status = coalesce(p.outcome, i.verification_status),
                verification_method = CASE WHEN p.outcome IS NULL THEN i.verification_method
                    ELSE (ARRAY['survivor_interview', 'witness_interview', 'medical_records',
                                'site_visit', 'multiple_sources', 'other'])[1 + mod(p.h / 8, 6)] END,
                verified_by_id = CASE WHEN p.outcome IS NULL THEN i.verified_by_id ELSE %(wpa)s END,
                verified_on = CASE WHEN p.outcome IS NULL THEN i.verified_on ELSE p.verified_on END,
                closed_at = CASE WHEN p.outcome IS NULL THEN i.closed_at
                    ELSE p.verified_on + time '15:00' AT TIME ZONE 'UTC' END,
                updated_at = CASE WHEN p.outcome IS NULL THEN i.updated_at
                    ELSE p.verified_on + time '15:00' AT TIME ZONE 'UTC' END
            FROM (
                SELECT i.id, v.village_id, d.delay, d.band, x.h,
                       CASE WHEN i.status = 'draft' OR i.reported_on >= current_date - 30 THEN NULL
                            WHEN mod(x.h / 1024, 100) < 50 THEN 'verified'
                            WHEN mod(x.h / 1024, 100) < 62 THEN 'could_not_be_verified'
                            WHEN mod(x.h / 1024, 100) < 66 THEN 'did_not_occur' END AS outcome,
                       least(i.reported_on + 1 + mod(x.h / 65536, 120)::int, current_date - 1) AS verified_on
                  FROM incidents_incident i
                  CROSS JOIN LATERAL (SELECT {mix("i.id", 11)} AS h, mod({mix("i.id", 7)}, 1000) AS d,
                                             {mix("i.id", 13)} AS place) x
                  JOIN bench_area a ON a.office_id = i.field_office_id AND a.slot = mod(x.place, 2)
                  JOIN bench_territory t ON t.territory_id = a.territory_id
                  JOIN bench_village v ON v.territory_id = a.territory_id
                                      AND v.rank = 1 + mod(x.place / 2, t.villages)
                  CROSS JOIN LATERAL (
                    SELECT CASE WHEN x.d < 400 THEN mod(x.d, 4) WHEN x.d < 550 THEN 4 + mod(x.d, 2)
                                WHEN x.d < 750 THEN 6 + mod(x.d, 9) WHEN x.d < 880 THEN 15 + mod(x.d, 16)
                                ELSE 31 + mod(x.d, 150) END::int AS delay,
                           CASE WHEN x.d < 400 THEN '0_3' WHEN x.d < 550 THEN '4_5'
                                WHEN x.d < 750 THEN '6_14' WHEN x.d < 880 THEN '15_30'
                                ELSE 'over_30' END AS band) d
                 WHERE i.mission_id = %(mission)s
            ) p
            WHERE p.id = i.id
            """,
            {"mission": mission_id, "wpa": wpa_id},
        )
        return int(cursor.rowcount)


def violations_load(*, mission_id: int) -> int | None:
    """A second form of violation on one incident in eight."""
    from django.db import connection

    from incidents.models import Violation

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM incidents_violation v JOIN incidents_incident i ON i.id = v.incident_id "
            "WHERE i.mission_id = %s AND v.form <> 'rape' LIMIT 1",
            [mission_id],
        )
        if cursor.fetchone():
            return None
    with bulk_transaction(["incidents_violation"]) as cursor:
        return insert_select(
            cursor,
            Violation,
            ["incident_id", "form"],
            f"""
            SELECT i.id, (ARRAY['sexual_slavery', 'forced_marriage', 'trafficking', 'other_sexual_violence',
                                'forced_pregnancy'])[1 + mod({mix("i.id", 19)} / 8, 5)]
            FROM incidents_incident i
            WHERE i.mission_id = %(mission)s AND mod({mix("i.id", 19)}, 8) = 0
              AND NOT EXISTS (SELECT 1 FROM incidents_violation v
                               WHERE v.incident_id = i.id AND v.form <> 'rape')
            """,
            {"mission": mission_id},
        )


def perpetrators_load(*, mission_id: int) -> int | None:
    """One perpetrator per incident that has none (30% a non-state armed group, most of them
    named; 20% the army; police, militia, other forces; unidentified armed men; civilians;
    unknown), and a second one, civilians, on one in twelve."""
    from django.db import connection

    from incidents.models import Perpetrator

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM incidents_perpetrator p JOIN incidents_incident i ON i.id = p.incident_id "
            "WHERE i.mission_id = %s LIMIT 1",
            [mission_id],
        )
        if cursor.fetchone():
            return None
    parties = parties_ensure()
    with bulk_transaction(["incidents_perpetrator"]) as cursor:
        select = f"""
            SELECT gen_random_uuid(), i.id, c.category,
                   CASE c.category
                     WHEN 'non_state_armed_group' THEN
                       CASE WHEN mod(x.h / 4096, 100) < 85
                            THEN (%(nsag)s::bigint[])[1 + mod(x.h / 64, cardinality(%(nsag)s::bigint[]))] END
                     WHEN 'state_armed_forces' THEN (%(army)s::bigint[])[1]
                     WHEN 'national_police' THEN (%(police)s::bigint[])[1]
                     WHEN 'pro_government_militia' THEN (%(militia)s::bigint[])[1] END,
                   1 + mod(x.h / 256, 5), 'male', 'adult',
                   CASE c.category WHEN 'civilians' THEN 'community_member' ELSE 'no_relation' END
            FROM incidents_incident i
            CROSS JOIN LATERAL (SELECT {mix("i.id", 23)} AS h) x
            CROSS JOIN LATERAL (
              SELECT CASE WHEN s.slot = 1 THEN 'civilians'
                          WHEN mod(x.h, 100) < 30 THEN 'non_state_armed_group'
                          WHEN mod(x.h, 100) < 50 THEN 'state_armed_forces'
                          WHEN mod(x.h, 100) < 58 THEN 'national_police'
                          WHEN mod(x.h, 100) < 63 THEN 'pro_government_militia'
                          WHEN mod(x.h, 100) < 66 THEN 'other_state_security'
                          WHEN mod(x.h, 100) < 80 THEN 'unidentified_armed_men'
                          WHEN mod(x.h, 100) < 92 THEN 'civilians'
                          ELSE 'unknown' END AS category
                FROM (VALUES (0), (1)) AS s(slot)
               WHERE s.slot = 0 OR mod(x.h / 2097152, 12) = 0) c
            WHERE i.mission_id = %(mission)s
              AND NOT EXISTS (SELECT 1 FROM incidents_perpetrator p WHERE p.incident_id = i.id)
            """
        return insert_select(
            cursor,
            Perpetrator,
            ["public_id", "incident_id", "category", "party_id", "count", "sex", "age_group", "relationship"],
            select,
            {
                "mission": mission_id,
                "nsag": parties["nsag"],
                "army": parties["state_armed_forces"],
                "police": parties["national_police"],
                "militia": parties["pro_government_militia"],
            },
        )


def accountability_load(*, mission_id: int, wpa_id: int) -> int | None:
    """Justice steps on one verified incident in sixteen: a complaint always; then, fewer and
    fewer, an investigation, an arrest, a prosecution, a verdict (convicted mostly) and a
    sentence before a military, civil or mobile court; reparations now and then."""
    from django.db import connection

    with connection.cursor() as cursor:
        if not table_exists(cursor, "incidents_accountabilitystep"):
            return None  # the justice steps are not in this checkout
        cursor.execute(
            "SELECT 1 FROM incidents_accountabilitystep s JOIN incidents_incident i ON i.id = s.incident_id "
            "WHERE i.mission_id = %s LIMIT 1",
            [mission_id],
        )
        if cursor.fetchone():
            return None
    from incidents.models.accountability import AccountabilityStep

    with bulk_transaction(["incidents_accountabilitystep"]) as cursor:
        return insert_select(
            cursor,
            AccountabilityStep,
            [
                "public_id",
                "incident_id",
                "stage",
                "court",
                "occurred_on",
                "outcome",
                "recorded_by_id",
                "recorded_at",
            ],
            f"""
            SELECT gen_random_uuid(), i.id, s.stage,
                   CASE WHEN s.stage IN ('prosecution', 'verdict', 'sentence') THEN
                        CASE WHEN mod(x.h / 128, 100) < 60 THEN 'military'
                             WHEN mod(x.h / 128, 100) < 85 THEN 'civil' ELSE 'mobile' END
                        ELSE '' END,
                   least(i.verified_on + s.n * (10 + mod(x.h / 16384, 40))::int, current_date),
                   CASE WHEN s.stage <> 'verdict' THEN ''
                        WHEN mod(x.h / 1048576, 100) < 75 THEN 'convicted'
                        WHEN mod(x.h / 1048576, 100) < 92 THEN 'acquitted' ELSE 'other' END,
                   %(wpa)s,
                   least(i.verified_on + s.n * (10 + mod(x.h / 16384, 40))::int, current_date)
                     + time '16:00' AT TIME ZONE 'UTC'
            FROM incidents_incident i
            CROSS JOIN LATERAL (SELECT {mix("i.id", 29)} AS h) x
            JOIN (VALUES (0, 'complaint_filed', 100), (1, 'investigation', 70), (2, 'arrest', 40),
                         (3, 'prosecution', 28), (4, 'verdict', 18), (5, 'sentence', 12),
                         (6, 'reparations', 3)) AS s(n, stage, share)
              ON mod(x.h / 8, 100) < s.share
            WHERE i.mission_id = %(mission)s AND i.verification_status = 'verified'
              AND mod(x.h, 16) = 0
            """,
            {"mission": mission_id, "wpa": wpa_id},
        )
