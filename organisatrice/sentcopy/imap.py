"""The employee's mailbox over IMAP: log in, find the Sent folder, append a copy, look for one.

The connection (TLS, STARTTLS, login) is the delivery room's (emails.delivery.mailbox);
what is added here is what a Sent copy needs. Folder names are str: IMAPClient encodes and
decodes IMAP's modified UTF-7 ("Éléments envoyés" is "&AMk-l&AOk-ments envoy&AOk-s" on the
wire) and quotes names with spaces.
"""

import datetime
import socket
import ssl
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from organisatrice.emails.delivery.mailbox import (
    MailboxConfig,
    MailboxConfigError,
    mailbox_close,
    mailbox_connect,
)
from organisatrice.emails.delivery.mailbox import (
    Security as DeliverySecurity,
)

from .models import Security

# Where no folder carries the \Sent flag (RFC 6154): the names mail programs give it.
USUAL_SENT_NAMES = (
    "Sent",
    "Sent Items",
    "Sent Messages",
    "Envoyés",
    "Éléments envoyés",
    "Messages envoyés",
    "Gesendet",
    "Gesendete Objekte",
    "Gesendete Elemente",
    "Inviati",
    "Posta inviata",
    "Elementi inviati",
)
SENT_FLAG = b"\\Sent"

_SECURITY = {
    Security.TLS: DeliverySecurity.IMAPS,
    Security.STARTTLS: DeliverySecurity.STARTTLS,
    Security.NONE: DeliverySecurity.PLAIN,
}


@dataclass(frozen=True)
class Account:
    host: str
    port: int
    security: str
    username: str
    password: str


class CopyError(Exception):
    """A failure, with the reason in French for the employee; `temporary` ones are retried."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.message = message
        self.temporary = temporary


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


_USUAL = [_key(name) for name in USUAL_SENT_NAMES]


# A person waits for the connection test (page, API): it gives up sooner than a task would.
INTERACTIVE_TIMEOUT = 10.0


def connect(account: Account, *, interactive: bool = False) -> IMAPClient:
    """A logged-in connection, or CopyError saying why not."""
    timeout = settings.SENT_COPY_IMAP_TIMEOUT
    if interactive:
        timeout = min(timeout, INTERACTIVE_TIMEOUT)
    config = MailboxConfig(
        host=account.host,
        port=account.port,
        security=_SECURITY[Security(account.security)],
        username=account.username,
        password=account.password,
        timeout=timeout,
    )
    try:
        return mailbox_connect(config)
    except LoginError as error:
        raise CopyError(
            _("Connexion refusée par le serveur IMAP : identifiant ou mot de passe incorrect."), temporary=False
        ) from error
    except MailboxConfigError as error:
        raise CopyError(str(error), temporary=False) from error
    except ssl.SSLCertVerificationError as error:
        raise CopyError(
            _("Le certificat du serveur IMAP n'est pas valable : %(reason)s") % {"reason": error.verify_message},
            temporary=False,
        ) from error
    except (OSError, IMAPClientError) as error:
        # Refused, unreachable, timed out, a TLS hand-shake cut, a server saying BYE: it may be back.
        raise CopyError(server_down_text(account, error), temporary=True) from error


def server_down_text(account: Account, error: BaseException) -> str:
    if isinstance(error, socket.gaierror):
        detail = _("nom de serveur inconnu")
    elif isinstance(error, TimeoutError | socket.timeout):
        detail = _("pas de réponse à temps")
    elif isinstance(error, ConnectionRefusedError):
        detail = _("connexion refusée")
    else:
        detail = f"{type(error).__name__}: {error}"
    return _("Serveur IMAP injoignable (%(host)s:%(port)s) : %(detail)s.") % {
        "host": account.host,
        "port": account.port,
        "detail": detail,
    }


def folders(client: IMAPClient) -> list[str]:
    """The folders one can append to (not those flagged \\Noselect), in the server's order."""
    return [name for flags, _delimiter, name in client.list_folders() if b"\\Noselect" not in flags]


def sent_folder_find(client: IMAPClient) -> str | None:
    """The folder flagged \\Sent (LIST, else Gmail's older XLIST), else the first usual name."""
    listed = client.list_folders()
    for flags, _delimiter, name in listed:
        if SENT_FLAG in flags:
            return str(name)
    if client.has_capability("XLIST"):
        for flags, _delimiter, name in client.xlist_folders():
            if SENT_FLAG in flags:
                return str(name)
    # By name: the leaf ("INBOX.Sent" is a Sent), ranked by the list's order of usualness.
    ranked: list[tuple[int, int, str]] = []
    for position, (flags, delimiter, name) in enumerate(listed):
        if b"\\Noselect" in flags:
            continue
        leaf = name.rsplit(delimiter.decode(), 1)[-1] if delimiter else name
        if _key(leaf) in _USUAL:
            ranked.append((_USUAL.index(_key(leaf)), position, str(name)))
    return min(ranked)[2] if ranked else None


def folder_gone_text(folder: str) -> str:
    return _(
        "Le dossier « %(folder)s » n'existe pas (ou plus) sur le serveur : choisissez-en un autre dans "
        "« Copie dans mes envoyés »."
    ) % {"folder": folder}


def copy_find(client: IMAPClient, *, folder: str, message_id: str) -> bool:
    """Whether the folder already holds a message with this Message-ID (a copy appended by an
    attempt that did not live to record it)."""
    try:
        client.select_folder(folder, readonly=True)
    except IMAPClientError as error:
        raise CopyError(folder_gone_text(folder), temporary=False) from error
    return bool(client.search(["HEADER", "Message-ID", message_id]))


def copy_append(client: IMAPClient, *, folder: str, raw: bytes, sent_at: datetime.datetime) -> int | None:
    """Appends the bytes as they are, seen, dated by the send; the new UID when the server says it."""
    try:
        answer = client.append(folder, raw, flags=(b"\\Seen",), msg_time=sent_at)
    except IMAPClientError as error:
        text = str(error)
        if "TRYCREATE" in text or not _exists(client, folder):
            raise CopyError(folder_gone_text(folder), temporary=False) from error
        raise CopyError(_("Le serveur IMAP a refusé la copie : %(reply)s") % {"reply": text}, temporary=True) from error
    # UIDPLUS: b"[APPENDUID <uidvalidity> <uid>] Append completed."
    parts = answer.split(b"]", 1)[0].split() if answer.startswith(b"[APPENDUID") else []
    return int(parts[2]) if len(parts) == 3 and parts[2].isdigit() else None


def _exists(client: IMAPClient, folder: str) -> bool:
    try:
        return bool(client.folder_exists(folder))
    except (OSError, IMAPClientError):
        return True  # unknown: the connection is what failed, not the folder


def disconnect(client: IMAPClient) -> None:
    mailbox_close(client)
