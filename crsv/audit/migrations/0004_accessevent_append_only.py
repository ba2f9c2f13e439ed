"""The database refuses UPDATE, DELETE and TRUNCATE on the access log, like the audit trail."""

from django.db import migrations

SQL = """
CREATE TRIGGER audit_accessevent_append_only
    BEFORE UPDATE OR DELETE ON audit_accessevent
    FOR EACH ROW EXECUTE FUNCTION crsv_refuse_append_only_change();
CREATE TRIGGER audit_accessevent_no_truncate
    BEFORE TRUNCATE ON audit_accessevent
    FOR EACH STATEMENT EXECUTE FUNCTION crsv_refuse_append_only_change();
"""

REVERSE = """
DROP TRIGGER IF EXISTS audit_accessevent_no_truncate ON audit_accessevent;
DROP TRIGGER IF EXISTS audit_accessevent_append_only ON audit_accessevent;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_accessevent")]

    operations = [migrations.RunSQL(SQL, reverse_sql=REVERSE)]
