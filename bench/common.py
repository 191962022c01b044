"""What every benchmark shares: timing statistics and one result row format."""

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

POSTGRES_URL_DEFAULT = "postgres://postgres@127.0.0.1:5432/bench"


@dataclass
class Result:
    bench: str
    case: str
    database: str
    n: int
    median_ms: float
    p95_ms: float
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def timed(function: Callable[[], object], *, repeat: int, warmup: int = 2) -> list[float]:
    """Wall-clock milliseconds of each call, after a few unmeasured warm-up calls."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def result_from_samples(*, bench: str, case: str, samples: list[float], extra: dict[str, Any] | None = None) -> Result:
    return Result(
        bench=bench,
        case=case,
        database=database_label(),
        n=len(samples),
        median_ms=round(statistics.median(samples), 3),
        p95_ms=round(percentile(samples, 0.95), 3),
        extra=extra or {},
    )


def database_label() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "postgresql" if url.startswith("postgres") else "sqlite"


def emit(result: Result) -> None:
    """One result line for the runner (bench/__main__.py) to collect."""
    print("RESULT " + json.dumps(result.as_dict()), flush=True)
