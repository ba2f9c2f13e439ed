"""The domain errors the incident services raise, and what callers turn them into.

- `TransitionNotAllowed`: the action is not possible from the incident's current status
  (the API answers 409, a page shows a message).
- `PermissionDenied`: the user sees the incident but their role may not do this (403). It
  is Django's own exception, subclassed, so Django views and DRF already answer 403.
- `django.core.exceptions.ValidationError` (not defined here): bad input, keyed by field (400,
  or the messages beside the form's fields).
- `django.http.Http404`: the incident is out of the user's scope; it does not exist for them.
"""

from __future__ import annotations

from django.core import exceptions as django_exceptions


class TransitionNotAllowed(Exception):
    """The incident's status does not allow this action (e.g. verifying a draft)."""

    def __init__(self, message: str, *, action: str, status: str) -> None:
        super().__init__(message)
        self.message = message
        self.action = action
        self.status = status


class PermissionDenied(django_exceptions.PermissionDenied):
    """The user may see the incident but not do this to it."""
