"""Referrals of the linked cases, with their events: what the referral and medical-care panels
count.

Every linked case (cases.py) has one referral about her first linked incident, half of them
medical; one in three a second, psychosocial (legal aid when the first was). Each rests on a
referral consent given an hour before; the provider is the bench directory's one of that type.

- medical: sent 4 to 120 hours after the incident (so about half are accepted within the 72 hours
  that count as timely care), accepted 15 minutes to 10 hours after sending;
- the others: sent 1 to 14 days after the report, accepted within 3 days;
- one in twenty is still waiting, one in twenty was declined, the others accepted; of those most
  started and completed 1 to 30 days after acceptance.

The incidents linked are older than 60 days, so every time is in the past. The referrals of the
cases without a statistics consent are written too: they must not count.
"""

from __future__ import annotations

from benchmarks.dashboard_data.bulk import bulk_transaction, insert_select, mix
from benchmarks.dashboard_data.cases import _CONSENT, CHILD

SERVICE_TYPES = ["medical", "psychosocial", "legal_aid", "safety", "livelihood", "education"]
PROVIDER_PREFIX = "Bench dashboard provider: "
REFERENCE_PREFIX = "BENCH-R-"


def providers_ensure(office_ids: list[int]) -> dict[str, tuple[int, int]]:
    """{service type: (provider id, a user of it)}: one provider per type, serving `office_ids`."""
    from django.contrib.auth.models import Group

    from crsv.accounts.models import User
    from referrals.models import ProviderMembership, ServiceProvider

    group = Group.objects.get(name="provider")
    found = {}
    for service_type in SERVICE_TYPES:
        provider, _ = ServiceProvider.objects.get_or_create(
            name=f"{PROVIDER_PREFIX}{service_type}",
            defaults={"service_types": [service_type], "languages": ["fr", "sw"], "pep_available": True},
        )
        provider.field_offices.add(*office_ids)
        user, _ = User.objects.get_or_create(username=f"bench_dash_provider_{service_type}")
        user.groups.add(group)
        ProviderMembership.objects.get_or_create(user=user, defaults={"provider": provider})
        found[service_type] = (provider.pk, user.pk)
    return found


def referrals_load(*, mission_id: int, providers: dict[str, tuple[int, int]]) -> int | None:
    from django.db import connection

    from referrals.models import Referral, ReferralEvent
    from survivors.models import Consent

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM referrals_referral WHERE reference LIKE %s LIMIT 1", [f"{REFERENCE_PREFIX}%"]
        )
        if cursor.fetchone():
            return None
    params = {
        "mission": mission_id,
        "types": SERVICE_TYPES,
        "providers": [providers[t][0] for t in SERVICE_TYPES],
        "provider_users": [providers[t][1] for t in SERVICE_TYPES],
        "prefix": REFERENCE_PREFIX,
    }
    tables = ["referrals_referral", "referrals_referralevent", "survivors_consent"]
    with bulk_transaction(tables) as cursor:
        cursor.execute(
            f"""
            DROP TABLE IF EXISTS pg_temp.bench_referral;
            CREATE TEMP TABLE bench_referral ON COMMIT DROP AS
            WITH first_link AS (
                SELECT DISTINCT ON (si.survivor_id) si.survivor_id, si.incident_id, si.linked_by_id AS wpa_id,
                       i.incident_date_start, i.reported_on
                  FROM survivors_survivorincident si JOIN incidents_incident i ON i.id = si.incident_id
                 WHERE i.mission_id = %(mission)s
                 ORDER BY si.survivor_id, si.incident_id
            ), planned AS (
                SELECT f.*, n.nth, x.h,
                       CASE WHEN n.nth = 2 AND mod(x.h0 / 2, 5) = 0 THEN 'legal_aid'
                            WHEN n.nth = 2 THEN 'psychosocial'
                            WHEN mod(x.h0, 2) = 0 THEN 'medical'
                            ELSE (%(types)s::text[])[2 + mod(x.h0 / 2, 5)] END AS service_type
                  FROM first_link f
                  CROSS JOIN LATERAL (SELECT {mix("f.survivor_id", 41)} AS h0) x0
                  JOIN (VALUES (1), (2)) AS n(nth) ON n.nth = 1 OR mod(x0.h0 / 64, 3) = 0
                  CROSS JOIN LATERAL (SELECT x0.h0, {mix("f.survivor_id * 2 + n.nth", 43)} AS h) x
            ), timed AS (
                SELECT p.*,
                       CASE WHEN p.service_type = 'medical'
                            THEN p.incident_date_start + time '00:00' AT TIME ZONE 'UTC'
                                 + (4 + mod(p.h, 117)) * interval '1 hour'
                            ELSE p.reported_on + time '09:00' AT TIME ZONE 'UTC'
                                 + (1 + mod(p.h, 14)) * interval '1 day' END AS sent_at,
                       CASE WHEN p.service_type = 'medical' THEN 15 + mod(p.h / 256, 586)
                            ELSE 30 + mod(p.h / 256, 4290) END * interval '1 minute' AS answer_after,
                       (1 + mod(p.h / 1048576, 30)) * interval '1 day' AS service_days,
                       mod(p.h / 65536, 20) AS fate
                  FROM planned p
            )
            SELECT nextval(pg_get_serial_sequence('referrals_referral', 'id')) AS id,
                   nextval(pg_get_serial_sequence('survivors_consent', 'id')) AS consent_id,
                   t.survivor_id, t.incident_id, t.wpa_id, t.service_type,
                   (%(providers)s::bigint[])[array_position(%(types)s::text[], t.service_type)]
                     AS provider_id,
                   (%(provider_users)s::bigint[])[array_position(%(types)s::text[], t.service_type)]
                     AS answerer_id,
                   t.sent_at - interval '2 hours' AS created_at, t.sent_at,
                   t.sent_at + t.answer_after AS answered_at,
                   t.sent_at + t.answer_after + t.service_days AS completed_at,
                   CASE WHEN t.fate = 0 THEN 'sent' WHEN t.fate = 1 THEN 'declined'
                        WHEN t.fate < 4 THEN 'accepted' WHEN t.fate < 7 THEN 'in_progress'
                        ELSE 'completed' END AS state,
                   CASE WHEN t.service_type = 'medical' THEN 'emergency'
                        WHEN mod(t.h / 32, 3) = 0 THEN 'high' ELSE 'routine' END AS urgency
              FROM timed t;
            """,
            params,
        )
        insert_select(
            cursor,
            Consent,
            _CONSENT,
            f"""
            SELECT r.consent_id, gen_random_uuid(), r.survivor_id, 'grant', 'referral', r.service_type, '',
                   CASE WHEN {CHILD} THEN 'caregiver' ELSE 'survivor' END, {CHILD},
                   'oral', 'sw', (SELECT min(id) FROM survivors_consenttext),
                   r.created_at - interval '1 hour',
                   NULL::timestamptz, NULL::bigint, r.wpa_id, r.created_at - interval '1 hour'
              FROM bench_referral r JOIN survivors_survivor s ON s.id = r.survivor_id
            """,
            params,
        )
        count = insert_select(
            cursor,
            Referral,
            [
                "id",
                "public_id",
                "reference",
                "survivor_id",
                "provider_id",
                "service_type",
                "urgency",
                "state",
                "due_at",
                "incident_id",
                "consent_id",
                "created_by_id",
                "created_at",
                "updated_at",
                "sent_at",
            ],
            """
            SELECT r.id, gen_random_uuid(), %(prefix)s || lpad(r.id::text, 8, '0'),
                   r.survivor_id, r.provider_id,
                   r.service_type, r.urgency, r.state,
                   r.created_at
                     + CASE r.urgency WHEN 'emergency' THEN interval '1 day' ELSE interval '7 days' END,
                   r.incident_id, r.consent_id, r.wpa_id, r.created_at,
                   CASE r.state WHEN 'sent' THEN r.sent_at WHEN 'completed' THEN r.completed_at
                        WHEN 'in_progress' THEN r.answered_at + interval '1 hour' ELSE r.answered_at END,
                   r.sent_at
              FROM bench_referral r
            """,
            params,
        )
        insert_select(
            cursor,
            ReferralEvent,
            ["public_id", "referral_id", "occurred_at", "actor_id", "action", "from_state", "to_state"],
            """
            SELECT gen_random_uuid(), r.id, e.occurred_at, e.actor_id, e.action, e.from_state, e.to_state
              FROM bench_referral r
              CROSS JOIN LATERAL (VALUES
                  (1, r.created_at, r.wpa_id, 'create', '', 'draft'),
                  (2, r.sent_at, r.wpa_id, 'send', 'draft', 'sent'),
                  (3, r.answered_at, r.answerer_id, 'decline', 'sent', 'declined'),
                  (4, r.answered_at, r.answerer_id, 'accept', 'sent', 'accepted'),
                  (5, r.answered_at + interval '1 hour', r.answerer_id, 'start', 'accepted', 'in_progress'),
                  (6, r.completed_at, r.answerer_id, 'complete', 'in_progress', 'completed'))
                  AS e(step, occurred_at, actor_id, action, from_state, to_state)
             WHERE e.step <= 2
                OR (e.step = 3 AND r.state = 'declined')
                OR (e.step = 4 AND r.state IN ('accepted', 'in_progress', 'completed'))
                OR (e.step = 5 AND r.state IN ('in_progress', 'completed'))
                OR (e.step = 6 AND r.state = 'completed')
            """,
            params,
        )
        return count
