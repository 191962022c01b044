"""A real SMTP server for tests: aiosmtpd in a thread of the test process.

It records what it receives (envelope and raw bytes) and can be told to misbehave for the
next messages: answer 421/451/550, drop the connection after DATA, hold its reply until
the test releases it, refuse given recipients. With a certificate it offers STARTTLS
(or implicit TLS) and can require a login.

    server = SmtpTestServer()
    server.start()
    ...  # point EMAIL_HOST/EMAIL_PORT at server.host/server.port
    server.fail_next("451 4.3.0 Try again later", count=2)
    server.wait_for(3)
    server.stop()
"""

import asyncio
import email
import email.policy
import logging
import socket
import ssl
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

# aiosmtpd logs every command at INFO: noise in a failing test's output, and real work
# for a server taking thousands of messages.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    """A TCP port nothing listens on (right now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


def self_signed_certificate(directory: Path) -> Certificate:
    """A certificate for 127.0.0.1 and localhost, made with the openssl command."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert=cert, key=key)


@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    mail_options: list[str]
    connection: int
    tls: bool
    login: str | None
    # time.monotonic() when the data arrived; the clock is the machine's, shared by processes.
    received_at: float = field(default_factory=time.monotonic)

    @property
    def message(self) -> email.message.EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class _Fault:
    kind: str  # "pass", "reply", "drop" or "hold"
    reply: str = ""
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)


class RecordingHandler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[ReceivedMessage] = []  # answered 250 (or held, then released)
        self.answered: list[tuple[str, ReceivedMessage]] = []  # answered with a planned error
        self.dropped: list[ReceivedMessage] = []  # connection dropped after the data arrived
        self.faults: deque[_Fault] = deque()
        self.recipient_replies: dict[str, str] = {}
        self.credentials: tuple[str, str] | None = None
        self.connections = 0
        self.delay = 0.0

    def _connection_number(self, session: Session) -> int:
        number = getattr(session, "test_number", None)
        if number is None:
            with self.lock:
                self.connections += 1
                number = self.connections
            session.test_number = number
        return int(number)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        self._connection_number(session)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self.recipient_replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        received = ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            data=bytes(envelope.original_content or b""),
            mail_options=list(envelope.mail_options),
            connection=self._connection_number(session),
            tls=server.transport is not None and server.transport.get_extra_info("ssl_object") is not None,
            login=session.auth_data if isinstance(session.auth_data, str) else None,
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            fault = self.faults.popleft() if self.faults else None
            if fault is None or fault.kind == "pass":
                self.received.append(received)
                return f"250 2.0.0 Ok: queued as T{len(self.received)}"
            if fault.kind == "reply":
                self.answered.append((fault.reply, received))
                return fault.reply
            if fault.kind == "drop":
                self.dropped.append(received)
            else:
                # Held: the server has the message and will say so, too late for a
                # client that died meanwhile.
                self.received.append(received)
        if fault.kind == "drop":
            assert server.transport is not None
            server.transport.abort()
            raise ConnectionResetError("dropped by the test server")
        fault.reached.set()
        while not fault.released.is_set():
            await asyncio.sleep(0.01)
        return "250 2.0.0 Ok: queued after a hold"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword) or self.credentials is None:
            return AuthResult(success=False, handled=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        return AuthResult(success=(login, password) == self.credentials, handled=False, auth_data=login)


class SmtpTestServer:
    def __init__(
        self,
        *,
        certificate: Certificate | None = None,
        implicit_tls: bool = False,
        credentials: tuple[str, str] | None = None,
        port: int | None = None,
        smtputf8: bool = True,
    ) -> None:
        self.handler = RecordingHandler()
        self.handler.credentials = credentials
        self.host = "127.0.0.1"
        self.port = port or free_port()
        options: dict[str, Any] = {"enable_SMTPUTF8": smtputf8}
        if certificate is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(certificate.cert, certificate.key)
            if implicit_tls:
                options["ssl_context"] = context
            else:
                options.update(tls_context=context, require_starttls=True)
        if credentials is not None:
            options.update(authenticator=self.handler.authenticate, auth_required=True, auth_require_tls=True)
        self.running = False
        self.controller = Controller(
            self.handler, hostname=self.host, port=self.port, data_size_limit=64 * 1024 * 1024, **options
        )

    def start(self) -> "SmtpTestServer":
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        if not self.running:
            return
        with self.handler.lock:
            for fault in self.handler.faults:
                fault.released.set()
        self.controller.stop()
        self.running = False

    def __enter__(self) -> "SmtpTestServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # What arrived.

    @property
    def received(self) -> list[ReceivedMessage]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def dropped(self) -> list[ReceivedMessage]:
        with self.handler.lock:
            return list(self.handler.dropped)

    @property
    def answered(self) -> list[tuple[str, ReceivedMessage]]:
        with self.handler.lock:
            return list(self.handler.answered)

    def message_ids(self) -> list[str]:
        return [message.message_id for message in self.received]

    def wait_for(self, count: int, *, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Waits until `count` messages were received (accepted); returns them all."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.received)} of {count} messages received within {timeout} s")
            time.sleep(0.01)
        return self.received

    # What goes wrong next.

    def fail_next(self, reply: str, *, count: int = 1) -> None:
        """Answers `reply` (e.g. "451 4.3.0 Try again later") to the next `count` messages."""
        with self.handler.lock:
            self.handler.faults.extend(_Fault("reply", reply) for _ in range(count))

    def drop_next(self, *, count: int = 1) -> None:
        """Closes the connection after the next messages' data, without replying."""
        with self.handler.lock:
            self.handler.faults.extend(_Fault("drop") for _ in range(count))

    def hold_next(self, *, after: int = 0) -> tuple[threading.Event, threading.Event]:
        """Accepts `after` messages, then keeps the next one's reply until released.

        Returns (reached, released): `reached` is set once the held message's data has
        arrived; setting `released` lets the server answer 250. The held message counts
        as received: the server has it, whether or not its client hears so.
        """
        fault = _Fault("hold")
        with self.handler.lock:
            self.handler.faults.extend(_Fault("pass") for _ in range(after))
            self.handler.faults.append(fault)
        return fault.reached, fault.released

    def refuse_recipient(self, address: str, reply: str = "550 5.1.1 No such user here") -> None:
        self.handler.recipient_replies[address.lower()] = reply

    def slow_down(self, seconds: float) -> None:
        """Waits this long before answering each message's data."""
        self.handler.delay = seconds


class SilentServer:
    """Accepts TCP connections and never says a word: a hung SMTP server."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.host = "127.0.0.1"
        self.port = int(self.listener.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def __enter__(self) -> "SilentServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()
