# Lift as one container. It builds from the same lock files as `make`: Python packages from
# requirements.lock, htmx from frontend/package.json + package-lock.json via `npm ci`.
#   docker build -t lift .
#   docker run -e LIFT_SECRET_KEY=... -v lift-data:/data -p 127.0.0.1:8000:8000 lift

# The pinned htmx, installed exactly as the Makefile does.
FROM node:20-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app/backend \
    LIFT_HOST=0.0.0.0 \
    LIFT_PORT=8000 \
    LIFT_DATA_DIR=/data
WORKDIR /app

COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# Lift runs as an unprivileged user that owns only the data directory, owner-only like the one
# Lift makes itself (a new named volume copies this mode).
RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin lift \
    && mkdir -p /data \
    && chown lift:lift /data \
    && chmod 700 /data

# settings.py finds the front end relative to backend/, so the repository layout is kept.
COPY backend/lift backend/lift
COPY frontend/templates frontend/templates
COPY frontend/static frontend/static
COPY frontend/content frontend/content
COPY --from=frontend /src/frontend/node_modules/htmx.org/dist/htmx.min.js frontend/static/vendor/htmx.min.js

USER lift
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('LIFT_PORT', '8000'), timeout=4)"]
CMD ["python", "-m", "lift", "run"]
