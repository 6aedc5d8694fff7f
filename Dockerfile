# Two stages: wheels are built in the first (with whatever a build needs), the second holds only
# the installed packages and the code, and runs as a non-root user. The same image runs web
# (gunicorn), the Celery worker and beat (docker-compose.yml).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt

FROM python:3.11-slim
# ENVIRONMENT=production unless the deployment says otherwise: the container then refuses to
# start without SECRET_KEY, HASH_KEY, ALLOWED_HOSTS, METRICS_TOKEN and the outside services'
# URLs (config/settings.py; .env.example lists every setting). docker-compose.yml runs it as
# the sandbox instead.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    ENVIRONMENT=production

WORKDIR /app
RUN useradd --create-home --uid 1000 app
COPY --from=build /wheels /wheels
COPY requirements.txt .
RUN pip install --no-index --find-links /wheels -r requirements.txt && rm -rf /wheels
COPY --chown=app:app . .
# collectstatic needs settings to import: the development defaults and a database URL it never
# connects to, for this one command (the static files are the same in every environment).
RUN ENVIRONMENT=development DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R app:app /app/var /app/staticfiles
USER app
EXPOSE 8000
# No gunicorn access log: the app writes one JSON line per request itself (apps/audit/middleware.py).
# PROMETHEUS_MULTIPROC_DIR, emptied at start: /metrics adds up the counters of all three workers.
# Only web sets it (the worker and beat run other commands and keep their counters in-process).
CMD ["sh", "-c", "export PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus && rm -rf $PROMETHEUS_MULTIPROC_DIR && mkdir -p $PROMETHEUS_MULTIPROC_DIR && exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers 3"]
