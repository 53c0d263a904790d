"""A web worker's first request does not pay for the import machinery (issue 15).

Loading the URLconf used to import polars and numpy through registry.api →
exports → imports.entities (~0.9 s per worker). They load when an import
runs; a fresh interpreter proves it, since the test process has them already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("polars", "numpy", "pyarrow", "jieba")

PROBE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
import fazhi.registry.api, fazhi.registry.urls, fazhi.registry.views
registry = sorted(m for m in %(heavy)r if m in sys.modules)
from django.urls import get_resolver
get_resolver().url_patterns
everything = sorted(m for m in %(heavy)r if m in sys.modules)
print(json.dumps({"registry": registry, "urlconf": everything}))
"""


def _probe() -> dict[str, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE % {"heavy": HEAVY}],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_url_conf_does_not_import_the_heavy_libraries() -> None:
    loaded = _probe()
    # The registry's pages and API import none of them.
    assert loaded["registry"] == []
    # The whole URLconf: no polars (imports), no pyarrow, no jieba (loaded by
    # the worker warm-up instead, see config/warm.py). numpy still comes with
    # the inspections draw module.
    assert not {"polars", "pyarrow", "jieba"} & set(loaded["urlconf"])


def test_warm_loads_what_the_first_request_needs() -> None:
    probe = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from config.warm import warm
warm()
names = ("fazhi.registry.views", "fazhi.laws.search", "jieba")
print(sorted(m for m in names if m in sys.modules))
"""
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.strip().splitlines()[-1] == str(
        ["fazhi.laws.search", "fazhi.registry.views", "jieba"]
    )
