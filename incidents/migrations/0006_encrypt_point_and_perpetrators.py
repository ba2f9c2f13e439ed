"""Encrypt what a pg_dump still showed in clear (issue 9): the incident's exact point and the
perpetrators' unit, commander and names.

An incident with a point or an identified perpetrator gets a data key if it has none (incidents
saved without a narrative had none), so that its restricted details live under its own key; one
with nothing to encrypt gets none here (the services provision a key on its next write).
The point is encrypted under it, bound to the incident's row (fields `latitude`, `longitude`);
each perpetrator gets a public id and its identification is encrypted under its incident's key,
bound to its own row.
An empty value is stored as NULL (as `crsv.crypto.EncryptedField` does). The plain columns are
dropped; the range of the point, which a CHECK constraint enforced, is now checked by the
services (the constraint keeps "both or neither").

Backward, the values are decrypted into the plain columns again (the data keys stay).
"""

import uuid

from django.db import migrations, models

from crsv import crypto

INCIDENT_TABLE = "incidents_incident"
PERPETRATOR_TABLE = "incidents_perpetrator"
PERPETRATOR_FIELDS = ("unit", "commander", "names")


BATCH = 2000


def _new_key(DataKey):
    plain = crypto.new_data_key()
    data_key = DataKey(public_id=uuid.uuid4())
    data_key.master_key_id, data_key.wrapped_key = crypto.wrap_data_key(plain, owner=str(data_key.public_id))
    return data_key, plain


def _unwrap(data_key):
    if data_key is None or data_key.wrapped_key is None:
        raise crypto.DecryptionError("an incident with encrypted details has no live data key")
    return crypto.unwrap_data_key(
        data_key.wrapped_key, key_id=data_key.master_key_id, owner=str(data_key.public_id)
    )


def _seal(value, *, key, table, field, row):
    if value is None or value == "":
        return None
    return crypto.encrypt_value(str(value), key=key, table=table, field=field, row=row)


def _open(blob, *, key, table, field, row):
    if blob is None:
        return None
    return crypto.decrypt_value(blob, key=key, table=table, field=field, row=row)


def _batches(Incident):
    """The incidents in primary-key order, BATCH at a time, each batch with its perpetrators:
    bounded memory (no data key outlives its batch) and a few statements per batch, so a
    mission's whole history (the bench holds 1,000,000 incidents) migrates in minutes."""
    last = 0
    while True:
        batch = list(
            Incident.objects.filter(pk__gt=last)
            .select_related("data_key")
            .prefetch_related("perpetrators")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def encrypt(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    Perpetrator = apps.get_model("incidents", "Perpetrator")
    DataKey = apps.get_model("keys", "DataKey")
    for batch in _batches(Incident):
        new_keys, incidents, perpetrators = [], [], []
        for incident in batch:
            if incident.latitude is None and not any(
                p.unit or p.commander or p.names for p in incident.perpetrators.all()
            ):
                # Nothing to encrypt: no key is made (the services provision one on the next
                # write), so a large history migrates without a million key wraps.
                key = None
            elif incident.data_key is None:
                incident.data_key, key = _new_key(DataKey)
                new_keys.append(incident.data_key)
            else:
                key = _unwrap(incident.data_key)
            if key is not None:
                row = str(incident.public_id)
                for field in ("latitude", "longitude"):
                    value = getattr(incident, field)
                    setattr(
                        incident,
                        f"{field}_ct",
                        _seal(value, key=key, table=INCIDENT_TABLE, field=field, row=row),
                    )
                incidents.append(incident)
            for perpetrator in incident.perpetrators.all():
                perpetrator.public_id = uuid.uuid4()
                prow = str(perpetrator.public_id)
                for field in PERPETRATOR_FIELDS:
                    value = getattr(perpetrator, field)  # empty: NULL, no key needed
                    blob = _seal(value, key=key, table=PERPETRATOR_TABLE, field=field, row=prow)
                    setattr(perpetrator, f"{field}_ct", blob)
                perpetrators.append(perpetrator)
        DataKey.objects.bulk_create(new_keys)
        for incident in incidents:
            incident.data_key_id = incident.data_key.pk
        Incident.objects.bulk_update(incidents, ["data_key", "latitude_ct", "longitude_ct"])
        Perpetrator.objects.bulk_update(
            perpetrators, ["public_id", *(f"{field}_ct" for field in PERPETRATOR_FIELDS)]
        )


def decrypt(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    Perpetrator = apps.get_model("incidents", "Perpetrator")
    for batch in _batches(Incident):
        incidents, perpetrators = [], []
        for incident in batch:
            blobs = [getattr(p, f"{f}_ct") for p in incident.perpetrators.all() for f in PERPETRATOR_FIELDS]
            if incident.latitude_ct is None and all(blob is None for blob in blobs):
                continue
            key = _unwrap(incident.data_key)
            row = str(incident.public_id)
            for field in ("latitude", "longitude"):
                text = _open(
                    getattr(incident, f"{field}_ct"), key=key, table=INCIDENT_TABLE, field=field, row=row
                )
                setattr(incident, field, text)
            incidents.append(incident)
            for perpetrator in incident.perpetrators.all():
                prow = str(perpetrator.public_id)
                for field in PERPETRATOR_FIELDS:
                    blob = getattr(perpetrator, f"{field}_ct")
                    text = _open(blob, key=key, table=PERPETRATOR_TABLE, field=field, row=prow)
                    setattr(perpetrator, field, text or "")
                perpetrators.append(perpetrator)
        Incident.objects.bulk_update(incidents, ["latitude", "longitude"])
        Perpetrator.objects.bulk_update(perpetrators, list(PERPETRATOR_FIELDS))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_reference_counter_sea_sequence"),
        ("keys", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="incident", name="incident_point_complete_and_in_range"),
        migrations.AddField(
            model_name="incident",
            name="latitude_ct",
            field=models.BinaryField(null=True, verbose_name="exact latitude (encrypted)"),
        ),
        migrations.AddField(
            model_name="incident",
            name="longitude_ct",
            field=models.BinaryField(null=True, verbose_name="exact longitude (encrypted)"),
        ),
        migrations.AddField(
            model_name="perpetrator",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="perpetrator",
            name="unit_ct",
            field=models.BinaryField(null=True, verbose_name="unit (encrypted)"),
        ),
        migrations.AddField(
            model_name="perpetrator",
            name="commander_ct",
            field=models.BinaryField(null=True, verbose_name="commander (encrypted)"),
        ),
        migrations.AddField(
            model_name="perpetrator",
            name="names_ct",
            field=models.BinaryField(null=True, verbose_name="names (encrypted)"),
        ),
        migrations.RunPython(encrypt, decrypt),
        migrations.AlterField(
            model_name="perpetrator",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.RemoveField(model_name="incident", name="latitude"),
        migrations.RemoveField(model_name="incident", name="longitude"),
        migrations.RemoveField(model_name="perpetrator", name="unit"),
        migrations.RemoveField(model_name="perpetrator", name="commander"),
        migrations.RemoveField(model_name="perpetrator", name="names"),
        migrations.AddConstraint(
            model_name="incident",
            constraint=models.CheckConstraint(
                condition=models.Q(latitude_ct__isnull=True, longitude_ct__isnull=True)
                | models.Q(latitude_ct__isnull=False, longitude_ct__isnull=False),
                name="incident_point_complete",
            ),
        ),
    ]
