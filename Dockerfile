# syntax=docker/dockerfile:1
# One image for the four Saphan services and the console; compose and Kubernetes pick one by its command,
# e.g. `python -m services.referral`. Holds no secrets: everything comes from the environment.

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: install the project and its dependencies into a virtual environment -----------------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# A current pip: older ones (e.g. 23.2) fail to resolve the OpenTelemetry packages from a clean start.
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
# Only what the wheel is built from (tests, deploy files and local state stay out).
COPY pyproject.toml ./
COPY contracts ./contracts
COPY libs ./libs
COPY services ./services
# pip also byte-compiles the installed modules, so the read-only runtime never needs to.
RUN pip install .

# --- runtime: the virtual environment only, run by an unprivileged user ----------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="saphan" \
      org.opencontainers.image.description="Saphan: the four services (intake, referral, documents, audit) and the console"

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SAPHAN_VAR_DIR=/app/var

RUN groupadd --system --gid 10001 saphan \
 && useradd --system --uid 10001 --gid saphan --home-dir /app --no-create-home --shell /usr/sbin/nologin saphan \
 && mkdir -p /app/var/documents \
 && chown -R saphan:saphan /app/var

COPY --from=build /opt/venv /opt/venv

# The working directory holds no source, so `python -m services.<name>` imports the installed package.
WORKDIR /app
USER 10001:10001

# console 8000, intake 8001, referral 8002, documents 8003, audit 8004
EXPOSE 8000 8001 8002 8003 8004

CMD ["python", "-m", "services.intake"]
