"""No source file is over 600 lines: a file that grows past it is split along a seam.

Counted: every tracked .py, .html and .js file (tests and scripts included).
Not counted: migrations (generated, append-only) and the apps' data/ folders
(rule data, law texts, templates shipped as data). A file the scan finds too
long is split, not exempted.
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 600
SUFFIXES = {".py", ".html", ".js"}
NOT_SOURCE = {"migrations", "data"}


def _tracked() -> list[str]:
    """The files git tracks (untracked scratch files in a checkout do not count)."""
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    return [name for name in out.split("\0") if name]


def counted(paths: list[str]) -> list[str]:
    return [
        path
        for path in paths
        if PurePosixPath(path).suffix in SUFFIXES
        and not NOT_SOURCE.intersection(PurePosixPath(path).parts[:-1])
    ]


def too_long(paths: list[str], lines_of=lambda p: len((ROOT / p).read_bytes().splitlines())):
    return {path: n for path in counted(paths) if (n := lines_of(path)) > LIMIT}


def test_no_source_file_is_over_the_limit():
    found = too_long(_tracked())
    listing = "\n".join(f"{path}: {n} lines" for path, n in sorted(found.items()))
    assert found == {}, f"split these files along a seam (limit {LIMIT}):\n{listing}"


def test_the_scan_counts_sources_and_skips_migrations_and_data():
    sizes = {
        "fazhi/x/views.py": 601,
        "fazhi/x/templates/x/page.html": 900,
        "fazhi/x/static/x/page.js": 700,
        "tests/test_big.py": 650,
        "fazhi/x/forms.py": 600,
        "fazhi/x/migrations/0001_initial.py": 5000,
        "fazhi/x/data/rules.json": 5000,
        "fazhi/x/data/seed.py": 5000,
        "docs/long.md": 5000,
    }
    found = too_long(sorted(sizes), lines_of=sizes.__getitem__)
    assert sorted(found) == [
        "fazhi/x/static/x/page.js",
        "fazhi/x/templates/x/page.html",
        "fazhi/x/views.py",
        "tests/test_big.py",
    ]
