#!/bin/sh
# Container entrypoint: web (migrate, then gunicorn) | worker | any manage.py command.
set -eu
cd /opt/fazhi
case "${1:-web}" in
    web)
        .venv/bin/python manage.py migrate --noinput
        exec .venv/bin/python -m gunicorn --config python:config.gunicorn --bind 0.0.0.0:8000 ;;
    worker)
        .venv/bin/python manage.py exports_expire
        exec .venv/bin/python manage.py db_worker --queue-name '*' --no-reload ;;
    *)
        exec .venv/bin/python manage.py "$@" ;;
esac
