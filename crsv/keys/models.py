"""Data keys for envelope encryption: one per protected record, stored only wrapped."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from crsv.crypto import DecryptionError, unwrap_data_key


class DataKey(models.Model):
    """A record's own AES-256 key, wrapped by the master key named by `master_key_id`.

    Destroying it (crypto-shredding: `wrapped_key` set to NULL) makes every field encrypted
    under it unreadable for good, wherever the ciphertext lives.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    master_key_id = models.CharField(_("master key id"), max_length=32, db_index=True)
    wrapped_key = models.BinaryField(_("wrapped key"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wrapped_key__isnull=True) | models.Q(destroyed_at__isnull=True),
                name="datakey_destroyed_has_no_key",
            ),
            models.CheckConstraint(
                condition=models.Q(wrapped_key__isnull=False) | models.Q(destroyed_at__isnull=False),
                name="datakey_key_or_destroyed",
            ),
        ]

    def __str__(self) -> str:
        return f"data key {self.public_id} ({self.master_key_id})"

    def unwrap(self) -> bytes:
        if self.wrapped_key is None:
            raise DecryptionError("the data key was destroyed (record erased)")
        return unwrap_data_key(self.wrapped_key, key_id=self.master_key_id, owner=str(self.public_id))
