"""Hypothesis settings for the reports' pure property tests (charts, disclosure control).

As in tests/security/test_property_scope.py: derandomized and without an example database when
`CI` is set (every CI run tries the same examples, so a red run is reproducible); elsewhere new
examples each run, failing ones kept in .devdata/hypothesis/; `HYPOTHESIS_PROFILE=crsv-deep`
tries many more. Set per test rather than as profiles, so the scope tests' profiles stay theirs.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

_CI = bool(os.environ.get("CI"))
_DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "crsv-deep"


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples * 10 if _DEEP else examples,
        derandomize=_CI,
        database=None if _CI else DirectoryBasedExampleDatabase(".devdata/hypothesis"),
        deadline=None,  # a shared machine: timing is the speed tests' business
        suppress_health_check=[HealthCheck.too_slow],
    )


QUICK = _settings(100)  # pure functions of small inputs
SEARCH = _settings(300)  # suppression checked by the exhaustive reader
