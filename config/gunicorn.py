"""Gunicorn settings for ``./dev serve --prod``, ``./dev demo`` and deploy/.

Read from the environment like the Django settings: WEB_WORKERS (default
2 x CPUs + 1), WEB_THREADS (default 4), WEB_TIMEOUT seconds (default 60),
WEB_MAX_REQUESTS (a worker is replaced after that many; default 50,000, 0 never),
TRUSTED_PROXIES (addresses whose X-Forwarded-* headers are believed).
Requests are logged by Django (``fazhi.request``), so gunicorn's own access
log stays off; its error log follows LOG_FORMAT like the rest.
"""

import multiprocessing
import os

from config.env import env_choice, env_int, env_list

wsgi_app = "config.wsgi:application"
workers = env_int("WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1, minimum=1)
threads = env_int("WEB_THREADS", 4, minimum=1)
worker_class = "gthread"
timeout = env_int("WEB_TIMEOUT", 60, minimum=5)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak cannot grow without bound.
# Not often: a new worker spends ~1.7 s of CPU warming up (post_worker_init),
# and at 5,000 the bench's hello world recycled a worker every few seconds and
# lost 90% of its throughput to warming.
max_requests = env_int("WEB_MAX_REQUESTS", 50_000, minimum=0)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = ",".join(env_list("TRUSTED_PROXIES", ["127.0.0.1"]))
accesslog = None
errorlog = "-"
_production = os.environ.get("FAZHI_ENV") == "production"
if env_choice("LOG_FORMAT", "json" if _production else "text", ("json", "text")) == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}
        },
    }


def post_worker_init(worker: object) -> None:
    """Load the URLconf, catalogs, busy templates and jieba before the first request."""
    from config.warm import warm

    warm()
