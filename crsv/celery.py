"""The Celery application: configuration comes from Django settings (`CELERY_*`)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv.settings")

app = Celery("crsv")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["crsv"], related_name="tasks")


@beat_init.connect
def _beat_started(**kwargs: object) -> None:
    """Report beat as up as soon as it starts, not only after its first one-minute tick."""
    from crsv import health

    health.beat_heartbeat_record()
