# The portal's one image: web (gunicorn), worker, import worker, beat and the migrate step
# differ only in their command. Real users build on the public Python image; where no
# registry is reachable, BASE_IMAGE can be any Debian bookworm with python3 and python3-venv
# (deploy/smoke/base-image makes one with debootstrap).
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DEBIAN_FRONTEND=noninteractive

# WeasyPrint dlopens Pango and HarfBuzz through cffi at run time; pip cannot provide them.
# libharfbuzz-subset0 makes each PDF write about 0.5 s faster. pg_dump and pg_restore for
# `manage.py backup` and `restore` (PostgreSQL 15's, as the compose file's server).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

# A virtual environment, so the same steps work on the public image and on Debian's own
# python3 (which refuses system-wide pip installs).
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /tmp \
        --shell /usr/sbin/nologin app

WORKDIR /app

# WHEELHOUSE: a directory of prebuilt wheels mounted into the build (podman build -v), for
# builds without access to the package index. Empty: pip downloads from the index.
ARG WHEELHOUSE=
COPY requirements.txt .
RUN pip install ${WHEELHOUSE:+--no-index --find-links=$WHEELHOUSE} -r requirements.txt

COPY . .

# Static files are collected into the image: with DEBUG off the pages name hashed files
# from STATIC_ROOT's manifest, and without it they would fail. The settings refuse to load
# with DEBUG off and no key; this key lives only in this step.
RUN DJANGO_SECRET_KEY=build-only-not-secret DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput --verbosity=0

# An empty named volume takes the owner of the directory it is mounted over, so the
# media volume starts out writable by the app user.
RUN mkdir -p /data/media && chown app:app /data/media

ENV DJANGO_DEBUG=false \
    MEDIA_ROOT=/data/media \
    HOME=/tmp

# A numeric user, so Kubernetes can verify runAsNonRoot.
USER 10001:10001

EXPOSE 8000

# Nothing is written under /app at run time: the root filesystem may be read-only, with
# /tmp writable (gunicorn's worker heartbeat goes to /dev/shm).
CMD ["gunicorn", "npo_portal.wsgi:application", "--bind=0.0.0.0:8000", "--workers=3", \
     "--access-logfile=-", "--no-control-socket", "--worker-tmp-dir=/dev/shm"]
