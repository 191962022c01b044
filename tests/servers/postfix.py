"""A private Postfix relay (Debian's postfix) run by the tests from a folder of its own.

    relay = PostfixRelay(root, upstream_port=internet.port)   # internet: a tests.smtp_server.SmtpTestServer
    relay.deliver_locally("service@dupont-sa.ch", dovecot.maildir("service@dupont-sa.ch"), uid=dovecot.mail_uid)
    relay.start()                 # SMTP on relay.host:relay.port (DSN offered), loopback only
    relay.stop()

Everything that is not for a local mailbox is relayed to the fake "internet" on
`upstream_port` (no DNS); what it refuses with 5xx comes back at once as an RFC 3464
report to the envelope sender (`bounce_queue_lifetime = 0`). The company's domain is
delivered by Postfix's virtual agent into the Maildirs given to deliver_locally (a Dovecot
fixture's, tests/servers/dovecot.py), `local+anything@domain` into `local`'s (VERP).
Nothing of the system's own mail set-up is used or changed (see ../shared/NOTES.md).
"""

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from tests.servers.listening import closed_wait, greeting_wait
from tests.smtp_server import free_port

MASTER_CF = Path("/etc/postfix/master.cf")


class PostfixError(RuntimeError):
    pass


def postfix_available() -> bool:
    # Postfix's master starts only as root (it drops to the postfix user itself).
    return shutil.which("postfix") is not None and MASTER_CF.exists() and os.geteuid() == 0


class PostfixRelay:
    def __init__(self, root: Path, *, upstream_port: int, hostname: str = "relay.test") -> None:
        self.root = Path(root).resolve()
        self.host = "127.0.0.1"
        self.port = free_port()
        self.upstream_port = upstream_port
        self.hostname = hostname
        self.log = self.root / "maillog"
        self._mailboxes: dict[str, str] = {}
        self._domains: set[str] = set()
        self._mail_base: Path | None = None
        self._uid = self._gid = 0
        self._running = False

    def deliver_locally(self, address: str, maildir: Path, *, uid: int, gid: int | None = None) -> None:
        """Mail for `address` (and its +extensions) goes into `maildir`, owned by uid:gid."""
        maildir = Path(maildir).resolve()
        # The virtual agent takes paths relative to one base: the Maildirs' common root.
        base = maildir.parent.parent
        if self._mail_base not in (None, base):
            raise PostfixError(f"all local Maildirs must share one root ({self._mail_base})")
        self._mail_base, self._uid, self._gid = base, uid, gid if gid is not None else uid
        self._domains.add(address.rsplit("@", 1)[1])
        self._mailboxes[address] = f"{maildir.relative_to(base)}/"

    # -- process ---------------------------------------------------------------------------------

    def start(self, timeout: float = 20.0) -> "PostfixRelay":
        if self._running:
            return self
        self._write_config()
        result = subprocess.run(["postfix", "-c", str(self.root), "start"], capture_output=True, text=True)
        if result.returncode != 0:
            raise PostfixError(f"postfix did not start: {result.stderr.strip() or result.stdout.strip()}")
        self._running = True
        if greeting_wait(self.host, self.port, greeting=b"220", timeout=timeout, interval=0.1):
            return self
        self.stop()
        raise PostfixError(f"postfix not answering on {self.port}: see {self.log}")

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        subprocess.run(["postfix", "-c", str(self.root), "stop"], capture_output=True, check=False)
        closed_wait(self.host, self.port)

    def flush(self) -> None:
        """Tries the deferred mail again now."""
        subprocess.run(["postqueue", "-c", str(self.root), "-f"], capture_output=True, check=False)

    def __enter__(self) -> "PostfixRelay":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- configuration ---------------------------------------------------------------------------

    def _write_config(self) -> None:
        root = self.root
        root.mkdir(parents=True, exist_ok=True)
        postfix_user = pwd.getpwnam("postfix")
        (root / "queue").mkdir(exist_ok=True)
        data = root / "data"
        data.mkdir(exist_ok=True)
        os.chown(data, postfix_user.pw_uid, postfix_user.pw_gid)
        mailbox_map = root / "virtual_mailboxes"
        mailbox_map.write_text("".join(f"{address} {path}\n" for address, path in self._mailboxes.items()))
        local = ""
        if self._mail_base is not None:
            local = f"""\
virtual_mailbox_domains = {" ".join(sorted(self._domains))}
virtual_mailbox_maps = texthash:{mailbox_map}
virtual_mailbox_base = {self._mail_base}
virtual_uid_maps = static:{self._uid}
virtual_gid_maps = static:{self._gid}
# 0: no limit; a limit below message_size_limit makes the virtual agent refuse to run.
virtual_mailbox_limit = 0
"""
        (root / "main.cf").write_text(
            f"""\
# Written by tests/servers/postfix.py: a private instance, nothing shared with the system's.
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {data}
maillog_file = {self.log}
maillog_file_prefixes = {root}
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
myhostname = {self.hostname}
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:{self.upstream_port}
smtp_dns_support_level = disabled
# A refusal comes back at once; a temporary one is retried soon (flush() for at once).
bounce_queue_lifetime = 0
minimal_backoff_time = 1s
maximal_backoff_time = 2s
queue_run_delay = 1s
recipient_delimiter = +
smtputf8_enable = yes
{local}"""
        )
        (root / "master.cf").write_text(_master_cf(self.port))


def _master_cf(port: int) -> str:
    """Debian's master.cf, its SMTP listener on our port, every service outside a chroot."""
    lines = []
    for line in MASTER_CF.read_text().splitlines():
        fields = line.split()
        if line.startswith(("#", " ", "\t")) or len(fields) < 8:
            lines.append(line)
            continue
        if fields[0] == "smtp" and fields[1] == "inet":
            fields[0] = f"127.0.0.1:{port}"
        fields[4] = "n"  # chroot: the private queue has none of the files a chroot needs
        lines.append("  ".join(fields[:8]) + ("  " + " ".join(fields[8:]) if fields[8:] else ""))
    if not any(line.startswith("postlog") for line in lines):
        lines.append("postlog   unix-dgram n  -       n       -       1       postlogd")
    return "\n".join(lines) + "\n"
