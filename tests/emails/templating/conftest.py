import multiprocessing
import time
from collections.abc import Callable
from typing import Any

import pytest


def _timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    # Processor time: what the call costs the server, however busy the machine running the tests.
    started = time.process_time()
    result = function(*args)
    return result, time.process_time() - started


@pytest.fixture
def guarded() -> Callable[..., tuple[Any, float]]:
    """Runs a call in a forked process, gives (result, seconds of processor): a stalled template fails its test only.

    A thread would not do: Jinja folding 9**(9**7) holds the interpreter in C for seconds.
    """

    def run(function: Callable[..., Any], *args: Any, timeout: float = 15) -> tuple[Any, float]:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            try:
                return pool.apply_async(_timed, (function, *args)).get(timeout=timeout)
            except multiprocessing.TimeoutError:
                pytest.fail(f"still running after {timeout} s")

    return run
