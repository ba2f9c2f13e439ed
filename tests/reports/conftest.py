"""The incidents' place tree and personas, and the survivors' consent text, for the reports tests."""

from tests.incidents.conftest import m23, masisi, nord_kivu, reporter_other, sake  # noqa: F401
from tests.survivors.conftest import consent_text  # noqa: F401
