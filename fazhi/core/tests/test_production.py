"""The production path: settings, check --deploy, gunicorn + whitenoise, health, logs."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import Client, RequestFactory, override_settings

from fazhi.core.request_context import client_ip_of

REPO = Path(__file__).resolve().parents[3]
PROD_ENV = {
    "FAZHI_ENV": "production",
    "SECRET_KEY": "Zq8-vT1r_Xk3Lw9sNb4Hj7Yc2Pd6Fm0Ge5Ua8Ro1Ki3Wx7Ez9Tq",
    "DATABASE_URL": "postgres://fazhi@127.0.0.1:5432/fazhi",
    "ALLOWED_HOSTS": "fazhi.example.gov.cn",
    "AUDIT_ANCHOR_KEY": "a" * 40,
}


def _run(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "FAZHI_ENV",
            "DATABASE_URL",
            "ALLOWED_HOSTS",
            "AUDIT_ANCHOR_KEY",
            # Set by the browser tests in the same process; never in deployment.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    clean.update({"FAZHI_VAR_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}, **env)
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_without_warnings_in_production(tmp_path):
    result = _run(
        tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PROD_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_sqlite(tmp_path):
    env = {**PROD_ENV, "DATABASE_URL": "sqlite:///var/fazhi.sqlite3"}
    result = _run(tmp_path, ["-c", "import config.settings"], **env)
    assert result.returncode != 0
    assert "DATABASE_URL must be postgres://" in result.stderr


def test_production_defaults_are_strict(tmp_path):
    probe = (
        "import config.settings as s; import json; print(json.dumps([s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.TASKS['default']['BACKEND'],"
        " s.LOGGING['handlers']['console']['formatter']]))"
    )
    result = _run(tmp_path, ["-c", probe], **PROD_ENV)
    assert result.returncode == 0, result.stderr
    hsts, redirect, secure, backend, formatter = json.loads(result.stdout)
    assert hsts >= 31_536_000
    assert redirect is True
    assert secure is True
    assert backend == "django_tasks_db.DatabaseBackend"
    assert formatter == "json"


def test_production_refuses_to_start_without_the_audit_anchor_key(tmp_path):
    env = {k: v for k, v in PROD_ENV.items() if k != "AUDIT_ANCHOR_KEY"}
    result = _run(tmp_path, ["-c", "import config.settings"], **env)
    assert result.returncode != 0
    assert "AUDIT_ANCHOR_KEY must be set when FAZHI_ENV=production" in result.stderr


def test_default_task_backend_is_the_database_worker(tmp_path):
    result = _run(tmp_path, ["-c", "import config.settings as s; print(s.TASKS)"])
    assert result.returncode == 0, result.stderr
    assert "django_tasks_db.DatabaseBackend" in result.stdout


@pytest.mark.django_db
def test_health_answers_ok():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
@override_settings(ALLOWED_HOSTS=["fazhi.example.gov.cn"], SECURE_SSL_REDIRECT=True)
def test_health_answers_a_probe_calling_by_address():
    """The container's HEALTHCHECK asks 127.0.0.1, which ALLOWED_HOSTS does not name."""
    response = Client().get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert Client().get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400


@override_settings(TRUSTED_PROXIES=["10.0.0.1"])
def test_client_address_behind_a_trusted_proxy_is_the_last_untrusted_hop():
    factory = RequestFactory()
    proxied = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    assert client_ip_of(proxied) == "192.0.2.7"
    direct = factory.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert client_ip_of(direct) == "198.51.100.9"


@pytest.mark.django_db
def test_requests_are_logged_as_structured_records(caplog):
    with caplog.at_level(logging.INFO, logger="fazhi.request"):
        Client().get("/accounts/login/", REMOTE_ADDR="192.0.2.8")
    record = next(r for r in caplog.records if r.name == "fazhi.request")
    assert (record.method, record.path, record.status, record.client_ip) == (
        "GET",
        "/accounts/login/",
        200,
        "192.0.2.8",
    )


def test_json_log_formatter_writes_one_object_per_line(tmp_path):
    probe = (
        "import logging, logging.config, django; django.setup();"
        "log = logging.getLogger('fazhi.request');"
        "log.info('request', extra={'status': 200, 'path': '/x'})"
    )
    env = {**PROD_ENV, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = _run(tmp_path, ["-c", probe], **env)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["logger"] == "fazhi.request"
    assert (line["status"], line["path"], line["level"]) == (200, "/x", "INFO")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_gunicorn_serves_pages_static_files_and_health_with_debug_off(tmp_path):
    env = {"DEBUG": "false", "STATIC_MANIFEST": "true"}
    collected = _run(tmp_path, ["manage.py", "collectstatic", "--noinput", "-v", "0"], **env)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed_css = manifest["paths"]["fazhi/fazhi.css"]
    port = _free_port()
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    clean.update({"FAZHI_VAR_DIR": str(tmp_path), "WEB_WORKERS": "1", **env})
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:config.gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=REPO,
        env=clean,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
            assert json.loads(response.read()) == {"status": "ok", "database": "ok"}
        with urllib.request.urlopen(f"{base}/static/{hashed_css}", timeout=5) as response:
            assert response.status == 200
            assert "immutable" in response.headers["Cache-Control"]
        with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as response:
            assert f"/static/{hashed_css}" in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
