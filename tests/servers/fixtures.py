"""Pytest fixtures for the real servers of tests/servers (a plugin loaded by tests/conftest.py).

Each xdist worker gets its own servers, folders and ports; one Dovecot per session and
worker is shared, with fresh users per test (`dovecot_user`), so start-up is paid once.
"""

import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .dovecot import DovecotServer


def _traversable_folder(prefix: str) -> Path:
    # pytest's tmp folders are 0700 (root's): the unprivileged mail user could not reach its
    # Maildir there, so the servers' roots live in a folder of their own under /tmp.
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


@dataclass(frozen=True)
class ImapAccount:
    server: DovecotServer
    address: str
    password: str

    @property
    def maildir(self) -> Path:
        return self.server.maildir(self.address)


@contextmanager
def _dovecot_pool() -> Iterator[Callable[..., DovecotServer]]:
    servers: list[DovecotServer] = []

    def make(**options: Any) -> DovecotServer:
        server = DovecotServer(_traversable_folder("dovecot-"), **options)
        servers.append(server)
        return server

    try:
        yield make
    finally:
        for server in servers:
            server.stop()
            shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """One running Dovecot for the session (of this worker). Do not stop it: use dovecot_factory."""
    with _dovecot_pool() as make:
        yield make().start()


@pytest.fixture
def dovecot_factory() -> Iterator[Callable[..., DovecotServer]]:
    """Servers of the test's own (not started), stopped and removed after the test."""
    with _dovecot_pool() as make:
        yield make


@pytest.fixture
def dovecot_user(dovecot: DovecotServer) -> Callable[..., ImapAccount]:
    """Makes a fresh account on the shared server: `dovecot_user(sent_special_use=False)`."""

    def make(*, domain: str = "dupont-sa.ch", sent_special_use: bool = True) -> ImapAccount:
        address = f"u{secrets.token_hex(6)}@{domain}"
        password = secrets.token_urlsafe(12)
        dovecot.add_user(address, password, sent_special_use=sent_special_use)
        return ImapAccount(server=dovecot, address=address, password=password)

    return make
