"""The database itself refuses UPDATE, DELETE and TRUNCATE on the audit trail.

The triggers call one function that later append-only tables (access events) reuse. Only a
superuser can get past them (by `session_replication_role = replica`, which the test suite uses
to empty tables between transactional tests); the application's role in production is not one.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION crsv_refuse_append_only_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION crsv_refuse_append_only_change();
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION crsv_refuse_append_only_change();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS crsv_refuse_append_only_change();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, reverse_sql=DROP)]
