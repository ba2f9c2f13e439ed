"""The database refuses UPDATE, DELETE and TRUNCATE on an incident's history.

Reuses the function created by the audit app's migration 0002.
"""

from django.db import migrations

TRIGGERS = """
CREATE TRIGGER incidents_incidentevent_append_only
    BEFORE UPDATE OR DELETE ON incidents_incidentevent
    FOR EACH ROW EXECUTE FUNCTION crsv_refuse_append_only_change();
CREATE TRIGGER incidents_incidentevent_no_truncate
    BEFORE TRUNCATE ON incidents_incidentevent
    FOR EACH STATEMENT EXECUTE FUNCTION crsv_refuse_append_only_change();
"""

DROP = """
DROP TRIGGER IF EXISTS incidents_incidentevent_no_truncate ON incidents_incidentevent;
DROP TRIGGER IF EXISTS incidents_incidentevent_append_only ON incidents_incidentevent;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [migrations.RunSQL(TRIGGERS, reverse_sql=DROP)]
