"""Encrypt the incident narrative and the history reasons (issue 4).

Each incident gets its own data key (wrapped by the active master key); the narrative already
stored is encrypted under it, bound to the incident's row, and the plaintext column is dropped.
History reasons are encrypted the same way, bound to each event's new public id. The history
table is append-only: its row trigger is switched off for this one rewrite, by the migration's
role (the tables' owner), and switched on again in the same transaction.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

from crsv import crypto


def _new_key(DataKey):
    plain = crypto.new_data_key()
    data_key = DataKey(public_id=uuid.uuid4())
    data_key.master_key_id, data_key.wrapped_key = crypto.wrap_data_key(plain, owner=str(data_key.public_id))
    data_key.save()
    return data_key, plain


def encrypt(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    IncidentEvent = apps.get_model("incidents", "IncidentEvent")
    DataKey = apps.get_model("keys", "DataKey")
    keys = {}
    for incident in Incident.objects.all().iterator(chunk_size=500):
        data_key, plain = _new_key(DataKey)
        keys[incident.pk] = plain
        incident.data_key = data_key
        incident.narrative_ct = crypto.encrypt_value(
            incident.narrative or "",
            key=plain,
            table="incidents_incident",
            field="narrative",
            row=str(incident.public_id),
        )
        incident.save(update_fields=["data_key", "narrative_ct"])
    for event in IncidentEvent.objects.all().iterator(chunk_size=500):
        event.public_id = uuid.uuid4()
        if event.reason:
            event.reason_ct = crypto.encrypt_value(
                event.reason,
                key=keys[event.incident_id],
                table="incidents_incidentevent",
                field="reason",
                row=str(event.public_id),
            )
        event.save(update_fields=["public_id", "reason_ct"])


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_incidentevent_append_only"),
        ("keys", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="data_key",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incident",
                to="keys.datakey",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="narrative_ct",
            field=models.BinaryField(editable=False, null=True, verbose_name="narrative (encrypted)"),
        ),
        migrations.AddField(
            model_name="incidentevent",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="incidentevent",
            name="reason_ct",
            field=models.BinaryField(editable=False, null=True, verbose_name="reason (encrypted)"),
        ),
        migrations.RunSQL(
            "ALTER TABLE incidents_incidentevent DISABLE TRIGGER incidents_incidentevent_append_only",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunPython(encrypt, migrations.RunPython.noop),
        migrations.RunSQL(
            "ALTER TABLE incidents_incidentevent ENABLE TRIGGER incidents_incidentevent_append_only",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="incidentevent",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.RemoveField(model_name="incident", name="narrative"),
        migrations.RemoveField(model_name="incidentevent", name="reason"),
    ]
