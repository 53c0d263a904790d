"""A small benchmark harness: median wall time and peak memory per case.

Each ``bench/bench_*.py`` module defines ``run(bench: Bench) -> None`` and
calls ``bench.measure(...)`` or ``bench.record(...)``. A case may name a
``baseline`` case measured in the same run; the report shows the ratio, so a
noisy shared machine compares like with like.
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _reset_peak() -> None:
    """Reset the process's peak RSS (Linux: writing 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        _CLEAR_REFS.write_text("5")


def peak_rss_mb() -> float:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def rss_mb() -> float:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


@dataclass
class Result:
    name: str
    size: str
    seconds: float
    peak_mb: float | None
    baseline: str | None = None
    target: str = ""
    unit: str = "s"


class Bench:
    def __init__(self, database: str) -> None:
        self.database = database
        self.results: list[Result] = []

    def measure(
        self,
        name: str,
        fn: Callable[[], Any],
        *,
        size: str = "",
        repeat: int = 5,
        baseline: str | None = None,
        target: str = "",
        setup: Callable[[], Any] | None = None,
    ) -> Result:
        """Run ``fn`` ``repeat`` times (after ``setup`` each time); keep the median."""
        times = []
        peak = 0.0
        for _ in range(repeat):
            if setup is not None:
                setup()
            gc.collect()
            start_rss = rss_mb()
            _reset_peak()
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
            peak = max(peak, peak_rss_mb() - start_rss)
        result = Result(name, size, statistics.median(times), peak, baseline, target)
        self.results.append(result)
        print(f"  {name}: {result.seconds:.4f} s (median of {repeat})", flush=True)
        return result

    def record(
        self,
        name: str,
        value: float,
        *,
        size: str = "",
        unit: str = "s",
        peak_mb: float | None = None,
        baseline: str | None = None,
        target: str = "",
    ) -> Result:
        """Record a value measured by the module itself (e.g. a p95 latency)."""
        result = Result(name, size, value, peak_mb, baseline, target, unit)
        self.results.append(result)
        print(f"  {name}: {value:.4f} {unit}", flush=True)
        return result

    def table(self) -> str:
        by_name = {r.name: r for r in self.results}
        header = ("case", "size", "value", "peak MB", "vs baseline", "target")
        rows = [header]
        for r in self.results:
            ratio = ""
            base = by_name.get(r.baseline or "")
            if base is not None and base.seconds > 0:
                ratio = f"{r.seconds / base.seconds:.2f}× {base.name}"
            value = (
                f"{r.seconds * 1000:.1f} ms"
                if r.unit == "s" and r.seconds < 1
                else f"{r.seconds:.3f} {r.unit}"
            )
            peak = "" if r.peak_mb is None else f"{r.peak_mb:.0f}"
            rows.append((r.name, r.size, value, peak, ratio, r.target))
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
        lines = []
        for i, row in enumerate(rows):
            lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)
