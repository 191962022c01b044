"""One SMTP connection from the EMAIL_* settings, sending frozen messages byte for byte.

Every reply and every network error is classified here as accepted, temporary or
permanent, with the server's code and words (an SmtpResult, see results.py), so the
outbox never handles an smtplib exception. The connection is opened on first use and reused for the next messages.
"""

import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from django.conf import settings
from django.core.mail.utils import DNS_NAME

from .results import Outcome, SmtpResult, Stage

logger = logging.getLogger(__name__)


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", errors="replace")
    return reply


def _by_code(code: int) -> Outcome:
    # 4xx says "try again later"; 5xx says "never". Anything else (-1 for an unreadable
    # reply, a 2xx where none belongs) is a misbehaving server, worth another try.
    if 500 <= code < 600:
        return Outcome.PERMANENT
    return Outcome.TEMPORARY


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip().rstrip(":")


# What may not appear in an envelope address: it would end or reshape the command.
_UNSAFE_IN_ADDRESS = re.compile(r"[<>\s\x00-\x1f\x7f]")


class _StaleConnection(Exception):
    """A reused connection turned out closed before any part of the message was sent."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float | None = 30.0
    # A CA bundle to trust instead of the system's (a private relay, a test server).
    cafile: str | None = None
    certfile: str | None = None
    keyfile: str | None = None

    @classmethod
    def from_settings(cls) -> "SmtpConfig":
        return cls(
            host=settings.EMAIL_HOST,
            port=settings.EMAIL_PORT,
            username=settings.EMAIL_HOST_USER,
            password=settings.EMAIL_HOST_PASSWORD,
            use_tls=settings.EMAIL_USE_TLS,
            use_ssl=settings.EMAIL_USE_SSL,
            timeout=settings.EMAIL_TIMEOUT,
            cafile=settings.EMAIL_SSL_CAFILE,
            certfile=settings.EMAIL_SSL_CERTFILE,
            keyfile=settings.EMAIL_SSL_KEYFILE,
        )

    def ssl_context(self) -> ssl.SSLContext:
        # Certificates are verified against the system's CAs (or cafile): a relay that
        # cannot prove its name does not get the clients' documents.
        context = ssl.create_default_context(cafile=self.cafile)
        if self.certfile:
            context.load_cert_chain(self.certfile, self.keyfile)
        return context


class SmtpConnection:
    """Sends messages over one connection, opened when first needed.

    `sendmail` never raises for anything the server or the network does; it returns an
    SmtpResult. Use as a context manager so the connection is closed with QUIT.
    """

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_settings(cls) -> "SmtpConnection":
        return cls(SmtpConfig.from_settings())

    def __enter__(self) -> "SmtpConnection":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._smtp is not None

    def open(self) -> SmtpResult | None:
        """Connects (and STARTTLS, and logs in); returns the failure, or None when connected.

        Every failure here is temporary, authentication refusals included: they come from
        the configuration or the server's state, not from the message, and an
        administrator's fix should let the queued messages leave without anyone's help.
        """
        if self._smtp is not None:
            return None
        config = self.config
        smtp: smtplib.SMTP | None = None
        # Without a timeout a silent server would hold the worker forever; None keeps
        # the socket module's default, as smtplib itself does.
        timeout: dict[str, Any] = {"timeout": config.timeout} if config.timeout is not None else {}
        try:
            if config.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    config.host, config.port, local_hostname=str(DNS_NAME), context=config.ssl_context(), **timeout
                )
            else:
                smtp = smtplib.SMTP(config.host, config.port, local_hostname=str(DNS_NAME), **timeout)
            smtp.ehlo()
            if config.use_tls:
                smtp.starttls(context=config.ssl_context())
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password)
        except smtplib.SMTPResponseException as error:
            _quietly_close(smtp)
            return SmtpResult(Outcome.TEMPORARY, Stage.CONNECT, error.smtp_code, _text(error.smtp_error))
        except (smtplib.SMTPException, OSError) as error:
            _quietly_close(smtp)
            return SmtpResult(Outcome.TEMPORARY, Stage.CONNECT, error=_error_text(error))
        self._smtp = smtp
        return None

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def sendmail(
        self, envelope_from: str, envelope_recipients: Sequence[str], raw_bytes: bytes, *, envid: str = ""
    ) -> SmtpResult:
        """Sends `raw_bytes` as they are to the envelope recipients.

        The bytes must use CRLF line ends and end with one (email.policy.SMTP does both),
        so the server stores exactly what was archived. With `envid`, a server offering DSN
        (RFC 3461) is asked for reports of success, delay and failure, returning headers only.
        """
        reused = self._smtp is not None
        failure = self.open()
        if failure is not None:
            return failure
        try:
            return self._transaction(envelope_from, envelope_recipients, raw_bytes, reused=reused, envid=envid)
        except _StaleConnection:
            # The server closed the idle connection (its own timeout) and nothing of this
            # message went out: send it over a fresh connection.
            self._drop()
            failure = self.open()
            if failure is not None:
                return failure
            try:
                return self._transaction(envelope_from, envelope_recipients, raw_bytes, reused=False, envid=envid)
            except _StaleConnection as error:  # pragma: no cover - reused=False never raises it
                raise AssertionError("unreachable") from error

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        _quietly_close(smtp)

    def _reset(self) -> None:
        """Ends a refused transaction so the connection can carry the next message."""
        assert self._smtp is not None
        try:
            code, _reply = self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()
            return
        if code != 250:
            self._drop()

    def _transaction(
        self, envelope_from: str, recipients: Sequence[str], raw: bytes, *, reused: bool, envid: str = ""
    ) -> SmtpResult:
        smtp = self._smtp
        assert smtp is not None
        stage = Stage.MAIL
        try:
            unusable = [a for a in (envelope_from, *recipients) if not a or _UNSAFE_IN_ADDRESS.search(a)]
            if unusable:
                return SmtpResult(
                    Outcome.PERMANENT, Stage.MAIL, error=f"adresse inutilisable dans l’enveloppe : {unusable[0]!r}"
                )
            options = []
            if smtp.does_esmtp:
                if smtp.has_extn("size"):
                    options.append(f"SIZE={len(raw)}")
                if not raw.isascii() and smtp.has_extn("8bitmime"):
                    options.append("BODY=8BITMIME")
            dsn = bool(envid) and smtp.does_esmtp and smtp.has_extn("dsn")
            if dsn:
                options += ["RET=HDRS", f"ENVID={xtext(envid)}"]
            if not (envelope_from.isascii() and all(r.isascii() for r in recipients)):
                if not smtp.has_extn("smtputf8"):
                    return SmtpResult(
                        Outcome.PERMANENT,
                        Stage.MAIL,
                        error="le serveur n’accepte pas les adresses non ASCII (pas de SMTPUTF8)",
                    )
                options.append("SMTPUTF8")
                smtp.command_encoding = "utf-8"
            try:
                # The addresses are bare and checked above: smtplib's quoteaddr would
                # parse each one again, for a third of the dialogue's CPU.
                code, reply = smtp.docmd("mail", f"FROM:<{envelope_from}>{''.join(' ' + o for o in options)}")
            except smtplib.SMTPServerDisconnected:
                if reused:
                    raise _StaleConnection from None
                raise
            if code == 421 and reused:
                raise _StaleConnection
            if code != 250:
                return self._refused(Stage.MAIL, code, reply)

            stage = Stage.RCPT
            refused: dict[str, tuple[int, str]] = {}
            for recipient in recipients:
                notify = f" NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;{xtext(recipient)}" if dsn else ""
                code, reply = smtp.docmd("rcpt", f"TO:<{recipient}>{notify}")
                if code == 421:
                    return self._refused(Stage.RCPT, code, reply)
                if code not in (250, 251):
                    refused[recipient] = (code, _text(reply))
            if len(refused) == len(recipients):
                return self._all_refused(refused)

            stage = Stage.DATA
            code, reply = _data(smtp, raw)
            if code == 421:
                self._drop()
            if code != 250:
                return SmtpResult(_by_code(code), Stage.DATA, code, _text(reply))
            return SmtpResult(
                Outcome.SENT,
                Stage.DATA,
                code,
                _text(reply),
                refused={r: f"{c} {text}" for r, (c, text) in refused.items()},
            )
        except smtplib.SMTPDataError as error:
            # DATA itself refused (before any byte of the message was sent).
            if error.smtp_code == 421:
                self._drop()
            else:
                self._reset()
            return SmtpResult(_by_code(error.smtp_code), stage, error.smtp_code, _text(error.smtp_error))
        except smtplib.SMTPNotSupportedError as error:
            self._reset()
            return SmtpResult(Outcome.PERMANENT, stage, error=_error_text(error))
        except (smtplib.SMTPException, OSError) as error:
            # Disconnected or timed out mid-dialogue. After DATA the server may hold the
            # message already: the retry sends the same bytes with the same Message-ID,
            # which lets the receiving side recognise a duplicate.
            self._drop()
            return SmtpResult(Outcome.TEMPORARY, stage, error=_error_text(error))

    def _refused(self, stage: Stage, code: int, reply: bytes) -> SmtpResult:
        if code == 421:
            self._drop()
        else:
            self._reset()
        return SmtpResult(_by_code(code), stage, code, _text(reply))

    def _all_refused(self, refused: dict[str, tuple[int, str]]) -> SmtpResult:
        self._reset()
        codes = [code for code, _text_ in refused.values()]
        # One recipient refused "for now" is enough to try again: the others' permanent
        # refusals will be the same next time, and the message may still reach that one.
        outcome = Outcome.TEMPORARY if any(not 500 <= code < 600 for code in codes) else Outcome.PERMANENT
        first_code, first_text = next(iter(refused.values()))
        return SmtpResult(
            outcome,
            Stage.RCPT,
            first_code,
            first_text,
            refused={recipient: f"{code} {text}" for recipient, (code, text) in refused.items()},
        )


def xtext(value: str) -> str:
    """RFC 3461 xtext: "+", "=", controls and non-ASCII as +XX."""
    return "".join(c if "!" <= c <= "~" and c not in "+=" else "".join(f"+{b:02X}" for b in c.encode()) for c in value)


def dot_stuffed(raw: bytes) -> bytes:
    """The message as DATA carries it: a dot doubled at the start of each line (RFC 5321 4.5.2).

    The same bytes as smtplib's regular expression gives, about five times faster on a
    message with a 200 KB attachment, where that expression costs more CPU than all of
    the outbox's bookkeeping for the message.
    """
    if raw.startswith(b"."):
        raw = b"." + raw
    return raw.replace(b"\n.", b"\n..")


def _data(smtp: smtplib.SMTP, raw: bytes) -> tuple[int, bytes]:
    """smtplib.SMTP.data for bytes, with the faster dot-stuffing."""
    code, reply = smtp.docmd("data")
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    body = dot_stuffed(raw)
    smtp.send(body + b".\r\n" if body.endswith(b"\r\n") else body + b"\r\n.\r\n")
    return smtp.getreply()


def _quietly_close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.close()
    except OSError:
        logger.debug("closing a broken SMTP connection failed", exc_info=True)
