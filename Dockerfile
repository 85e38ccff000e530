# Steady's production image: one image for web, worker, beat and migrations
# (see docker-compose.yml and deploy/kubernetes/ for the commands).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=backend.settings_production \
    STEADY_VAR_DIR=/app/var

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Every
# runtime dependency ships wheels for this image (psycopg[binary] brings its
# own libpq), so no compiler is needed.
COPY requirements.lock .
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

# A fixed uid/gid: the Kubernetes manifests run as 10001 (runAsNonRoot needs a number).
RUN groupadd --system --gid 10001 steady && useradd --system --uid 10001 --gid steady --home-dir /app --no-create-home steady

COPY --chown=steady:steady . .
# /app/keys: only where journal keys are imported from an old file store
# (docker-compose.yml, `migrate`); keys live in PostgreSQL now.
RUN mkdir -p /app/var /app/keys && chown steady:steady /app/var /app/keys

USER steady

# Static files are baked into the image (whitenoise serves them). The
# production settings refuse to start without SECRET_KEY and STEADY_KEK, so
# collectstatic gets throwaway ones that exist only in this build step.
RUN SECRET_KEY=collectstatic-only-not-a-secret STEADY_KEK=collectstatic-only-not-a-secret \
    python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000

# The web command; docker-compose.yml runs the worker and beat from the same
# image with their own commands. --no-proxy-headers: the app reads
# X-Forwarded-For itself, by TRUSTED_PROXY_COUNT (backend/client_ip.py);
# uvicorn rewriting the peer address from the same header by its own rule
# (FORWARDED_ALLOW_IPS) could make the two disagree.
CMD ["sh", "-c", "python manage.py migrate --noinput && exec uvicorn backend.asgi:application --host 0.0.0.0 --port 8000 --lifespan off --no-proxy-headers --ws websockets-sansio --ws-per-message-deflate false"]
