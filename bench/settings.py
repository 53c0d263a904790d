"""Settings for the production-server benchmark: the project's, plus a hello-world URL."""

from config.settings import *  # noqa: F403  # the benchmark measures the real settings

ROOT_URLCONF = "bench.urls"
