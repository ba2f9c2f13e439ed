"""The rollup summed over offices and places (`reports_rollupmonth`), kept by the apply trigger
in the same statement as `reports_rollup`, and an index for the incidents' breakdowns."""

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
  ), monthly AS (
    INSERT INTO reports_rollupmonth AS m (mission_id, month, measure, value, total)
    SELECT mission_id, month, measure, value, sum(total) FROM delta
     GROUP BY 1, 2, 3, 4 HAVING sum(total) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ON CONSTRAINT rollupmonth_key DO UPDATE SET total = m.total + EXCLUDED.total
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

# 0004's, for the way back.
APPLY_BEFORE = """
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

EMPTY = "DELETE FROM reports_rollupmonth;"
FILL = """
SET LOCAL statement_timeout = 0;
INSERT INTO reports_rollupmonth (mission_id, month, measure, value, total)
SELECT mission_id, month, measure, value, sum(total) FROM reports_rollup
 GROUP BY 1, 2, 3, 4 HAVING sum(total) <> 0;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_access_administration"),
        ("incidents", "0010_accountability_steps"),
        ("reports", "0004_rollup_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollupMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("measure", models.CharField(max_length=32)),
                ("value", models.CharField(blank=True, max_length=64)),
                ("total", models.BigIntegerField()),
            ],
        ),
        migrations.AddIndex(
            model_name="rollup",
            index=models.Index(fields=["measure", "mission", "month"], name="rollup_measure_mission_month"),
        ),
        migrations.AddField(
            model_name="rollupmonth",
            name="mission",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="accounts.mission",
            ),
        ),
        migrations.AddConstraint(
            model_name="rollupmonth",
            constraint=models.UniqueConstraint(
                fields=("mission", "month", "measure", "value"), name="rollupmonth_key"
            ),
        ),
        migrations.RunSQL(APPLY + FILL, APPLY_BEFORE + EMPTY),
    ]
