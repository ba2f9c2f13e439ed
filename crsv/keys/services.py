"""Writes on data keys: create, provision, destroy (crypto-shredding), re-wrap (master key rotation)."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from crsv.crypto import keyring, new_data_key, wrap_data_key
from crsv.keys.models import DataKey


def data_key_create() -> tuple[DataKey, bytes]:
    """A new data key row (wrapped under the active master key) and the plain key to use now."""
    plain = new_data_key()
    data_key = DataKey()
    data_key.master_key_id, data_key.wrapped_key = wrap_data_key(plain, owner=str(data_key.public_id))
    data_key.save()
    return data_key, plain


def data_key_provision(owner: models.Model) -> bool:
    """Give `owner` (a row with a `data_key` field) a data key if it has none; True if one was
    created. The DataKey row is inserted now, in the caller's transaction; saving `owner` (its
    `data_key` column) is the caller's, who is writing that row anyway.

    The services call this before they assign an encrypted field (`crsv.crypto.EncryptedField`),
    which never creates a key itself."""
    if getattr(owner, "data_key_id", None) is not None:
        return False
    owner.data_key, _plain = data_key_create()  # type: ignore[attr-defined]  # any model with a data_key field
    return True


@transaction.atomic
def data_key_destroy(*, data_key: DataKey) -> None:
    """Crypto-shred: forget the wrapped key. Every field encrypted under it is lost for good."""
    DataKey.objects.filter(pk=data_key.pk).update(wrapped_key=None, destroyed_at=timezone.now())
    data_key.wrapped_key = None
    data_key.destroyed_at = timezone.now()


def data_keys_to_rotate() -> int:
    """How many live data keys are wrapped by a master key other than the active one."""
    active = keyring().active_id
    return DataKey.objects.filter(wrapped_key__isnull=False).exclude(master_key_id=active).count()


def data_key_rewrap_batch(*, batch_size: int = 500) -> int:
    """Re-wrap one batch of data keys under the active master key; return how many.

    Each batch commits on its own, so a killed rotation loses at most the batch in flight and a
    rerun continues where it stopped. `SKIP LOCKED` lets two runs share the work safely.
    """
    ring = keyring()
    with transaction.atomic():
        batch = list(
            DataKey.objects.select_for_update(skip_locked=True)
            .filter(wrapped_key__isnull=False)
            .exclude(master_key_id=ring.active_id)
            .order_by("id")[:batch_size]
        )
        now = timezone.now()
        for data_key in batch:
            plain = data_key.unwrap()
            data_key.master_key_id, data_key.wrapped_key = wrap_data_key(
                plain, owner=str(data_key.public_id), ring=ring
            )
            data_key.rotated_at = now
        DataKey.objects.bulk_update(batch, ["master_key_id", "wrapped_key", "rotated_at"])
    return len(batch)
