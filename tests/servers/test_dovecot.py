"""The Dovecot test server itself: what the other tests rely on."""

import imaplib
import os
import ssl

import pytest

from tests.servers.dovecot import DovecotServer
from tests.smtp_server import self_signed_certificate


def _list(server: DovecotServer, address: str, password: str) -> list[bytes]:
    imap = imaplib.IMAP4(server.host, server.port)
    imap.login(address, password)
    _, folders = imap.list()
    imap.logout()
    return [folder for folder in folders if isinstance(folder, bytes)]


def test_a_user_has_a_sent_folder_flagged_sent(dovecot_user):
    account = dovecot_user()
    folders = _list(account.server, account.address, account.password)
    assert b'(\\HasNoChildren \\Sent) "/" Sent' in folders


def test_a_user_without_special_use_gets_plain_folders(dovecot_user, dovecot):
    account = dovecot_user(sent_special_use=False)
    dovecot.create_folder(account.address, "Gesendete Objekte")
    dovecot.create_folder(account.address, "Éléments envoyés")
    folders = _list(account.server, account.address, account.password)
    assert not any(b"\\Sent" in folder for folder in folders)
    assert b'(\\HasNoChildren) "/" "Gesendete Objekte"' in folders
    assert b'(\\HasNoChildren) "/" "&AMk-l&AOk-ments envoy&AOk-s"' in folders
    assert (account.maildir / ".Gesendete Objekte" / "cur").is_dir()


def test_a_wrong_password_is_refused(dovecot_user):
    account = dovecot_user()
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        _list(account.server, account.address, "wrong")


def test_stopped_then_started_again_on_the_same_port(dovecot_factory):
    server = dovecot_factory()
    server.add_user("anna@dupont-sa.ch", "secret")
    server.start()
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(ConnectionRefusedError):
        imaplib.IMAP4(server.host, server.port)
    server.start()
    assert _list(server, "anna@dupont-sa.ch", "secret")


def test_postfix_style_delivery_into_the_maildir_is_served(dovecot_user):
    # What a Postfix virtual mailbox does: a file in <maildir>/new.
    account = dovecot_user()
    server = account.server
    for folder in (account.maildir.parent, account.maildir, account.maildir / "new"):
        folder.mkdir(exist_ok=True)
        os.chown(folder, server.mail_uid, server.mail_gid)
    delivered = account.maildir / "new" / "1.test"
    delivered.write_bytes(b"Subject: hello\r\n\r\nbody\r\n")
    os.chown(delivered, server.mail_uid, server.mail_gid)
    imap = imaplib.IMAP4(account.server.host, account.server.port)
    imap.login(account.address, account.password)
    _, count = imap.select("INBOX")
    assert count == [b"1"]
    imap.logout()


def test_tls_implicit_and_starttls_with_a_certificate(dovecot_factory, tmp_path):
    certificate = self_signed_certificate(tmp_path)
    server = dovecot_factory(certificate=certificate)
    server.add_user("anna@dupont-sa.ch", "secret")
    server.start()
    context = ssl.create_default_context(cafile=str(certificate.cert))
    with imaplib.IMAP4_SSL(server.host, server.tls_port, ssl_context=context) as imap:
        assert imap.login("anna@dupont-sa.ch", "secret")[0] == "OK"
    with imaplib.IMAP4(server.host, server.port) as imap:
        imap.starttls(ssl_context=context)
        assert imap.login("anna@dupont-sa.ch", "secret")[0] == "OK"
