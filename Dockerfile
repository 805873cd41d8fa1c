# Production image of the taxa service: the same steps as `make run`, with PostgreSQL.
#   docker build -t taxa .
#   docker run -e DATABASE_URL=postgresql+psycopg://user:pw@db:5432/taxa -p 8000:8000 taxa
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /srv/taxa

# WeasyPrint (the board's PDF report) needs Pango and a font; tzdata for Europe/Stockholm.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core tzdata \
    && rm -rf /var/lib/apt/lists/*

# Pinned dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml alembic.ini ./
COPY app ./app
COPY pricing ./pricing
COPY migrations ./migrations
COPY data ./data
# Editable, so app/ finds data/, migrations/ and alembic.ini beside it as in a checkout.
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --home /srv/taxa taxa \
    && mkdir -p /srv/taxa/var && chown taxa /srv/taxa/var

USER taxa
EXPOSE 8000

# Start-up step: migrate, load the bundled 2025 taxa into an empty database, then serve.
# DATABASE_URL must point at PostgreSQL (postgresql+psycopg://…); the SQLite default is for laptops.
CMD ["sh", "-c", "taxa migrate && taxa load-bundled && exec taxa serve --host 0.0.0.0 --port ${PORT:-8000} --workers ${WORKERS:-2}"]
