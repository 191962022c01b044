"""The Sent copy's writes: the employee's mailbox (tested before it is stored, removable), and
the record of each accepted email's copy, made when the outbox announces the acceptance (the
copy itself is tasks.py's)."""

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from imapclient.exceptions import IMAPClientError

from organisatrice.people.models import Employee
from organisatrice.vault import secret_encrypt

from . import imap
from .imap import Account, CopyError
from .models import Security, SentCopy, SentCopyMailbox
from .selectors import sent_copy_mailbox_account
from .tasks import sent_copy_schedule

logger = logging.getLogger(__name__)
Status = SentCopy.Status


class SentCopyInvalid(Exception):
    """The settings cannot be stored: the reason, in French, for the field it concerns."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- The employee's mailbox -------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionTest:
    ok: bool
    message: str
    # The folder found (\Sent flag, else a usual name), and every folder one may choose.
    found: str | None = None
    folders: tuple[str, ...] = ()


def sent_copy_connection_test(*, account: Account) -> ConnectionTest:
    """Logs in and looks for the Sent folder; says what it found, in French."""
    try:
        _single_lines(host=account.host, username=account.username, password=account.password)
        client = imap.connect(account, interactive=True)
    except SentCopyInvalid as invalid:
        return ConnectionTest(ok=False, message=invalid.message)
    except CopyError as error:
        return ConnectionTest(ok=False, message=error.message)
    try:
        found = imap.sent_folder_find(client)
        folders = tuple(imap.folders(client))
    except (OSError, IMAPClientError) as error:
        return ConnectionTest(ok=False, message=imap.server_down_text(account, error))
    finally:
        imap.disconnect(client)
    if found is None:
        return ConnectionTest(
            ok=True,
            message=_("Connexion réussie, mais aucun dossier des envoyés reconnu : choisissez-en un."),
            folders=folders,
        )
    return ConnectionTest(
        ok=True,
        message=_("Connexion réussie ; dossier des envoyés : « %(folder)s ».") % {"folder": found},
        found=found,
        folders=folders,
    )


def _single_lines(**values: str) -> None:
    # Each goes into an IMAP command line: a CR, LF or NUL there would end it and start another.
    for field, value in values.items():
        if any(ord(character) < 32 or ord(character) == 127 for character in value):
            raise SentCopyInvalid(
                _("Ce texte contient un caractère non autorisé (retour à la ligne, NUL…)."), field=field
            )


def _account_from_settings(
    *,
    employee: Employee,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str = "",
    folder: str = "",
) -> Account:
    """The account the settings typed on the page name, checked; an empty password is the stored
    one (the pages never show it back)."""
    _single_lines(host=host, username=username, password=password, folder=folder)
    if not host or any(character.isspace() for character in host) or "/" in host:
        raise SentCopyInvalid(_("Nom de serveur invalide."), field="host")
    if security not in Security.values:
        raise SentCopyInvalid(_("Sécurité inconnue."), field="security")
    if not password:
        existing = SentCopyMailbox.objects.filter(employee=employee).first()
        if existing is None or not existing.password_encrypted:
            raise SentCopyInvalid(_("Le mot de passe est requis."), field="password")
        try:
            password = sent_copy_mailbox_account(existing).password
        except CopyError as error:
            raise SentCopyInvalid(error.message, field="password") from error
    return Account(host=host, port=port, security=security, username=username, password=password)


def sent_copy_settings_test(*, employee: Employee, **settings: Any) -> ConnectionTest:
    """Tests settings before they are saved, the same as sent_copy_mailbox_save takes them
    (SentCopyInvalid for settings that cannot be tried)."""
    return sent_copy_connection_test(account=_account_from_settings(employee=employee, **settings))


def sent_copy_mailbox_save(
    *,
    employee: Employee,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str = "",
    folder: str = "",
) -> tuple[SentCopyMailbox, ConnectionTest]:
    """Tests the connection and the folder, then stores the settings and turns the copy on.

    An empty password keeps the stored one. Nothing is stored when the login fails or the
    folder does not exist: SentCopyInvalid says why.
    """
    account = _account_from_settings(
        employee=employee, host=host, port=port, security=security, username=username, password=password, folder=folder
    )
    test = sent_copy_connection_test(account=account)
    if not test.ok:
        raise SentCopyInvalid(test.message)
    chosen = folder or test.found
    if not chosen:
        raise SentCopyInvalid(test.message, field="folder")
    if chosen not in test.folders:
        raise SentCopyInvalid(imap.folder_gone_text(chosen), field="folder")
    message = test.message
    if folder and folder != test.found:
        message = _("Connexion réussie ; les copies iront dans « %(folder)s ».") % {"folder": folder}
    values: dict[str, Any] = {
        "host": host,
        "port": port,
        "security": security,
        "username": username,
        "password_encrypted": secret_encrypt(account.password),
        "folder": chosen,
        "enabled": True,
        "tested_at": timezone.now(),
        "test_ok": True,
        "test_result": message,
    }
    with transaction.atomic():
        mailbox, _created = SentCopyMailbox.objects.update_or_create(employee=employee, defaults=values)
        _failed_copies_retry(employee=employee)
    return mailbox, ConnectionTest(ok=True, message=message, found=chosen, folders=test.folders)


# Copies that failed (a wrong password, a folder gone) are tried again with new settings.
RETRIED_AFTER_SAVE = 200


def _failed_copies_retry(*, employee: Employee) -> None:
    ids = list(
        SentCopy.objects.filter(email__sender=employee, status=Status.FAILED)
        .order_by("-email_id")
        .values_list("email_id", flat=True)[:RETRIED_AFTER_SAVE]
    )
    SentCopy.objects.filter(email_id__in=ids).update(
        status=Status.PENDING, attempts=0, error="", next_attempt_at=timezone.now()
    )
    for email_id in ids:
        sent_copy_schedule(email_id=email_id)


def sent_copy_mailbox_remove(*, employee: Employee) -> bool:
    """Turns the copy off and forgets the settings and the password; False when there were none."""
    deleted, _rows = SentCopyMailbox.objects.filter(employee=employee).delete()
    return bool(deleted)


# --- The copy of each accepted email ----------------------------------------------------------


def sent_copy_on_acceptance(sender: object, *, email_id: int, **kwargs: object) -> None:
    """emails.outbox.signals.email_accepted: a copy to make when the sender has the copy on."""
    # One query per accepted email, for every sender: most have the copy off.
    if not SentCopyMailbox.objects.filter(enabled=True, employee__sent_emails=email_id).exists():
        return
    with transaction.atomic():
        _copy, created = SentCopy.objects.get_or_create(email_id=email_id, defaults={"next_attempt_at": timezone.now()})
        if created:
            sent_copy_schedule(email_id=email_id)
