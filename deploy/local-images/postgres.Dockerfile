# A stand-in for postgres:16, built from Debian's own postgresql package (PostgreSQL 15 on
# Debian 12) for a machine that reaches no image registry (deploy/compose-ci.sh builds it).
# Where the compose file touches the official image, this one behaves alike:
# - POSTGRES_USER, POSTGRES_PASSWORD (required) and POSTGRES_DB set up a new data directory;
# - /docker-entrypoint-initdb.d/*.sql, *.sql.gz and *.sh run once, on that first start, while
#   the server listens on its Unix socket only;
# - data in /var/lib/postgresql/data (PGDATA), password (scram-sha-256) over TCP from anywhere,
#   trust on the local socket; listens on 5432 on every address;
# - pg_isready and psql on PATH; stops on SIGINT (a fast shutdown, as STOPSIGNAL there).
ARG BASE_IMAGE=localhost/debian:bookworm
FROM ${BASE_IMAGE}
ARG DEBIAN_FRONTEND=noninteractive
ENV LANG=C.UTF-8
RUN mkdir -p /etc/postgresql-common \
 && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /docker-entrypoint-initdb.d /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
 && chmod 3777 /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
