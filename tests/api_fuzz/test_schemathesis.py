"""schemathesis against `/api/schema/`, as each role: every operation with every check, then its
stateful phase, which follows the schema's OpenAPI links from the role's lists to rows and from
rows to their operations. Zero failures. Object-level authorization is the permission matrix's
and the Hypothesis test's job.

The WSGI application runs in this process, on the test's transaction, over the world of
`tests.api_fuzz.world`; every role signs in with its own bearer token. `make test` runs the
examples and fuzzing phases (`MAX_EXAMPLES` cases per operation, each sent as every role) and
`SCENARIOS` stateful scenarios per role. `CRSV_API_FUZZ=deep` adds the coverage phase (every
property's boundaries and wrong types, every method a route lacks) and runs more of everything.
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, settings

from crsv.wsgi import application
from tests.api_fuzz.checks import CHECK_NAME, DATA_DEPENDENT
from tests.api_fuzz.world import ROLES

pytestmark = pytest.mark.django_db

SCHEMA_PATH = "/api/schema/"
DEEP = os.environ.get("CRSV_API_FUZZ") == "deep"
# Cases per operation in the fuzzing phase, each sent as every role (the examples phase adds
# the schema's own).
MAX_EXAMPLES = 25 if DEEP else 4
# Stateful: scenarios per role, and calls per scenario at most.
SCENARIOS = 50 if DEEP else 8
STEPS = 10 if DEEP else 6

# What each role ran (reported at the end of the session, see conftest).
CALLS: Counter[str] = Counter()


def fuzz_config(token: str | None = None) -> schemathesis.Config:
    """Every check schemathesis has except `positive_data_acceptance`, which runs narrowed (see
    tests.api_fuzz.checks); a fixed seed, so that a run is repeatable; no example database.
    With a token (the stateful phase): the token, and schema-valid requests only."""
    generation = {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"}
    config: dict[str, Any] = {
        "checks": {CHECK_NAME: {"enabled": False}},
        "generation": generation,
        "phases": {"coverage": {"enabled": DEEP}},
    }
    if token is not None:
        config["auth"] = {"openapi": {"bearerAuth": {"bearer": token}}}
        config["phases"]["stateful"] = {"generation": {**generation, "mode": "positive"}}
    return schemathesis.Config.from_dict(config)


schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=fuzz_config())

QUIET = settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)


@schema.parametrize()
@QUIET
def test_every_operation(case: schemathesis.Case, tokens: dict[str, str]) -> None:
    """Each case, generated once, is sent as every role in turn (checks and all)."""
    for role in ROLES:
        CALLS[role] += 1
        try:
            case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"})
        except Exception as failure:
            failure.add_note(f"(sent as {role})")
            raise


def schema_as(token: str) -> Any:
    """The same schema for the stateful phase, with the role's token in the configuration (the
    auth check then knows it was given, not generated). Its scenarios start from the lists: the
    query parameters that must name rows (`DATA_DEPENDENT`) are left out of its requests, so
    that a list answers 200 and its links lead to real rows; the stateless test sends them."""
    loaded = schemathesis.openapi.from_dict(copy.deepcopy(schema.raw_schema), config=fuzz_config(token))
    loaded.app = application
    loaded.location = SCHEMA_PATH

    @loaded.hook
    def map_query(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
        return query and {name: value for name, value in query.items() if name not in DATA_DEPENDENT}

    return loaded


@pytest.mark.parametrize("role", ROLES)
def test_stateful(role: str, tokens: dict[str, str]) -> None:
    class Scenario(schema_as(tokens[role]).as_state_machine()):  # type: ignore[misc]
        """Each scenario starts again from the seeded world."""

        def setup(self) -> None:
            self.savepoint = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            CALLS[f"{role} (stateful)"] += 1

    Scenario.run(
        settings=settings(QUIET, max_examples=SCENARIOS, stateful_step_count=STEPS, derandomize=True)
    )
