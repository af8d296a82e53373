# One image for every service; SERVICE picks which app uvicorn serves (registry, incidents, activities,
# notifications). The operator CLI is in it too: `docker compose run --rm registry edu-clusters --help`.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# Dependencies first, in their own layer: a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir -p shared services cli && touch shared/__init__.py services/__init__.py cli/__init__.py \
    && pip install . && pip uninstall -y edu-clusters
COPY shared ./shared
COPY services ./services
COPY cli ./cli
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /app edu \
    && mkdir -p /app/var && chown edu /app/var
USER edu
ENV SERVICE=registry DATA_DIR=/app/var
EXPOSE 8000
# exec: uvicorn is PID 1 and gets SIGTERM, so the outbox relay and consumers stop cleanly.
CMD ["sh", "-c", "exec uvicorn --factory services.${SERVICE}.app:create_app --host 0.0.0.0 --port 8000 --no-access-log --timeout-graceful-shutdown 20"]
