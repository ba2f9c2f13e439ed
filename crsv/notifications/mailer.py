"""Sending a burst of notification e-mails: one SMTP session, and the MIME built once per e-mail.

`MailSession` keeps one connection for the burst (a task's batches) while sends succeed: any
error closes it and the next send opens anew. A connection the server dropped while it was
idle between two sends (SMTPServerDisconnected on a connection that has already carried a
message) is reopened and the message sent again at once, without counting an attempt; a fresh
connection failing is the message's failed attempt. The session is closed at the end of the
burst (`close`), when nothing more is due.

`PreparedEmail` serializes the MIME message once (everything but To: and Message-ID:, which
are the only headers that differ between the recipients of one e-mail) and prepends those two
headers to the bytes per recipient, checked and encoded by Django's own header rules. With
another backend than SMTP (locmem in tests, console, file), each message is an
EmailMultiAlternatives handed to the backend, as Django sends them.
"""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import forbid_multi_line_headers, sanitize_address

_ENCODING = "utf-8"


@dataclass(frozen=True)
class PreparedEmail:
    """One rendered e-mail, ready to send to any number of recipients."""

    subject: str
    text: str
    html: str
    _body: bytes = field(default=b"", repr=False)

    @classmethod
    def build(cls, subject: str, text: str, html: str) -> PreparedEmail:
        message = cls(subject=subject, text=text, html=html).message(to="", message_id="<placeholder@x>")
        mime = message.message()
        del mime["Message-ID"]  # per recipient, in front (header order carries no meaning)
        return cls(subject=subject, text=text, html=html, _body=mime.as_bytes(linesep="\r\n"))  # type: ignore[call-arg]  # SafeMIME* take linesep

    def message(
        self, *, to: str, message_id: str, connection: BaseEmailBackend | None = None
    ) -> EmailMultiAlternatives:
        """The e-mail to `to` as Django builds it (for another backend than SMTP)."""
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to] if to else [],
            headers={"Message-ID": message_id},
            connection=connection,
        )
        message.attach_alternative(self.html, "text/html")
        return message

    def data_for(self, address: str, message_id: str) -> bytes:
        """The bytes of the message to `address` (as `smtp_address` gave it), as Django's SMTP
        backend would send them."""
        _name, id_header = forbid_multi_line_headers("Message-ID", message_id, _ENCODING)
        return f"To: {address}\r\nMessage-ID: {id_header}\r\n".encode() + self._body


# A plain ASCII address (dot-atom local part, host name): what `sanitize_address` returns
# unchanged, without parsing it (the parse is a fifth of a message's cost in the worker).
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*"
)


def smtp_address(address: str) -> str:
    """The address as Django writes it in the envelope and the To: header (IDNA, encoded name);
    a line break raises BadHeaderError, as Django's header check does."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    _name, checked = forbid_multi_line_headers("To", address, _ENCODING)
    return sanitize_address(checked, _ENCODING)


class MailSession:
    """The burst's connection to the mail server (see the module's docstring)."""

    def __init__(self) -> None:
        self.backend: BaseEmailBackend = get_connection(fail_silently=False)
        self._smtp = self.backend if isinstance(self.backend, SMTPBackend) else None
        self._carried = False  # the open connection has carried a message
        self._sender = smtp_address(str(settings.DEFAULT_FROM_EMAIL))
        self.opened = 0  # connections opened, for the logs and the tests

    def send(self, email: PreparedEmail, to: str, message_id: str) -> None:
        """Send the message to `to`; raises what the server or the connection raised."""
        if self._smtp is None:
            email.message(to=to, message_id=message_id, connection=self.backend).send()
            return
        recipient = smtp_address(to)
        data = email.data_for(recipient, message_id)
        while True:
            reused = self._open(self._smtp)
            try:
                assert self._smtp.connection is not None
                self._smtp.connection.sendmail(self._sender, [recipient], data)
            except smtplib.SMTPServerDisconnected:
                self._drop(self._smtp)
                if reused:
                    continue  # dropped while idle: the message never reached it; once more, fresh
                raise
            except BaseException:
                self._drop(self._smtp)  # a session after an error is suspect
                raise
            self._carried = True
            return

    def _open(self, backend: SMTPBackend) -> bool:
        """Open the connection if needed; True if it was open and has carried a message."""
        if backend.connection is not None:
            return self._carried
        backend.open()
        self.opened += 1
        self._carried = False
        return False

    def _drop(self, backend: SMTPBackend) -> None:
        """Close at once, without QUIT (the server may be gone or slow)."""
        connection = backend.connection
        backend.connection = None
        self._carried = False
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """End the burst politely (QUIT)."""
        if self._smtp is not None and self._smtp.connection is not None:
            try:
                self._smtp.close()
            except (smtplib.SMTPException, OSError):
                self._drop(self._smtp)
