"""The notification outbox (DESIGN §4, issue 11): rows written in the transaction of the change
that causes them, delivered by a Celery task after commit, swept by beat while still pending.

An app registers its kinds (`crsv.notifications.registry.notification_kind_register`) from its
AppConfig.ready() and enqueues with `crsv.notifications.services.notification_enqueue`; see
those modules' docstrings. The platform imports no app: a kind's context and link functions live
in the app that registers it.
"""
