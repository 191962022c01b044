"""The bounce mailbox over IMAP (IMAPClient): where it is, and one reading of it by UID.

Only the messages recognised as reports about our own emails are touched: marked seen,
then moved to a folder of their own (created when missing). Every other message (a
person's mail, a bounce of their own, a message too large to be a report) is read with
BODY.PEEK, so its flags stay exactly as they were, and left where it is. The UID up to
which the folder was read is kept, so ordinary messages are read once, not at every poll.
"""

import ipaddress
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from imapclient import IMAPClient

from organisatrice.vault import SecretUnreadable, secret_decrypt

from ..models import BounceMailbox
from .matching import Match, reports_match
from .parsing import bounce_parse
from .reports import ParsedReport, ReportKind

# Larger messages are not reports (RET=HDRS returns headers only): left unread.
MAX_MESSAGE_BYTES = 10 * 1024 * 1024
# Messages read per fetch, and per reading (the next poll takes the rest).
FETCH_BATCH = 50
MAX_PER_READING = 2000
# The reports that leave the folder; an auto-reply or a feedback report is recorded but stays.
MOVED_KINDS = {ReportKind.BOUNCE, ReportKind.DELIVERED}

Security = BounceMailbox.Security


class MailboxConfigError(ValueError):
    """The mailbox's address or settings cannot be used (a clear message, in French)."""


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    port: int
    security: str
    username: str
    password: str
    folder: str = "INBOX"
    processed_folder: str = "Rapports de remise"
    timeout: float = 30.0

    def describe(self) -> str:
        """The mailbox for a status line: never the password."""
        return f"{self.username}@{self.host}:{self.port}/{self.folder}"


def mailbox_config_from_url(url: str) -> MailboxConfig:
    """`imap://user:password@host:port/FOLDER` or `imaps://…`, user and password percent-encoded.

    imap:// asks for STARTTLS, and goes without it only to a loopback address.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise MailboxConfigError(_("EMAIL_BOUNCE_MAILBOX : adresse attendue imap://… ou imaps://…"))
    if not parts.username:
        raise MailboxConfigError(_("EMAIL_BOUNCE_MAILBOX : l'utilisateur manque (imap://utilisateur:mot-de-passe@…)"))
    try:
        port = parts.port
    except ValueError as error:
        raise MailboxConfigError(_("EMAIL_BOUNCE_MAILBOX : port invalide")) from error
    security = Security.IMAPS if parts.scheme == "imaps" else Security.STARTTLS
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return MailboxConfig(
        host=parts.hostname,
        port=port or (993 if security == Security.IMAPS else 143),
        security=security,
        username=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=folder,
    )


def mailbox_config(row: BounceMailbox) -> MailboxConfig | None:
    """The mailbox to read: the backoffice's, else EMAIL_BOUNCE_MAILBOX; None when there is none."""
    if not row.enabled:
        return None
    if row.host:
        try:
            password = secret_decrypt(row.password_encrypted) if row.password_encrypted else ""
        except SecretUnreadable as error:
            raise MailboxConfigError(
                _(
                    "Le mot de passe enregistré ne peut pas être déchiffré (SECRETS_ENCRYPTION_KEYS a changé) : "
                    "saisissez-le à nouveau."
                )
            ) from error
        return MailboxConfig(
            host=row.host,
            port=row.port or (993 if row.security == Security.IMAPS else 143),
            security=row.security,
            username=row.username,
            password=password,
            folder=row.folder or "INBOX",
            processed_folder=row.processed_folder or "Rapports de remise",
        )
    if not settings.EMAIL_BOUNCE_MAILBOX:
        return None
    config = mailbox_config_from_url(settings.EMAIL_BOUNCE_MAILBOX)
    return MailboxConfig(**{**config.__dict__, "processed_folder": row.processed_folder or config.processed_folder})


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cache
def _tls_context() -> ssl.SSLContext:
    """The system's trusted CAs, loaded once per process: loading them costs about 100 ms, as much
    as the rest of a connection, and every poll and every Sent-folder copy connects anew."""
    return ssl.create_default_context()


def mailbox_connect(config: MailboxConfig) -> IMAPClient:
    """A logged-in connection; raises what the network, TLS or the server says (see mailbox_error_text)."""
    context = _tls_context()
    client = IMAPClient(
        config.host,
        port=config.port,
        ssl=config.security == Security.IMAPS,
        ssl_context=context,
        timeout=config.timeout,
    )
    try:
        if config.security == Security.STARTTLS:
            if client.has_capability("STARTTLS"):
                client.starttls(context)
            elif not _is_loopback(config.host):
                raise MailboxConfigError(
                    _("Le serveur IMAP n'offre pas STARTTLS : le mot de passe n'est pas envoyé en clair.")
                )
        client.login(config.username, config.password)
    except BaseException:
        _quietly_logout(client)
        raise
    return client


def mailbox_close(client: IMAPClient) -> None:
    """Logs out, or at least closes the socket when the server is gone."""
    try:
        client.logout()
    except Exception:
        try:
            client.shutdown()
        except Exception:
            return


_quietly_logout = mailbox_close


@dataclass
class Reading:
    uidvalidity: int
    last_uid: int
    read: int = 0
    reports: int = 0
    moved: int = 0
    more: bool = False


# Records a recognised report of ours.
Recorder = Callable[[bytes, ParsedReport, Match], None]


def mailbox_read(
    client: IMAPClient,
    config: MailboxConfig,
    *,
    uidvalidity: int | None,
    last_uid: int,
    record: Recorder,
    progress: Callable[[int, int], None],
) -> Reading:
    """Reads the folder's messages after `last_uid`, records the reports, moves those of ours.

    `progress(uidvalidity, uid)` is called after each batch is handled, so an interrupted
    reading starts again after what was done (recording twice is harmless).
    """
    selected = client.select_folder(config.folder)
    current = int(selected[b"UIDVALIDITY"])
    if current != uidvalidity:
        # The folder was re-created: its UIDs mean other messages now.
        last_uid = 0
    reading = Reading(uidvalidity=current, last_uid=last_uid)
    uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
    reading.more = len(uids) > MAX_PER_READING
    uids = uids[:MAX_PER_READING]
    folder_ready = False
    for start in range(0, len(uids), FETCH_BATCH):
        batch = uids[start : start + FETCH_BATCH]
        sizes = client.fetch(batch, ["RFC822.SIZE"])
        small = [uid for uid in batch if int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0)) <= MAX_MESSAGE_BYTES]
        bodies = client.fetch(small, ["BODY.PEEK[]"]) if small else {}
        reports: list[tuple[int, bytes, ParsedReport]] = []
        for uid in small:
            raw = bodies.get(uid, {}).get(b"BODY[]")
            if isinstance(raw, bytes):
                reading.read += 1
                parsed = bounce_parse(raw)
                if parsed.kind != ReportKind.OTHER:
                    reports.append((uid, raw, parsed))
        ours: list[int] = []
        # Only reports about our emails are kept and moved; the others stay as they are.
        for (uid, raw, parsed), match in zip(reports, reports_match([p for _u, _r, p in reports]), strict=True):
            if match.email_id is not None:
                record(raw, parsed, match)
                reading.reports += 1
                if parsed.kind in MOVED_KINDS:
                    ours.append(uid)
        if ours:
            if not folder_ready:
                if not client.folder_exists(config.processed_folder):
                    client.create_folder(config.processed_folder)
                folder_ready = True
            _move(client, ours, config.processed_folder)
            reading.moved += len(ours)
        reading.last_uid = batch[-1]
        progress(current, reading.last_uid)
    return reading


def _move(client: IMAPClient, uids: list[int], folder: str) -> None:
    # Seen first: the flag travels with the message.
    client.add_flags(uids, [b"\\Seen"], silent=True)
    if client.has_capability("MOVE"):
        client.move(uids, folder)
        return
    client.copy(uids, folder)
    client.add_flags(uids, [b"\\Deleted"], silent=True)
    if client.has_capability("UIDPLUS"):
        # Only these UIDs: a plain EXPUNGE would also remove what the mailbox's owner deleted.
        client.uid_expunge(uids)
