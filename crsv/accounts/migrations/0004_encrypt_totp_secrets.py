"""Encrypt each user's TOTP secret (issue 9): django-otp's TOTPDevice kept it as clear hex.

Every user with an authenticator gets a data key of her own (`User.data_key`); each TOTPDevice
becomes an AuthenticatorDevice with the same settings, counters and replay guard, its secret
encrypted under that key and bound to the new row (field `secret`, the hex of the secret's
bytes, as `crsv.crypto.EncryptedBytes` stores it), and the TOTPDevice row is deleted, so the
clear secrets leave the database. django-otp's table stays (empty): the app remains installed
for this migration's history. A session verified with an old device id asks for a code again.

Backward, the secrets are decrypted into TOTPDevice rows again (the data keys stay).
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from crsv import crypto

TABLE = "accounts_authenticatordevice"
COPIED = (
    "name",
    "confirmed",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
)


def _user_key(user, DataKey):
    if user.data_key_id is None:
        plain = crypto.new_data_key()
        data_key = DataKey(public_id=uuid.uuid4())
        data_key.master_key_id, data_key.wrapped_key = crypto.wrap_data_key(
            plain, owner=str(data_key.public_id)
        )
        data_key.save()
        user.data_key = data_key
        user.save(update_fields=["data_key"])
        return plain
    return crypto.unwrap_data_key(
        user.data_key.wrapped_key, key_id=user.data_key.master_key_id, owner=str(user.data_key.public_id)
    )


def encrypt(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    AuthenticatorDevice = apps.get_model("accounts", "AuthenticatorDevice")
    DataKey = apps.get_model("keys", "DataKey")
    keys = {}  # a user may have two devices (one being enrolled): one key for both
    for old in TOTPDevice.objects.select_related("user__data_key").order_by("id"):
        if old.user_id not in keys:
            keys[old.user_id] = _user_key(old.user, DataKey)
        key = keys[old.user_id]
        new = AuthenticatorDevice(
            user=old.user, public_id=uuid.uuid4(), **{f: getattr(old, f) for f in COPIED}
        )
        secret = bytes.fromhex(old.key).hex()
        new.secret_ct = crypto.encrypt_value(
            secret, key=key, table=TABLE, field="secret", row=str(new.public_id)
        )
        new.save()
        # created_at is auto_now_add: keep the enrolment moment.
        AuthenticatorDevice.objects.filter(pk=new.pk).update(created_at=old.created_at)
        old.delete()


def decrypt(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    AuthenticatorDevice = apps.get_model("accounts", "AuthenticatorDevice")
    for new in AuthenticatorDevice.objects.select_related("user__data_key").order_by("id"):
        data_key = new.user.data_key
        key = crypto.unwrap_data_key(
            data_key.wrapped_key, key_id=data_key.master_key_id, owner=str(data_key.public_id)
        )
        secret = crypto.decrypt_value(
            new.secret_ct, key=key, table=TABLE, field="secret", row=str(new.public_id)
        )
        old = TOTPDevice.objects.create(user=new.user, key=secret, **{f: getattr(new, f) for f in COPIED})
        TOTPDevice.objects.filter(pk=old.pk).update(created_at=new.created_at)
        new.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_recovery_code_hashes"),
        ("keys", "0001_initial"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="data_key",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="user",
                to="keys.datakey",
            ),
        ),
        migrations.CreateModel(
            name="AuthenticatorDevice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text="The human-readable name of this device.", max_length=64),
                ),
                ("confirmed", models.BooleanField(default=True, help_text="Is this device ready for use?")),
                (
                    "throttling_failure_timestamp",
                    models.DateTimeField(
                        blank=True,
                        default=None,
                        help_text="A timestamp of the last failed verification attempt. Null if last attempt succeeded.",
                        null=True,
                    ),
                ),
                (
                    "throttling_failure_count",
                    models.PositiveIntegerField(default=0, help_text="Number of successive failed attempts."),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        auto_now_add=True,
                        help_text="The date and time when this device was initially created in the system.",
                        null=True,
                    ),
                ),
                (
                    "last_used_at",
                    models.DateTimeField(
                        blank=True, help_text="The most recent date and time this device was used.", null=True
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("secret_ct", models.BinaryField(verbose_name="secret (encrypted)")),
                ("step", models.PositiveSmallIntegerField(default=30)),
                ("t0", models.BigIntegerField(default=0)),
                ("digits", models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ("tolerance", models.PositiveSmallIntegerField(default=1)),
                ("drift", models.SmallIntegerField(default=0)),
                ("last_t", models.BigIntegerField(default=-1)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="authenticators",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "authenticator",
                "verbose_name_plural": "authenticators",
                "abstract": False,
            },
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
