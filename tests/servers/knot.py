"""A real authoritative DNS server (Debian's knot) run by the tests from a folder of its own.

    server = KnotServer(root, zones=["dupont-sa.ch", "relay.test"])
    server.set_records("dupont-sa.ch", ['@ TXT "v=spf1 ip4:127.0.0.1 -all"', "@ MX 10 mx"])
    server.start()                  # UDP and TCP on server.host:server.port
    server.set_records(...)         # later: the zone file rewritten and reloaded, answered at once
    server.resolver                 # "127.0.0.1:PORT", for settings.DNS_RESOLVER
    server.stop()

Each zone gets an SOA and an NS with its address added; a record line is written as given,
relative names to the zone. TXT values longer than 255 bytes are cut into strings by txt().
knotd runs in the foreground as a child of the test process, so stop() ends it alone.
"""

import os
import subprocess
import time
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rdatatype

from tests.smtp_server import free_port

TXT_STRING_MAX = 255


class KnotError(RuntimeError):
    pass


def txt(value: str) -> str:
    """A TXT value as zone file strings, each at most 255 bytes."""
    chunks = [value[i : i + TXT_STRING_MAX] for i in range(0, len(value), TXT_STRING_MAX)] or [""]
    return " ".join('"' + chunk.replace("\\", "\\\\").replace('"', '\\"') + '"' for chunk in chunks)


class KnotServer:
    def __init__(self, root: Path, *, zones: list[str]) -> None:
        self.root = Path(root).resolve()
        self.host = "127.0.0.1"
        self.port = free_port()
        self.zones = list(zones)
        self.serials = dict.fromkeys(self.zones, 1)
        self.records: dict[str, list[str]] = {zone: [] for zone in self.zones}
        self.process: subprocess.Popen[bytes] | None = None
        for folder in ("run", "storage", "zones"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self.config = self.root / "knot.conf"
        self.socket = self.root / "run" / "knot.sock"
        self.log = self.root / "knot.log"

    @property
    def resolver(self) -> str:
        return f"{self.host}:{self.port}"

    def _write_config(self) -> None:
        zones = "".join(f"  - domain: {zone}\n" for zone in self.zones)
        # As root, knotd would switch to the user "knot", who may not enter our folders.
        user = "  user: root\n" if os.geteuid() == 0 else ""
        self.config.write_text(
            "server:\n"
            f'  rundir: "{self.root / "run"}"\n'
            f"{user}"
            f"  listen: {self.host}@{self.port}\n"
            "control:\n"
            f'  listen: "{self.socket}"\n'
            "database:\n"
            f'  storage: "{self.root / "storage"}"\n'
            "log:\n"
            "  - target: stderr\n"
            "    any: warning\n"
            "template:\n"
            "  - id: default\n"
            f'    storage: "{self.root / "zones"}"\n'
            '    file: "%s.zone"\n'
            "    journal-content: none\n"
            "    zonefile-sync: -1\n"
            "    semantic-checks: off\n"
            f"zone:\n{zones}"
        )

    def _write_zone(self, zone: str) -> None:
        lines = [
            f"$ORIGIN {zone}.",
            "$TTL 60",
            f"@ SOA ns.{zone}. hostmaster.{zone}. {self.serials[zone]} 3600 600 86400 60",
            f"@ NS ns.{zone}.",
            f"ns A {self.host}",
            *self.records[zone],
        ]
        (self.root / "zones" / f"{zone}.zone").write_text("\n".join(lines) + "\n")

    def set_records(self, zone: str, records: list[str]) -> None:
        """The zone's records (beside its SOA and NS), served as soon as this returns."""
        self.records[zone] = list(records)
        self.serials[zone] += 1
        self._write_zone(zone)
        if self.process is not None:
            self._knotc("zone-reload", zone)
            self._wait_serial(zone)

    def _knotc(self, *arguments: str) -> None:
        done = subprocess.run(
            ["knotc", "-c", str(self.config), "-s", str(self.socket), "-b", *arguments],
            capture_output=True,
            text=True,
            timeout=20,
        )
        if done.returncode != 0:
            raise KnotError(f"knotc {' '.join(arguments)}: {done.stdout}{done.stderr}")

    def _serial(self, zone: str) -> int | None:
        query = dns.message.make_query(zone, dns.rdatatype.SOA)
        try:
            answer = dns.query.udp(query, self.host, port=self.port, timeout=0.5)
        except (OSError, dns.exception.DNSException):
            return None
        for rrset in answer.answer:
            for rdata in rrset:
                return int(rdata.serial)
        return None

    def _wait_serial(self, zone: str, *, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self._serial(zone) != self.serials[zone]:
            if self.process is not None and self.process.poll() is not None:
                raise KnotError(f"knotd stopped: {self.log.read_text()}")
            if time.monotonic() > deadline:
                raise KnotError(f"knotd does not serve {zone} serial {self.serials[zone]}: {self.log.read_text()}")
            time.sleep(0.05)

    def start(self) -> "KnotServer":
        self._write_config()
        for zone in self.zones:
            self._write_zone(zone)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(["knotd", "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT)
        for zone in self.zones:
            self._wait_serial(zone)
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self) -> "KnotServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
