"""Each mission's rollup version, added to by the commit that changes its rollup, so that a
cached read of the rollup (`reports.statistics.statistics_load`) is keyed by what it read.

The apply trigger of 0002 now also adds one to the version of every mission whose rollup it
moved (a subject whose facts did not change moves nothing). The row is written at commit, like
the rollup: a reader that sees the new version sees the new numbers. Versions are drawn from a
sequence, never reused: a version a rolled-back transaction took (and a read it cached) never
comes back.
"""

import django.db.models.deletion
from django.db import migrations, models

APPLY = """
CREATE OR REPLACE FUNCTION reports_dirty_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH delta AS (
    SELECT mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, sum(w) AS total
      FROM (SELECT mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, weight AS w
              FROM reports_facts_of(NEW.kind, NEW.subject_id)
            UNION ALL
            SELECT mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, -weight
              FROM reports_dirtyfact WHERE kind = NEW.kind AND subject_id = NEW.subject_id) AS d
     GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(w) <> 0
  ), moved AS (
    INSERT INTO reports_rollup AS r
           (mission_id, field_office_id, month, admin1_id, admin2_id, measure, value, total)
    SELECT * FROM delta ORDER BY 2, 3, 4, 5, 6, 7
    ON CONFLICT ON CONSTRAINT rollup_key DO UPDATE SET total = r.total + EXCLUDED.total
    RETURNING r.mission_id
  )
  INSERT INTO reports_rollupversion AS v (mission_id, version)
  SELECT mission_id, nextval('reports_rollup_version') FROM (SELECT DISTINCT mission_id FROM moved) AS m
   ORDER BY 1
  ON CONFLICT (mission_id) DO UPDATE SET version = EXCLUDED.version;
  DELETE FROM reports_dirtyfact WHERE kind = NEW.kind AND subject_id = NEW.subject_id;
  DELETE FROM reports_dirty WHERE id = NEW.id;
  RETURN NULL;
END $$;
"""

APPLY_BEFORE = """
CREATE OR REPLACE FUNCTION reports_dirty_apply() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_access_administration"),
        ("reports", "0003_identifiable_export"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollupVersion",
            fields=[
                (
                    "mission",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.mission",
                    ),
                ),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunSQL(
            "CREATE SEQUENCE reports_rollup_version;" + APPLY,
            APPLY_BEFORE + "DROP SEQUENCE reports_rollup_version;",
        ),
    ]
