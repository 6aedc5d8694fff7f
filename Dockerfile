# Production image: gunicorn for web; the same image runs the Celery worker and beat.
FROM python:3.11-slim

# ENVIRONMENT=production: the container refuses to start without SECRET_KEY, HASH_KEY,
# ALLOWED_HOSTS and the outside services' URLs (config/settings.py).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    ENVIRONMENT=production

WORKDIR /app
RUN useradd --create-home --uid 1000 app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# collectstatic needs settings to import: the development defaults and a database URL it never
# connects to, for this one command (the static files are the same in every environment).
RUN ENVIRONMENT=development DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
