# The CryoAudit web application, served by gunicorn (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# matplotlib (server-side charts) keeps its font cache here; the app user has no home.
ENV MPLCONFIGDIR=/tmp/matplotlib
WORKDIR /app

# pg_dump/pg_restore 15 (Debian bookworm) for `manage.py backup`, `restore` and `backup_drill`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# Static files are collected at build time and served by whitenoise.
RUN DEBUG=0 SECRET_KEY=build-only-not-secret \
    EXPORT_PSEUDONYM_KEY=build-only-not-a-secret-just-long-enough-0123456789 \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 cryoaudit
USER cryoaudit
EXPOSE 8000
