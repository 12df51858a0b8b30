"""Send one plain-text email over SMTP (the standard library's ``smtplib``).

The only network I/O of the email channel. It never raises for what the mail server does:
a refused connection, a timeout or a rejected recipient comes back as an error message the
caller records.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol

_MAX_ERROR = 500


@dataclass(frozen=True)
class Mail:
    to_address: str
    to_name: str
    subject: str
    text: str


class Mailer(Protocol):
    def send(self, mail: Mail) -> str | None:
        """Send ``mail``; None when the server accepted it, else why it did not."""
        ...


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int = 25
    sender: str = "governance-engine@localhost"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0

    def send(self, mail: Mail) -> str | None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = formataddr((mail.to_name, mail.to_address))
        message["Subject"] = mail.subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(mail.text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            return f"{type(error).__name__}: {error}"[:_MAX_ERROR]
        return None
