# The one image behind the web, worker, beat and migrate services (see deploy/README.md).

# --- build: the virtual environment, with a compiler and libpq's headers -------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gcc (build-essential) and libpq-dev (libpq's headers and pg_config) build psycopg2 from source.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# pyproject.toml declares no packages (`packages = []`): `pip install .` installs the dependencies
# and the code runs from /app. Copying only pyproject.toml keeps this layer cached until the
# dependencies change. The embedded development servers (the `embedded` extra) are not installed:
# DATABASE_URL and REDIS_URL are always set in production (deploy/README.md).
# The `production` extra is psycopg2, compiled here against Debian's libpq (`--no-binary`), as the
# psycopg project advises for production: the psycopg2-binary wheel (development's `dev` extra)
# bundles its own libpq and OpenSSL, which Debian's security updates of the image never reach.
COPY pyproject.toml ./
RUN pip install --no-binary psycopg2 '.[production]'

# --- runtime ---------------------------------------------------------------------------------------
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=crsv.settings \
    CRSV_ENV=production

# libpq5: the client library psycopg2 was compiled against, kept up to date by Debian.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 crsv \
    && useradd --system --uid 10001 --gid crsv --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin crsv \
    && install --directory --owner crsv --group crsv --mode 0750 /var/lib/crsv

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
# Owned by root and read-only to the app user: the running app cannot change its own code.
COPY . .

# collectstatic needs the production settings (whitenoise's manifest storage) to import. These
# values exist only for this one command: they are not kept in the image's environment, nothing
# connects to these URLs, and every container is given its real values at run time.
RUN CRSV_ENV=production \
    SECRET_KEY=collectstatic-only-build-time-key-never-used-by-a-running-container \
    DATABASE_URL=postgresql://build@127.0.0.1:1/build \
    REDIS_URL=redis://127.0.0.1:1/0 \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --no-input --verbosity 1

USER crsv:crsv
EXPOSE 8000

CMD ["gunicorn", "--config", "deploy/gunicorn_config.py", "crsv.wsgi:application"]
