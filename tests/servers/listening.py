"""Waiting for a test server's port: until it greets, and, once told to stop, until it is closed.

A server's start command returns before it listens, and its stop command before the listener
is closed: a test that means "server up" or "server down" must wait for the port itself.
"""

import socket
import time


def greeting_wait(host: str, port: int, *, greeting: bytes, timeout: float, interval: float = 0.05) -> bool:
    """True once a connection to host:port is greeted with a line starting with `greeting`;
    False when that has not happened within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=1) as probe:
                if probe.recv(100).startswith(greeting):
                    return True
        except OSError:
            pass
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def closed_wait(host: str, port: int, *, timeout: float = 10.0) -> None:
    """Returns once nothing accepts connections on host:port (or after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.2).close()
        except OSError:
            return
        time.sleep(0.05)
