"""Schemathesis over the whole API: run by .ci/run (FAZHI_FUZZ=1), not by ./dev test."""

import os

collect_ignore = [] if os.environ.get("FAZHI_FUZZ") == "1" else ["test_api_schema.py"]
