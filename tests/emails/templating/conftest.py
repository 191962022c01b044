import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import pytest


def _timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    # Processor time: what the call costs the server, however busy the machine running the tests.
    started = time.process_time()
    result = function(*args)
    return result, time.process_time() - started


def _timed_send(sender: Connection, function: Callable[..., Any], *args: Any) -> None:
    try:
        sender.send(("result", _timed(function, *args)))
    except BaseException as error:  # the child's failure, raised again in the test
        sender.send(("error", error))


@pytest.fixture
def guarded() -> Callable[..., tuple[Any, float]]:
    """Runs a call in a forked process, gives (result, seconds of processor): a stalled template fails its test only.

    A thread would not do: Jinja folding 9**(9**7) holds the interpreter in C for seconds. A
    plain process and a pipe, not a Pool: a Pool's worker forked from a test process that runs
    threads (the test servers') was seen to hang for ever on its queue's lock at terminate.
    """

    def run(function: Callable[..., Any], *args: Any, timeout: float = 15) -> tuple[Any, float]:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_timed_send, args=(sender, function, *args), daemon=True)
        process.start()
        sender.close()
        try:
            if not receiver.poll(timeout):
                pytest.fail(f"still running after {timeout} s")
            kind, value = receiver.recv()
        finally:
            if process.is_alive():
                process.kill()
            process.join()
            receiver.close()
        if kind == "error":
            raise value
        return value

    return run
