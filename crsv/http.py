"""Kept for the apps' existing imports: the request type lives in `crsv.accounts.http` (beside the
User it names), so that crsv.accounts does not import this module back (no import circle)."""

from __future__ import annotations

from crsv.accounts.http import AuthenticatedHttpRequest

__all__ = ["AuthenticatedHttpRequest"]
