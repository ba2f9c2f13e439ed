"""What counts (the `reports_fact` view) and the triggers that keep `reports_rollup` in the
transaction of every change (see reports/models.py).

Why SQL and not the ORM: the rollup must move in the same transaction as *any* write that moves
a count (a page, the API, the admin site, a data fix, a bulk update), so the database keeps it;
and the same view serves the per-subject update and the full recompute, so the two cannot
disagree. The consent rule is not restated here: the view reads each survivor's flag
(`reports_consentflag`), written by Python from `survivors.consent.consent_allows`.
"""

from django.db import migrations

# A countable incident: not a draft, not SEA (conduct and discipline track), not found not to
# have occurred (`IncidentQuerySet.crsv_statistics`), and every linked survivor consents to
# non-identifiable reporting. Its place up to admin level 1 (levels 1-4: four joins at most).
COUNTABLE_INCIDENT = """
CREATE VIEW reports_countable_incident AS
SELECT i.id AS incident_id, i.mission_id, i.field_office_id,
       date_trunc('month', coalesce(i.incident_date_start, i.reported_on))::date AS month,
       CASE 1 WHEN l.admin_level THEN l.id WHEN p1.admin_level THEN p1.id
              WHEN p2.admin_level THEN p2.id WHEN p3.admin_level THEN p3.id END AS admin1_id,
       CASE 2 WHEN l.admin_level THEN l.id WHEN p1.admin_level THEN p1.id
              WHEN p2.admin_level THEN p2.id END AS admin2_id,
       i.incident_date_start, i.reported_on, i.reporting_delay_band, i.verification_status,
       i.verified_on, i.tally_women, i.tally_girls, i.tally_men, i.tally_boys, i.tally_unknown_sex
FROM incidents_incident i
LEFT JOIN incidents_location l ON l.id = i.location_id
LEFT JOIN incidents_location p1 ON p1.id = l.parent_id
LEFT JOIN incidents_location p2 ON p2.id = p1.parent_id
LEFT JOIN incidents_location p3 ON p3.id = p2.parent_id
WHERE i.status <> 'draft' AND NOT i.is_sea AND i.verification_status <> 'did_not_occur'
  AND NOT EXISTS (
      SELECT 1 FROM survivors_survivorincident si
      LEFT JOIN reports_consentflag f ON f.survivor_id = si.survivor_id
      WHERE si.incident_id = i.id AND f.counts IS NOT TRUE)
"""

# An incident's place at admin levels 1 and 2, whether it counts or not: a referral's (below).
INCIDENT_PLACE = """
CREATE VIEW reports_incident_place AS
SELECT i.id AS incident_id,
       CASE 1 WHEN l.admin_level THEN l.id WHEN p1.admin_level THEN p1.id
              WHEN p2.admin_level THEN p2.id WHEN p3.admin_level THEN p3.id END AS admin1_id,
       CASE 2 WHEN l.admin_level THEN l.id WHEN p1.admin_level THEN p1.id
              WHEN p2.admin_level THEN p2.id END AS admin2_id
FROM incidents_incident i
JOIN incidents_location l ON l.id = i.location_id
LEFT JOIN incidents_location p1 ON p1.id = l.parent_id
LEFT JOIN incidents_location p2 ON p2.id = p1.parent_id
LEFT JOIN incidents_location p3 ON p3.id = p2.parent_id
"""

# The survivors that count (their flag) and the first acceptance and completion of each sent
# referral (its events); placed where its incident (if any) took place.
COUNTED_REFERRAL = """
CREATE VIEW reports_counted_referral AS
SELECT r.id AS referral_id, s.mission_id, s.field_office_id,
       date_trunc('month', r.sent_at AT TIME ZONE 'UTC')::date AS month,
       c.admin1_id, c.admin2_id, r.service_type, r.survivor_id, r.sent_at,
       (SELECT min(e.occurred_at) FROM referrals_referralevent e
         WHERE e.referral_id = r.id AND e.to_state = 'accepted') AS accepted_at,
       (SELECT min(e.occurred_at) FROM referrals_referralevent e
         WHERE e.referral_id = r.id AND e.to_state = 'completed') AS completed_at
FROM referrals_referral r
JOIN survivors_survivor s ON s.id = r.survivor_id
JOIN reports_consentflag f ON f.survivor_id = r.survivor_id AND f.counts
LEFT JOIN reports_incident_place c ON c.incident_id = r.incident_id
WHERE r.sent_at IS NOT NULL
"""

# One view per kind of subject (an incident's facts, a referral's, an alert's), and their union:
# the per-subject statements of the triggers read the small one (planned in a few ms, not 20).
# KEY: the incident's or referral's key columns (written once, put in below).
FACT = """
CREATE VIEW reports_fact_i AS
SELECT 'i'::text AS kind, c.incident_id AS subject_id, KEY,
       'incidents'::text AS measure,
       ''::text AS value, 1::bigint AS weight
  FROM reports_countable_incident c
UNION ALL
SELECT 'i', c.incident_id, KEY, 'verification', c.verification_status, 1
  FROM reports_countable_incident c
UNION ALL
SELECT 'i', c.incident_id, KEY, 'reporting_delay',
       coalesce(nullif(c.reporting_delay_band, ''), 'unknown'), 1
  FROM reports_countable_incident c
UNION ALL
SELECT 'i', c.incident_id, KEY, 'victims', t.sex, t.n
  FROM reports_countable_incident c,
       LATERAL (VALUES ('women', c.tally_women), ('girls', c.tally_girls), ('men', c.tally_men),
                       ('boys', c.tally_boys), ('unknown', c.tally_unknown_sex)) AS t(sex, n)
 WHERE t.n > 0
UNION ALL
SELECT 'i', c.incident_id, KEY, 'violations', v.form, 1
  FROM reports_countable_incident c JOIN incidents_violation v ON v.incident_id = c.incident_id
UNION ALL
SELECT DISTINCT 'i', c.incident_id, KEY, 'perpetrator_category', p.category, 1
  FROM reports_countable_incident c JOIN incidents_perpetrator p ON p.incident_id = c.incident_id
UNION ALL
SELECT DISTINCT 'i', c.incident_id, KEY, 'perpetrator_party', p.party_id::text, 1
  FROM reports_countable_incident c JOIN incidents_perpetrator p ON p.incident_id = c.incident_id
 WHERE p.party_id IS NOT NULL
UNION ALL
SELECT 'i', c.incident_id, KEY, 'survivors', s.sex || ':' || s.age_band, 1
  FROM reports_countable_incident c
  JOIN survivors_survivorincident si ON si.incident_id = c.incident_id
  JOIN survivors_survivor s ON s.id = si.survivor_id
UNION ALL
SELECT 'i', c.incident_id, KEY, 'verification_delay', d.value, d.weight
  FROM reports_countable_incident c,
       LATERAL (VALUES ('n', 1), ('days', c.verified_on - c.reported_on),
                       (CASE WHEN c.verified_on - c.reported_on <= 7 THEN 'band:0_7'
                             WHEN c.verified_on - c.reported_on <= 30 THEN 'band:8_30'
                             WHEN c.verified_on - c.reported_on <= 90 THEN 'band:31_90'
                             ELSE 'band:over_90' END, 1)) AS d(value, weight)
 WHERE c.verification_status = 'verified' AND c.verified_on IS NOT NULL AND d.weight <> 0
UNION ALL
SELECT 'i', c.incident_id, KEY, 'rape_care', m.value, 1
  FROM reports_countable_incident c,
       LATERAL (
         SELECT 'linked' AS value
          WHERE EXISTS (SELECT 1 FROM survivors_survivorincident si WHERE si.incident_id = c.incident_id)
         UNION ALL
         SELECT 'medical_72h'
          WHERE EXISTS (
            SELECT 1 FROM survivors_survivorincident si
              JOIN referrals_referral r ON r.survivor_id = si.survivor_id AND r.service_type = 'medical'
              JOIN referrals_referralevent e ON e.referral_id = r.id AND e.to_state = 'accepted'
             WHERE si.incident_id = c.incident_id AND c.incident_date_start IS NOT NULL
               AND e.occurred_at
                   < (c.incident_date_start::timestamp AT TIME ZONE 'UTC') + interval '72 hours')
       ) AS m
 WHERE EXISTS (SELECT 1 FROM incidents_violation v WHERE v.incident_id = c.incident_id AND v.form = 'rape')
UNION ALL
SELECT DISTINCT 'i', c.incident_id, KEY, 'justice',
       s.stage || CASE WHEN s.court = '' THEN '' ELSE ':' || s.court END, 1
  FROM reports_countable_incident c JOIN incidents_accountabilitystep s ON s.incident_id = c.incident_id;

CREATE VIEW reports_fact_r AS
SELECT 'r'::text AS kind, c.referral_id AS subject_id, KEY, m.measure::text, c.service_type::text AS value,
       m.weight
  FROM reports_counted_referral c,
       LATERAL (VALUES
         ('referrals', 1::bigint, true),
         ('referral_accepted', 1, c.accepted_at IS NOT NULL),
         ('referral_accept_minutes', floor(extract(epoch FROM c.accepted_at - c.sent_at) / 60)::bigint,
          c.accepted_at IS NOT NULL),
         ('referral_completed', 1, c.completed_at IS NOT NULL),
         ('referral_complete_minutes', floor(extract(epoch FROM c.completed_at - c.sent_at) / 60)::bigint,
          c.completed_at IS NOT NULL)) AS m(measure, weight, applies)
 WHERE m.applies AND m.weight <> 0;

CREATE VIEW reports_fact_a AS
SELECT 'a'::text AS kind, a.id AS subject_id, o.mission_id, a.field_office_id,
       date_trunc('month', a.received_at AT TIME ZONE 'UTC')::date AS month,
       CASE 1 WHEN l.admin_level THEN l.id WHEN p1.admin_level THEN p1.id
              WHEN p2.admin_level THEN p2.id WHEN p3.admin_level THEN p3.id END AS admin1_id,
       CASE 2 WHEN l.admin_level THEN l.id WHEN p1.admin_level THEN p1.id
              WHEN p2.admin_level THEN p2.id END AS admin2_id,
       m.measure::text, m.value::text, m.weight
  FROM incidents_alert a
  JOIN accounts_fieldoffice o ON o.id = a.field_office_id
  LEFT JOIN incidents_location l ON l.id = a.location_id
  LEFT JOIN incidents_location p1 ON p1.id = l.parent_id
  LEFT JOIN incidents_location p2 ON p2.id = p1.parent_id
  LEFT JOIN incidents_location p3 ON p3.id = p2.parent_id,
       LATERAL (VALUES
         ('alerts', a.urgency, 1::bigint, true),
         ('alert_acknowledged', '', 1, a.acknowledged_at IS NOT NULL),
         ('alert_ack_minutes', '',
          floor(extract(epoch FROM a.acknowledged_at - a.received_at) / 60)::bigint,
          a.acknowledged_at IS NOT NULL),
         ('alert_dispatched', '', 1, a.dispatched_at IS NOT NULL),
         ('alert_dispatch_minutes', '',
          floor(extract(epoch FROM a.dispatched_at - a.received_at) / 60)::bigint,
          a.dispatched_at IS NOT NULL)) AS m(measure, value, weight, applies)
 WHERE m.applies AND m.weight <> 0;

CREATE VIEW reports_fact AS
SELECT * FROM reports_fact_i UNION ALL SELECT * FROM reports_fact_r UNION ALL SELECT * FROM reports_fact_a
"""

FACT = FACT.replace("KEY", "c.mission_id, c.field_office_id, c.month, c.admin1_id, c.admin2_id")

# The first change of a subject in a transaction copies its facts; the deferred trigger on
# `reports_dirty` adds (facts now - copy) at commit, in key order (no deadlock between two
# commits over the same keys), then forgets the subject. A second transaction touching the same
# subject waits on the `dirty_subject` key until the first commits, then copies what it wrote.
FUNCTIONS = """
CREATE FUNCTION reports_touch(k text, sid bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF sid IS NULL THEN RETURN; END IF;
  INSERT INTO reports_dirty (kind, subject_id) VALUES (k, sid) ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN RETURN; END IF;
  INSERT INTO reports_dirtyfact (kind, subject_id, mission_id, field_office_id, month,
                                 admin1_id, admin2_id, measure, value, weight)
  SELECT * FROM reports_facts_of(k, sid);
END $$;

CREATE FUNCTION reports_facts_of(k text, sid bigint) RETURNS SETOF reports_fact LANGUAGE plpgsql AS $$
BEGIN
  IF k = 'i' THEN RETURN QUERY SELECT * FROM reports_fact_i WHERE subject_id = sid;
  ELSIF k = 'r' THEN RETURN QUERY SELECT * FROM reports_fact_r WHERE subject_id = sid;
  ELSE RETURN QUERY SELECT * FROM reports_fact_a WHERE subject_id = sid;
  END IF;
END $$;
-- One plan per statement and connection: the custom plans of the first calls cost 20-30 ms each.
ALTER FUNCTION reports_facts_of(text, bigint) SET plan_cache_mode = force_generic_plan;

CREATE FUNCTION reports_touch_survivor(sid bigint, medical_only boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE x bigint;
BEGIN
  FOR x IN SELECT incident_id FROM survivors_survivorincident WHERE survivor_id = sid ORDER BY 1 LOOP
    PERFORM reports_touch('i', x);
  END LOOP;
  IF NOT medical_only THEN
    FOR x IN SELECT id FROM referrals_referral WHERE survivor_id = sid ORDER BY 1 LOOP
      PERFORM reports_touch('r', x);
    END LOOP;
  END IF;
END $$;

CREATE FUNCTION reports_dirty_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO reports_rollup AS r
         (mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, total)
  SELECT mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, sum(w)
    FROM (SELECT mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, weight AS w
            FROM reports_facts_of(NEW.kind, NEW.subject_id)
          UNION ALL
          SELECT mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, -weight
            FROM reports_dirtyfact WHERE kind = NEW.kind AND subject_id = NEW.subject_id) AS d
   GROUP BY 1, 2, 3, 4, 5, 6, 7
  HAVING sum(w) <> 0
   ORDER BY 2, 3, 4, 5, 6, 7
  ON CONFLICT ON CONSTRAINT rollup_key DO UPDATE SET total = r.total + EXCLUDED.total;
  DELETE FROM reports_dirtyfact WHERE kind = NEW.kind AND subject_id = NEW.subject_id;
  DELETE FROM reports_dirty WHERE id = NEW.id;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER reports_dirty_apply AFTER INSERT ON reports_dirty
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION reports_dirty_apply();

CREATE FUNCTION reports_on_incident() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE x bigint;
BEGIN
  PERFORM reports_touch('i', CASE WHEN TG_OP = 'INSERT' THEN NEW.id ELSE OLD.id END);
  -- Its referrals are placed where it took place.
  IF TG_OP = 'UPDATE' AND OLD.location_id IS DISTINCT FROM NEW.location_id THEN
    FOR x IN SELECT id FROM referrals_referral WHERE incident_id = OLD.id ORDER BY 1 LOOP
      PERFORM reports_touch('r', x);
    END LOOP;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE FUNCTION reports_on_incident_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM reports_touch('i', OLD.incident_id); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM reports_touch('i', NEW.incident_id); END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE FUNCTION reports_on_survivor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN PERFORM reports_touch_survivor(OLD.survivor_id, false); END IF;
  IF TG_OP <> 'DELETE' THEN PERFORM reports_touch_survivor(NEW.survivor_id, false); END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE FUNCTION reports_on_survivor_profile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reports_touch_survivor(OLD.id, false);
  RETURN NEW;
END $$;

CREATE FUNCTION reports_on_referral() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE rid bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
  PERFORM reports_touch('r', rid);
  IF TG_OP <> 'INSERT' AND OLD.service_type = 'medical' THEN
    PERFORM reports_touch_survivor(OLD.survivor_id, true);
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.service_type = 'medical' THEN
    PERFORM reports_touch_survivor(NEW.survivor_id, true);
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE FUNCTION reports_on_referral_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE rid bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.referral_id ELSE NEW.referral_id END;
        sid bigint; medical boolean;
BEGIN
  PERFORM reports_touch('r', rid);
  SELECT survivor_id, service_type = 'medical' INTO sid, medical FROM referrals_referral WHERE id = rid;
  IF medical THEN PERFORM reports_touch_survivor(sid, true); END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE FUNCTION reports_on_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM reports_touch('a', CASE WHEN TG_OP = 'INSERT' THEN NEW.id ELSE OLD.id END);
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TRIGGER reports_touch BEFORE INSERT OR UPDATE OR DELETE ON incidents_incident
  FOR EACH ROW EXECUTE FUNCTION reports_on_incident();
CREATE TRIGGER reports_touch BEFORE INSERT OR UPDATE OR DELETE ON incidents_violation
  FOR EACH ROW EXECUTE FUNCTION reports_on_incident_child();
CREATE TRIGGER reports_touch BEFORE INSERT OR UPDATE OR DELETE ON incidents_perpetrator
  FOR EACH ROW EXECUTE FUNCTION reports_on_incident_child();
CREATE TRIGGER reports_touch BEFORE INSERT OR UPDATE OR DELETE ON incidents_accountabilitystep
  FOR EACH ROW EXECUTE FUNCTION reports_on_incident_child();
CREATE TRIGGER reports_touch BEFORE INSERT OR UPDATE OR DELETE ON survivors_survivorincident
  FOR EACH ROW EXECUTE FUNCTION reports_on_incident_child();
CREATE TRIGGER reports_touch BEFORE INSERT OR UPDATE OR DELETE ON reports_consentflag
  FOR EACH ROW EXECUTE FUNCTION reports_on_survivor();
CREATE TRIGGER reports_touch BEFORE UPDATE ON survivors_survivor
  FOR EACH ROW WHEN ((OLD.sex, OLD.age_band, OLD.mission_id, OLD.field_office_id)
                     IS DISTINCT FROM (NEW.sex, NEW.age_band, NEW.mission_id, NEW.field_office_id))
  EXECUTE FUNCTION reports_on_survivor_profile();
CREATE TRIGGER reports_touch BEFORE INSERT OR UPDATE OR DELETE ON referrals_referral
  FOR EACH ROW EXECUTE FUNCTION reports_on_referral();
CREATE TRIGGER reports_touch BEFORE INSERT OR UPDATE OR DELETE ON referrals_referralevent
  FOR EACH ROW EXECUTE FUNCTION reports_on_referral_event();
CREATE TRIGGER reports_touch BEFORE INSERT OR UPDATE OR DELETE ON incidents_alert
  FOR EACH ROW EXECUTE FUNCTION reports_on_alert();
"""

DROP = """
DROP TRIGGER reports_touch ON incidents_alert;
DROP TRIGGER reports_touch ON referrals_referralevent;
DROP TRIGGER reports_touch ON referrals_referral;
DROP TRIGGER reports_touch ON survivors_survivor;
DROP TRIGGER reports_touch ON reports_consentflag;
DROP TRIGGER reports_touch ON survivors_survivorincident;
DROP TRIGGER reports_touch ON incidents_accountabilitystep;
DROP TRIGGER reports_touch ON incidents_perpetrator;
DROP TRIGGER reports_touch ON incidents_violation;
DROP TRIGGER reports_touch ON incidents_incident;
DROP TRIGGER reports_dirty_apply ON reports_dirty;
DROP FUNCTION reports_on_alert(), reports_on_referral_event(), reports_on_referral(),
  reports_on_survivor_profile(), reports_on_survivor(), reports_on_incident_child(),
  reports_on_incident(), reports_dirty_apply(), reports_touch_survivor(bigint, boolean),
  reports_touch(text, bigint), reports_facts_of(text, bigint);
DROP VIEW reports_fact;
DROP VIEW reports_fact_a;
DROP VIEW reports_fact_r;
DROP VIEW reports_fact_i;
DROP VIEW reports_counted_referral;
DROP VIEW reports_incident_place;
DROP VIEW reports_countable_incident;
DELETE FROM reports_rollup;
"""

# The rollup of what is already there (a deployment upgrading): the whole view, once.
FILL = """
SET LOCAL statement_timeout = 0;
INSERT INTO reports_rollup (mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, total)
SELECT mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, sum(weight)
  FROM reports_fact GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(weight) <> 0;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("incidents", "0010_accountability_steps"),
        ("survivors", "0004_consent_provider"),
        ("referrals", "0002_answer_links"),
    ]

    operations = [
        migrations.RunSQL(
            ";".join((COUNTABLE_INCIDENT, INCIDENT_PLACE, COUNTED_REFERRAL, FACT, FUNCTIONS + FILL)),
            DROP,
        ),
    ]
