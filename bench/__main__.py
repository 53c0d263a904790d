"""./dev bench [--db sqlite|postgres] [--only SUBSTRING] — run bench/bench_*.py."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _prepare_database(kind: str) -> str:
    if kind == "postgres":
        # Helpers sharing one server each name their own database.
        name = os.environ.get("FAZHI_BENCH_PG_NAME", "fazhi_bench")
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "root", "--if-exists", name], check=True
        )
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", name], check=True)
        return f"postgres://root@127.0.0.1:5432/{name}"
    path = ROOT / "var" / "bench.sqlite3"
    path.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return f"sqlite:///{path}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="./dev bench")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--only", default="", help="run modules whose name contains this")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = _prepare_database(args.db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # In-process benches time making an answer: a repeated request must not be
    # answered from the read cache (fazhi/core/read_cache.py). The server
    # bench starts its servers with the cache as configured for production.
    os.environ["READ_CACHE_MB"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from bench.harness import Bench

    bench = Bench(args.db)
    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    for name in modules:
        if args.only and args.only not in name:
            continue
        print(f"== {name} ({args.db})", flush=True)
        module = importlib.import_module(f"bench.{name}")
        module.run(bench)
    print()
    print(f"Benchmarks on {args.db}: medians; ratios are to baselines measured in this run")
    print(bench.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
