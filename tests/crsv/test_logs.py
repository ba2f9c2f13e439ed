"""No answer-link token reaches the logs."""

from __future__ import annotations

import logging

from crsv.logs import AnswerLinkTokenFilter


def test_the_filter_masks_an_answer_link_in_a_record() -> None:
    token = "Zx9_secret-token-of-43-characters-abcdefghij"
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (f"/r/{token}/",), None
    )
    assert AnswerLinkTokenFilter().filter(record)
    assert token not in record.getMessage()
    assert record.getMessage() == "Internal Server Error: /r/-/"


def test_the_console_handler_carries_the_filter() -> None:
    from django.conf import settings

    assert "answer_link_tokens" in settings.LOGGING["handlers"]["console"]["filters"]
