"""The survivor-cases API: /api/v1/survivors/... (adapters, like the pages).

A selector resolves the case (out of scope: 404), `case_authorize` answers "may she do this to a
case she can see" (403), a service decides again and writes. Identifying values leave only
through `survivor_names_reveal` / `survivor_reveal`, called inside the same transaction that
builds the response body, so the access events and the body commit (or fail) together.
"""

from __future__ import annotations

from survivors.api.views.actions import (
    ConsentCollectionView,
    ConsentWithdrawView,
    SurvivorAccessView,
    SurvivorAssignView,
    SurvivorBreakGlassView,
    SurvivorEraseView,
    SurvivorGrantView,
    SurvivorRevokeView,
)
from survivors.api.views.cases import (
    PAGE_SIZE,
    SurvivorCollectionView,
    SurvivorDetailView,
    SurvivorSearchView,
)

__all__ = [
    "PAGE_SIZE",
    "ConsentCollectionView",
    "ConsentWithdrawView",
    "SurvivorAccessView",
    "SurvivorAssignView",
    "SurvivorBreakGlassView",
    "SurvivorCollectionView",
    "SurvivorDetailView",
    "SurvivorEraseView",
    "SurvivorGrantView",
    "SurvivorRevokeView",
    "SurvivorSearchView",
]
