"""Security tests reuse the survivor fixtures."""

from tests.survivors.conftest import case, consent_text, make_survivor  # noqa: F401
