"""Logging filters of the platform (settings.LOGGING)."""

from __future__ import annotations

import logging
import re

# The one-time answer links (referrals' `/r/<token>/`): whoever reads a token may answer a referral.
_ANSWER_LINK = re.compile(r"/r/[^/?\s\"']+/?")


class AnswerLinkTokenFilter(logging.Filter):
    """Writes `/r/-/` for an answer link's path in every record (e.g. Django's "Internal Server
    Error: /r/<token>/" after a crash on that page)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/r/" in message:
            record.msg, record.args = _ANSWER_LINK.sub("/r/-/", message), ()
        return True
