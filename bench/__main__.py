"""`make bench`: runs every bench/bench_*.py, prints one table and writes var/bench/results.json.

Each benchmark module runs in its own process (Django's settings are per process) and
prints its results as JSON lines prefixed with RESULT. A module declares DATABASES, the
databases it is measured on ("sqlite", "postgresql").
"""

import argparse
import datetime
import importlib
import json
import os
import pkgutil
import platform
import subprocess
import sys
from pathlib import Path

from bench.common import POSTGRES_URL_DEFAULT

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "var" / "bench" / "results.json"


def postgres_url() -> str | None:
    url = os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL_DEFAULT)
    check = subprocess.run([sys.executable, "-m", "bench.pg", "ensure", url], capture_output=True, text=True, cwd=ROOT)
    if check.returncode != 0:
        print(f"PostgreSQL unreachable ({url}): its cases are skipped.\n{check.stderr}", file=sys.stderr)
        return None
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("only", nargs="*", help="names of the benchmark modules to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller data sets, for a smoke run")
    args = parser.parse_args()

    modules = sorted(m.name for m in pkgutil.iter_modules([str(ROOT / "bench")]) if m.name.startswith("bench_"))
    if args.only:
        modules = [m for m in modules if m in args.only or m.removeprefix("bench_") in args.only]
    # Every benchmark keeps its SQLite database and files there: a fresh clone has no var/bench/ yet.
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    pg_url = postgres_url()
    rows: list[dict] = []
    for module_name in modules:
        module = importlib.import_module(f"bench.{module_name}")
        for database in getattr(module, "DATABASES", ["sqlite"]):
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench"}
            if database == "postgresql":
                if pg_url is None:
                    continue
                env["DATABASE_URL"] = pg_url
            else:
                env["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'bench.sqlite3'}"
            if args.quick:
                env["BENCH_QUICK"] = "1"
            print(f"== {module_name} on {database}", file=sys.stderr, flush=True)
            process = subprocess.run(
                [sys.executable, "-m", f"bench.{module_name}"], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
            )
            for line in process.stdout.splitlines():
                if line.startswith("RESULT "):
                    rows.append(json.loads(line.removeprefix("RESULT ")))
            if process.returncode != 0:
                print(f"{module_name} on {database} failed (exit {process.returncode})", file=sys.stderr)
                return process.returncode

    print_table(rows)
    OUTPUT.write_text(
        json.dumps(
            {
                "at": datetime.datetime.now(datetime.UTC).isoformat(),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "results": rows,
            },
            indent=2,
        )
    )
    print(f"\nJSON: {OUTPUT}")
    return 0


def print_table(rows: list[dict]) -> None:
    headers = ["bench", "case", "database", "n", "median ms", "p95 ms", "extra"]
    table = [
        [
            r["bench"],
            r["case"],
            r["database"],
            str(r["n"]),
            f"{r['median_ms']:.2f}",
            f"{r['p95_ms']:.2f}",
            ", ".join(f"{k}={v}" for k, v in r["extra"].items()),
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in table)) if table else len(h) for i, h in enumerate(headers)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    sys.exit(main())
