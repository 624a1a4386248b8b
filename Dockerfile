FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# WeasyPrint dlopens Pango and HarfBuzz through cffi at run time; pip cannot provide them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# A writable home: gunicorn (25.1+) puts its control socket in ~/.gunicorn by default.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# The settings refuse to load with DEBUG off and no key; this key lives only in this step.
RUN DJANGO_SECRET_KEY=build-only-not-secret DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# An empty named volume takes the owner of the directory it is mounted over, so the
# media volume starts out writable by the app user.
RUN mkdir -p /data/media && chown app:app /data/media

ENV DJANGO_DEBUG=false \
    MEDIA_ROOT=/data/media

USER app

EXPOSE 8000

CMD ["gunicorn", "npo_portal.wsgi:application", "--bind=0.0.0.0:8000", "--workers=3", "--access-logfile=-"]
