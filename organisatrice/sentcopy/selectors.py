from django.utils.translation import gettext as _

from organisatrice.emails.models import OutgoingEmail
from organisatrice.people.models import Employee
from organisatrice.vault import SecretUnreadable, secret_decrypt

from .imap import Account, CopyError
from .models import SentCopy, SentCopyMailbox, SentCopyServer


def sent_copy_mailbox_get(*, employee: Employee) -> SentCopyMailbox | None:
    return SentCopyMailbox.objects.filter(employee=employee).first()


def sent_copy_server_get() -> SentCopyServer:
    """The company's default IMAP server (the one row, made on first use)."""
    server, _created = SentCopyServer.objects.get_or_create(pk=1)
    return server


def sent_copy_for_email(*, email: OutgoingEmail) -> SentCopy | None:
    return SentCopy.objects.filter(email=email).first()


def sent_copy_mailbox_account(mailbox: SentCopyMailbox) -> Account:
    """The stored settings with the password decrypted; CopyError when no key opens it."""
    try:
        password = secret_decrypt(mailbox.password_encrypted)
    except SecretUnreadable as error:
        raise CopyError(
            _("Le mot de passe enregistré ne peut plus être déchiffré : saisissez-le à nouveau."), temporary=False
        ) from error
    return Account(
        host=mailbox.host, port=mailbox.port, security=mailbox.security, username=mailbox.username, password=password
    )
