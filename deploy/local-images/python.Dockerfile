# A stand-in for python:3.11-slim, built from Debian's own packages on a machine that can reach
# Debian's and PyPI's registries but no image registry (deploy/compose-ci.sh builds it).
# Where deploy/Dockerfile touches its Python image, this one behaves alike: `python` and `pip`
# on PATH (pip installs outside a venv, as in the official image), `useradd`, `sh`, UTF-8,
# and the same interpreter in both stages, so the copied /app/.venv points at a real Python.
# Debian 12 carries Python 3.11 (3.11.2), the version the workspace asks for.
# It also trusts the certificate authorities the building host added to its own store
# (extra-ca/, copied from /usr/local/share/ca-certificates by compose-ci.sh), so a build behind
# a TLS-inspecting egress proxy the host trusts reaches PyPI; SSL_CERT_FILE points uv there.
ARG BASE_IMAGE=localhost/debian:bookworm
FROM ${BASE_IMAGE}
ARG DEBIAN_FRONTEND=noninteractive
ENV LANG=C.UTF-8 SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
COPY extra-ca/ /usr/local/share/ca-certificates/
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-pip python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && update-ca-certificates \
 && ln -s /usr/bin/python3 /usr/local/bin/python \
 && ln -s /usr/bin/pip3 /usr/local/bin/pip \
 && rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED
CMD ["python3"]
