"""A real Dovecot IMAP server (Debian's dovecot-imapd) run by the tests from a folder of its own.

    server = DovecotServer(root)   # root: a folder whose parents others may traverse (/tmp/x, 0755)
    server.add_user("anna@dupont-sa.ch", "secret")        # INBOX + "Sent" flagged \\Sent
    server.add_user("bernd@dupont-sa.ch", "geheim", sent_special_use=False)   # no \\Sent at all
    server.create_folder("bernd@dupont-sa.ch", "Gesendete Objekte")           # a plain folder
    server.start()                 # IMAP on server.host:server.port (STARTTLS + tls_port if given
                                   # certificate=tests.smtp_server.self_signed_certificate(dir))
    server.maildir("anna@dupont-sa.ch")    # <root>/mail/dupont-sa.ch/anna/ (Maildir++: .Folder/)
    server.stop()                  # idempotent, about 2 s; start() again serves the same mail
Fixtures (tests/servers/fixtures.py, loaded by tests/conftest.py): `dovecot` is one running server
per session and xdist worker, `dovecot_user()` a fresh ImapAccount(server, address, password) on
it; `dovecot_factory(**options)` makes servers of the test's own (to stop them), removed after.
Postfix into the same Maildir: `virtual_mailbox_base = <root>/mail`, map line
`anna@dupont-sa.ch dupont-sa.ch/anna/`, `virtual_uid_maps = static:<server.mail_uid>` (gid alike).
"""

import os
import stat
import subprocess
from pathlib import Path

from tests.servers.listening import closed_wait, greeting_wait
from tests.smtp_server import Certificate, free_port

# Mail files belong to an unprivileged user: Dovecot refuses to serve mail as root, and
# Postfix's virtual agent refuses to deliver as root.
NOBODY = 65534


class DovecotError(RuntimeError):
    pass


class DovecotServer:
    def __init__(
        self,
        root: Path,
        *,
        mail_uid: int = NOBODY,
        mail_gid: int = NOBODY,
        certificate: Certificate | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.mail_uid, self.mail_gid = mail_uid, mail_gid
        self.certificate = certificate
        self.host = "127.0.0.1"
        self.port = free_port()
        # With a certificate: STARTTLS on `port`, implicit TLS on `tls_port`.
        self.tls_port = free_port() if certificate else 0
        self.config = self.root / "dovecot.conf"
        self.log = self.root / "dovecot.log"
        self._passwd = self.root / "passwd"  # a folder: one file per user
        self._running = False
        self._prepare_folders()
        self._write_config()

    # -- users and folders ---------------------------------------------------------------------

    def add_user(self, address: str, password: str, *, sent_special_use: bool = True) -> None:
        """A mailbox for `address`. With sent_special_use, a folder "Sent" flagged \\Sent exists."""
        if ":" in address or ":" in password or "\n" in address + password:
            raise ValueError("passwd-file fields cannot hold ':' or a line break")
        extra = ""
        if sent_special_use:
            # The config declares "Sent" with no flag; these userdb fields turn it on for this user.
            extra = (
                "userdb_namespace/inbox/mailbox/Sent/auto=create userdb_namespace/inbox/mailbox/Sent/special_use=\\Sent"
            )
        # One passwd-file per user: Dovecot opens a file the first time it is asked about that
        # user, so a user added while it runs is known at once (an edited shared file would be
        # re-read only on the next second).
        self._passwd_file(address).write_text(f"{address}:{{PLAIN}}{password}::::::{extra}\n")

    def create_folder(self, address: str, name: str) -> None:
        """A folder without special-use flag (any Unicode name: Dovecot stores it in mUTF-7)."""
        self._doveadm("mailbox", "create", "-u", address, name)

    def maildir(self, address: str) -> Path:
        localpart, domain = address.rsplit("@", 1)
        return self.root / "mail" / domain / localpart

    # -- process ---------------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> "DovecotServer":
        if self._running:
            return self
        # Not capture_output: the daemon inherits the pipes and keeps them open forever.
        errors = self.root / "dovecot.stderr"
        with errors.open("wb") as stderr:
            result = subprocess.run(
                ["dovecot", "-c", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                check=False,
            )
        if result.returncode != 0:
            raise DovecotError(f"dovecot did not start: {errors.read_text().strip()}")
        self._running = True
        if greeting_wait(self.host, self.port, greeting=b"* OK", timeout=timeout):
            return self
        self.stop()
        raise DovecotError(f"dovecot not answering on {self.port}: see {self.log}")

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        subprocess.run(["doveadm", "-c", str(self.config), "stop"], capture_output=True, check=False)
        # `stop` returns before the listener is closed: wait, so "server down" is really down.
        closed_wait(self.host, self.port)

    def __enter__(self) -> "DovecotServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- internals -------------------------------------------------------------------------------

    def _doveadm(self, *args: str) -> str:
        result = subprocess.run(["doveadm", "-c", str(self.config), *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise DovecotError(f"doveadm {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def _prepare_folders(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for folder in [self.root, *self.root.parents]:
            if not folder.stat().st_mode & stat.S_IXOTH:
                raise DovecotError(
                    f"{folder} is not traversable by others: the mail user ({self.mail_uid}) "
                    "could not reach its Maildir (make the root under /tmp with tempfile.mkdtemp)"
                )
        for name in ("run", "state"):
            (self.root / name).mkdir(exist_ok=True)
        mail = self.root / "mail"
        mail.mkdir(exist_ok=True)
        os.chown(mail, self.mail_uid, self.mail_gid)
        self._passwd.mkdir(exist_ok=True)

    def _passwd_file(self, address: str) -> Path:
        if "/" in address or address.startswith("."):
            raise ValueError(f"not an address for a file name: {address!r}")
        return self._passwd / address

    def _write_config(self) -> None:
        root, mail = self.root, self.root / "mail"
        if self.certificate:
            tls = f"ssl = yes\nssl_cert = <{self.certificate.cert}\nssl_key = <{self.certificate.key}\n"
        else:
            tls = "ssl = no\n"
        self.config.write_text(
            f"""\
# Written by tests/servers/dovecot.py: a private instance, nothing shared with the system's.
base_dir = {root}/run
state_dir = {root}/state
instance_name = dovecot-{self.port}
listen = 127.0.0.1
protocols = imap
{tls}disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password answers at once instead of after the default 2 s.
auth_failure_delay = 0
log_path = {self.log}
info_log_path = {self.log}
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:{mail}/%d/%n
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self._passwd}/%u
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self._passwd}/%u
  default_fields = uid={self.mail_uid} gid={self.mail_gid} home={mail}/%d/%n
}}
namespace inbox {{
  inbox = yes
  separator = /
  # Flagged \\Sent and created per user (add_user's userdb fields), else a plain name.
  mailbox Sent {{
    auto = no
  }}
}}
"""
        )
