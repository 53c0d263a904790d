"""The production server under load: gunicorn + whitenoise, 20 concurrent clients.

Measures requests per second and p95 latency of the entity API list (plain
and filtered), the HTML entity list, law search and article search against a
hello-world view served by the same server in the same run (targets: API
entity list ≥ 40 % and HTML ≥ 20 % of hello-world, the searches and the
filtered list ≥ 25 %, p95 ≤ 150 ms; issues 13 and 15). Each case repeats one
URL, so it is answered from the read cache after the first request (as a
bureau's repeated views are until the next write); the lists are measured
again with the cache off, reported without a target.
The registry holds what bench_registry left (FAZHI_BENCH_ROWS, 1M by default),
or is loaded here when empty.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.harness import Bench

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("FAZHI_BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("FAZHI_BENCH_SERVER_SECONDS", "15"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server(port: int, log: Any = subprocess.DEVNULL, **env: str) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "LOG_REQUESTS": "false",
        # Steady state: a worker recycled mid-run (WEB_MAX_REQUESTS) costs a
        # warm-up that would be charged to whichever case was running.
        "WEB_MAX_REQUESTS": "0",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    if "READ_CACHE_MB" not in env:  # ./dev bench turns it off for the in-process benches
        environment.pop("READ_CACHE_MB", None)
    command = [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn"]
    return subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def _start_server(port: int, **env: str) -> subprocess.Popen[bytes]:
    server = _server(port, **env)
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/hello")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _load(
    port: int, path: str, headers: dict[str, str], *, warm_up: bool = False
) -> tuple[float, list[float]]:
    """CLIENTS keep-alive clients for SECONDS; return (requests/s, latencies).

    A warm-up pass forgives timeouts: on a busy machine some workers are
    still loading what they warm at start when the first one answers.
    """
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + SECONDS

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (ConnectionResetError, BrokenPipeError):
                # A worker recycled after WEB_MAX_REQUESTS closed this keep-alive
                # connection, as servers do: connect again, as browsers do.
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            except OSError as exc:  # a worker still warming up on a busy machine
                errors.append(f"{path}: {exc!r}")
                break
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                errors.append(f"{path}: {response.status}")
                break
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors and not warm_up:
        raise RuntimeError(errors[0])
    return len(latencies) / elapsed, latencies


def _get(port: int, path: str, headers: dict[str, str]) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status}")
    return elapsed


def cold_start(bench: Bench, size: str, headers: dict[str, str], repeat: int = 3) -> None:
    """A new worker's first request, once the worker says it is ready (issue 15).

    One worker, started afresh each time; its first request (the HTML entity
    list) is timed after gunicorn's ``post_worker_init`` warm-up logged that
    it is done, against the same request answered next by that worker.
    """
    path = "/registry/entities/"
    first: list[float] = []
    second: list[float] = []
    warmed: list[float] = []
    for _ in range(repeat):
        port = _free_port()
        with tempfile.TemporaryFile() as log:
            server = _server(
                port,
                log,
                WEB_WORKERS="1",
                LOG_LEVEL="INFO",
                LOG_FORMAT="text",
                READ_CACHE_MB="0",  # the second request renders too, not answered from memory
            )
            try:
                for _ in range(1200):
                    log.seek(0)
                    found = re.search(rb"worker warmed in ([0-9.]+) s", log.read())
                    if found:
                        warmed.append(float(found.group(1)))
                        break
                    if server.poll() is not None:
                        raise RuntimeError("gunicorn stopped")
                    time.sleep(0.05)
                else:
                    raise RuntimeError("the worker never said it was warm")
                first.append(_get(port, path, headers))
                second.append(_get(port, path, headers))
            finally:
                server.terminate()
                server.wait(timeout=60)
    warm = "HTML entity list, warm worker (2nd request)"
    bench.record(warm, statistics.median(second), size=size)
    bench.record(
        "HTML entity list, a new worker's 1st request",
        statistics.median(first),
        size=size,
        baseline=warm,
        target="≤ 300 ms",
    )
    bench.record("worker warm-up (post_worker_init)", statistics.median(warmed))


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def _ensure_entities() -> str:
    from bench import bench_registry
    from fazhi.registry.models import Entity

    org = bench_registry.setup_org()
    count = Entity.objects.count()
    if count == 0:
        with tempfile.TemporaryDirectory() as folder:
            path = bench_registry.write_csv(Path(folder) / "e.csv", bench_registry.CSV_ROWS)
            bench_registry.import_file(path, org)
        count = Entity.objects.count()
    return f"{count:,} entities"


def _credentials() -> tuple[dict[str, str], dict[str, str]]:
    from django.test import Client

    from fazhi.core import services
    from fazhi.core.models import User

    user = User.objects.get(username="bench_city")
    _token, key = services.token_issue(actor=user, user=user, name="bench")
    browser = Client()
    browser.force_login(user)
    browser.get("/registry/entities/")  # a browser holds the CSRF cookie its first page set
    cookie = "; ".join(
        f"{name}={browser.cookies[name].value}" for name in ("sessionid", "csrftoken")
    )
    return {"Authorization": f"Bearer {key}"}, {"Cookie": cookie}


def run(bench: Bench) -> None:
    from django.db import connection

    from bench.bench_laws import import_real_laws
    from fazhi.laws.models import Article

    size = entities = _ensure_entities()
    if not Article.objects.exists():  # bench_laws, run before, leaves its 100k articles
        import_real_laws()
    articles = f"{Article.objects.count():,} articles"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_entity")
    api_headers, page_headers = _credentials()
    port = _free_port()
    server = _start_server(port)
    # (name, path, headers, target, size): targets from issues 13 and 15.
    cases: list[tuple[str, str, dict[str, str], str, str]] = [
        ("hello world", "/bench/hello", {}, "", size),
        ("API entity list", "/api/v1/entities?per_page=50", api_headers, "≥ 40% of hello", size),
        (
            "API entity list, region + risk",
            "/api/v1/entities?per_page=50&region=370811&risk_level=high",
            api_headers,
            "≥ 25% of hello",
            size,
        ),
        ("HTML entity list", "/registry/entities/", page_headers, "≥ 20% of hello", size),
        (
            "API law search",
            "/api/v1/laws?" + urlencode({"q": "安全生产"}),
            api_headers,
            "≥ 25% of hello",
            articles,
        ),
        (
            "API article search",
            "/api/v1/articles/search?" + urlencode({"q": "安全生产"}),
            api_headers,
            "≥ 25% of hello",
            articles,
        ),
    ]
    results: dict[str, Any] = {}
    try:
        for name, path, headers, target, size in cases:
            _load(port, path, headers, warm_up=True)  # warm up every worker
            rate, latencies = _load(port, path, headers)
            results[name] = rate
            bench.record(
                f"{name} req/s ({CLIENTS} clients)",
                rate,
                size=size,
                unit="req/s",
                baseline=f"hello world req/s ({CLIENTS} clients)" if target else None,
                target=target,
            )
            bench.record(
                f"{name} p95 ({CLIENTS} clients)",
                _p95(latencies),
                size=size,
                target="≤ 150 ms" if target else "",
            )
    finally:
        server.terminate()
        server.wait(timeout=60)
    _without_read_cache(bench, cases[1:4])
    cold_start(bench, entities, page_headers)


def _without_read_cache(
    bench: Bench, cases: list[tuple[str, str, dict[str, str], str, str]]
) -> None:
    """The same lists with the read cache off: every request reads and renders.

    The cases above repeat one URL, so after the first answer they measure
    answers from memory (fazhi/core/read_cache.py), which a bureau's repeated
    list views get until the next write; these rows show the cost of a list
    that has to be made, against the same hello world.
    """
    port = _free_port()
    server = _start_server(port, READ_CACHE_MB="0")
    try:
        for name, path, headers, _target, size in cases:
            _load(port, path, headers, warm_up=True)
            rate, latencies = _load(port, path, headers)
            bench.record(
                f"{name}, read cache off, req/s ({CLIENTS} clients)",
                rate,
                size=size,
                unit="req/s",
                baseline=f"hello world req/s ({CLIENTS} clients)",
            )
            bench.record(
                f"{name}, read cache off, p95 ({CLIENTS} clients)", _p95(latencies), size=size
            )
    finally:
        server.terminate()
        server.wait(timeout=60)
