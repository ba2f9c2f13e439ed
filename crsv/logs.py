"""Logging filters of the platform (settings.LOGGING)."""

from __future__ import annotations

import logging
import re

# The one-time links whose path holds their token: whoever reads one may use it. The referrals'
# answer links (`/r/<token>/`: answer a referral) and the invitations
# (`/accounts/invitation/<token>/`: set the invited account's password).
_ANSWER_LINK = re.compile(r"/r/[^/?\s\"']+/?")
_INVITATION_LINK = re.compile(r"/accounts/invitation/[^/?\s\"']+/?")


class AnswerLinkTokenFilter(logging.Filter):
    """Writes `/r/-/` for an answer link's path, and `/accounts/invitation/-/` for an
    invitation's, in every record (e.g. Django's "Internal Server Error: /r/<token>/" after a
    crash on that page, or the development server's request lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = message
        if "/r/" in masked:
            masked = _ANSWER_LINK.sub("/r/-/", masked)
        if "/accounts/invitation/" in masked:
            masked = _INVITATION_LINK.sub("/accounts/invitation/-/", masked)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
