#!/usr/bin/env bash
# The docker-compose stack, started for real and tested through it, on a Debian machine with
# root and no Docker (make compose-test; .ci/run runs it last). It
#   1. installs podman, runc and debootstrap (Debian) and podman-compose (PyPI, a tool venv);
#   2. builds local stand-ins for the public images once, reused while they exist: a Debian
#      base (debootstrap), Python 3.11 and PostgreSQL from Debian's packages
#      (deploy/local-images), since no image registry can be reached;
#   3. builds the services' images from deploy/Dockerfile and brings docker-compose.yml up,
#      each service once what it depends on is healthy; waits until every service is healthy;
#   4. seeds, runs the cross-service suite (tests/) against the stack, fault tests included;
#   5. always tears the stack down (also on failure or Ctrl-C), printing each step's time.
#
# Settings (environment): COMPOSE_CI_PROJECT (municipal-steering-ci, so an operator's stack
# named municipal-steering on the same machine is never touched), COMPOSE_CI_CACHE
# (/var/cache/municipal-steering-ci: the tool venv, containers.conf), COMPOSE_CI_KEEP=1 (leave
# the stack up after the tests, for a look; `down` it yourself), PYTEST_ARGS (extra arguments).
#
# Podman here, and why each setting: runc (crun fails on this kernel's hybrid cgroups);
# ulimits within what the machine grants; cgroupfs and file events (no systemd). Podman 4.3
# (Debian 12) has no `wait --condition healthy`, so podman-compose starts dependants without
# waiting for `service_healthy`, and podman schedules health checks with systemd timers,
# which do not run without systemd: this script runs each container's health check every
# HEALTH_INTERVAL seconds itself (`podman healthcheck run`, the compose file's command), and
# starts the services in the order of their depends_on, each stage once the previous one is
# healthy, as compose does with `condition: service_healthy`.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PROJECT=${COMPOSE_CI_PROJECT:-municipal-steering-ci}
CACHE=${COMPOSE_CI_CACHE:-/var/cache/municipal-steering-ci}
PODMAN_COMPOSE_VERSION=1.6.0
HEALTH_INTERVAL=${HEALTH_INTERVAL:-5}
HEALTHY_WITHIN=${HEALTHY_WITHIN:-240}
BASE_IMAGE=localhost/debian:bookworm
export PYTHON_IMAGE=localhost/python:3.11-bookworm
export POSTGRES_IMAGE=localhost/postgres:15-bookworm
export CONTAINERS_CONF=$CACHE/containers.conf

STARTED=$(date +%s.%N)
TIMES=()
TICKER=
UP=0
CURRENT=() # the step under way and when it began, for a summary after Ctrl-C

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
log() { printf '[compose-ci %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# step NAME COMMAND...: run one step, print its time, and keep it for the summary. The step
# runs in a subshell with errexit in force (a function called from `||` would run without it).
step() {
  local name=$1 t0 rc
  shift
  t0=$(now)
  CURRENT=("$name" "$t0")
  log "==> $name"
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  CURRENT=()
  local took
  took=$(elapsed "$t0" "$(now)")
  TIMES+=("$(printf '%-44s %7s s%s' "$name" "$took" "$([ $rc = 0 ] || echo "  FAILED ($rc)")")")
  log "<== $name: ${took} s$([ $rc = 0 ] || echo ", failed ($rc)")"
  return $rc
}

# retry WHAT COMMAND...: three attempts, for steps that download (a registry's time-out). The
# command runs without errexit (as any command tested by `&&`): it returns its failures itself.
retry() {
  local what=$1 attempt
  shift
  for attempt in 1 2 3; do
    "$@" && return 0
    [ $attempt = 3 ] && return 1
    log "$what failed (attempt $attempt of 3): again"
  done
}

summary() {
  log "step times:"
  local line
  for line in "${TIMES[@]}"; do printf '    %s\n' "$line"; done
  printf '    %-44s %7s s\n' "total" "$(elapsed "$STARTED" "$(now)")"
}

compose() { "$CACHE/tools/bin/podman-compose" -p "$PROJECT" -f "$ROOT/docker-compose.yml" "$@"; }

containers() { # the project's containers (optionally of one service), by compose's labels
  podman ps -a --filter "label=com.docker.compose.project=$PROJECT" \
    ${1:+--filter "label=com.docker.compose.service=$1"} --format '{{.Names}}'
}

# --- 1. what the machine needs ----------------------------------------------------------------

configure_podman() {
  mkdir -p "$CACHE"
  cat >"$CONTAINERS_CONF" <<'EOF'
# Written by deploy/compose-ci.sh: what podman needs on these machines.
[containers]
# within the limits the machine grants a container
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
# crun fails on the hybrid cgroup hierarchy here
runtime = "runc"
# no systemd: cgroups and events without it
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
# netavark (installed with podman), not the CNI plugins it would otherwise look for
network_backend = "netavark"
EOF
}

install_host_packages() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  if [ ${#missing[@]} = 0 ]; then
    log "podman, runc and debootstrap are installed: $(podman --version)"
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "needs root to install ${missing[*]} (apt-get) and to run podman"
    return 1
  fi
  log "installing ${missing[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    podman runc debootstrap netavark aardvark-dns conmon iptables ca-certificates >/dev/null
  podman --version
}

install_podman_compose() {
  if [ "$("$CACHE/tools/bin/podman-compose" --version 2>/dev/null | head -1)" \
    != "podman-compose version $PODMAN_COMPOSE_VERSION" ]; then
    rm -rf "$CACHE/tools"
    python3 -m venv "$CACHE/tools"
    "$CACHE/tools/bin/pip" install --quiet --disable-pip-version-check \
      "podman-compose==$PODMAN_COMPOSE_VERSION" 2>&1 | grep -v "^WARNING: Location 'file:" || true
    "$CACHE/tools/bin/podman-compose" --version >/dev/null
  fi
  "$CACHE/tools/bin/podman-compose" --version | head -1
}

# --- 2. local stand-ins for the public images -------------------------------------------------

build_base_image() {
  if podman image exists "$BASE_IMAGE"; then
    log "$BASE_IMAGE exists: reused"
    return
  fi
  log "debootstrap --variant=minbase bookworm (Debian's packages)"
  retry debootstrap debootstrap_and_import
}

debootstrap_and_import() {
  local dir
  dir=$(mktemp -d /var/tmp/debootstrap.XXXXXX)
  debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian >"$dir.log" 2>&1 ||
    { tail -20 "$dir.log"; rm -rf "$dir" "$dir.log"; return 1; }
  local rc=0
  tar -C "$dir" -c . | podman import --quiet - "$BASE_IMAGE" || rc=$?
  rm -rf "$dir" "$dir.log"
  return $rc
}

# Built with podman's layer cache: an unchanged recipe costs a second, a changed one rebuilds.
build_stand_in() { # NAME DOCKERFILE
  local image=$1 recipe=$2 context
  context=$(mktemp -d)
  cp "deploy/local-images/$recipe" deploy/local-images/*.sh "$context/"
  mkdir "$context/extra-ca"
  # The host's own additions to its trust store (e.g. a TLS-inspecting egress proxy's CA),
  # so that pip and uv in the image reach PyPI as the host does.
  cp /usr/local/share/ca-certificates/*.crt "$context/extra-ca/" 2>/dev/null || true
  podman build --quiet --build-arg "BASE_IMAGE=$BASE_IMAGE" -f "$context/$recipe" \
    -t "$image" "$context" >/dev/null || { rm -rf "$context"; return 1; }
  rm -rf "$context"
  podman image inspect --format "$image {{.Id}}" "$image" | cut -c1-80
}

build_stand_ins() {
  retry "$PYTHON_IMAGE" build_stand_in "$PYTHON_IMAGE" python.Dockerfile
  retry "$POSTGRES_IMAGE" build_stand_in "$POSTGRES_IMAGE" postgres.Dockerfile
}

# --- 3. the stack -------------------------------------------------------------------------------

# Podman without systemd never runs health checks by itself: run them, as its timers would.
start_health_ticker() {
  (
    while sleep "$HEALTH_INTERVAL"; do
      for c in $(containers); do
        podman healthcheck run "$c" >/dev/null 2>&1 || true
      done
    done
  ) &
  TICKER=$!
}

# The services grouped by how deep they sit in depends_on: each stage needs only earlier ones.
stages() {
  "$CACHE/tools/bin/python" - "$ROOT/docker-compose.yml" <<'EOF'
import sys, yaml
services = yaml.safe_load(open(sys.argv[1]))["services"]
depth = {}
def level(name):
    if name not in depth:
        deps = services[name].get("depends_on") or {}
        depth[name] = 1 + max((level(d) for d in deps), default=-1)
    return depth[name]
for name in services:
    level(name)
for stage in range(max(depth.values()) + 1):
    print(" ".join(n for n in services if depth[n] == stage))
EOF
}

wait_healthy() { # SERVICE...
  local deadline=$((SECONDS + HEALTHY_WITHIN)) service container status pending
  while :; do
    pending=()
    for service in "$@"; do
      container=$(containers "$service")
      status=$(podman inspect --format '{{.State.Status}}/{{.State.Health.Status}}' \
        "$container" 2>/dev/null || echo missing)
      case $status in
        running/healthy) ;;
        *) pending+=("$service=$status") ;;
      esac
    done
    [ ${#pending[@]} = 0 ] && return 0
    if [ $SECONDS -ge $deadline ]; then
      log "not healthy within ${HEALTHY_WITHIN} s: ${pending[*]}"
      return 1
    fi
    sleep 1
  done
}

check_ports_free() {
  local port
  for port in $(python3 deploy/declared_services.py port); do
    if python3 -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)) != 0)"; then
      log "127.0.0.1:$port is in use (a running stack or make run?): the compose file publishes it"
      return 1
    fi
  done
}

# The builds download from PyPI: a download that times out is tried again (three attempts;
# what was built already comes from the layer cache).
compose_build() {
  local attempt
  for attempt in 1 2 3; do
    compose build >"$CACHE/build.log" 2>&1 && break
    grep -E '^(error|Error|  cause|hint)' "$CACHE/build.log" | tail -12
    if [ $attempt = 3 ]; then
      tail -40 "$CACHE/build.log"
      return 1
    fi
    log "compose build failed (attempt $attempt of 3): again"
  done
  podman images --filter "reference=localhost/${PROJECT}_*" --format '{{.Repository}} {{.Size}}'
}

# podman prints an error for each health check timer it cannot create without systemd, and
# the id of each network, pod and container it creates
without_timer_noise() {
  grep -v -e 'systemd connection' -e 'connect to syslog' -e 'not a TTY' -e '^[0-9a-f]\{64\}$' ||
    true
}

compose_up() {
  local stage t0 out
  while read -r stage; do
    t0=$(now)
    # shellcheck disable=SC2086
    out=$(compose up -d --no-deps $stage 2>&1) || { echo "$out"; return 1; }
    echo "$out" | without_timer_noise
    # shellcheck disable=SC2086
    wait_healthy $stage
    log "healthy: $stage ($(elapsed "$t0" "$(now)") s)"
  done < <(stages)
  podman ps --filter "label=com.docker.compose.project=$PROJECT" \
    --format '    {{.Names}}  {{.Status}}  {{.Ports}}'
}

seed() {
  local out service
  for service in $(python3 deploy/declared_services.py name:package --seed); do
    out=$(compose run --rm -T "${service%%:*}" python -m "${service##*:}" seed 2>&1) ||
      { echo "$out"; return 1; }
    echo "$out" | without_timer_noise
  done
}

run_suite() {
  [ -x .venv/bin/python ] || make install
  # SCHEMATHESIS (set by .ci/run's PostgreSQL pass) stays there: the fuzzing ran already.
  local urls=() service
  for service in $(python3 deploy/declared_services.py env_prefix:port); do
    urls+=("${service%%:*}_URL=http://127.0.0.1:${service##*:}")
  done
  env -u SCHEMATHESIS "${urls[@]}" \
    STACK_CONTAINER_ENGINE=podman STACK_COMPOSE_PROJECT="$PROJECT" \
    .venv/bin/python -m pytest tests -ra -p no:cacheprovider ${PYTEST_ARGS:-} |
    tee "$CACHE/suite.log"
  # Here the fault tests have all they need: a skip would hide that they did not run.
  if grep -q '^SKIPPED .*tests/test_stack_faults.py' "$CACHE/suite.log"; then
    log "the fault tests were skipped against the stack: see the reasons above"
    return 1
  fi
}

# The suite's counts as the last line: `stack: N passed, N failed, N skipped`.
suite_counts() {
  local line count
  line=$(grep -E '^=+ .* in [0-9.]+s' "$CACHE/suite.log" 2>/dev/null | tail -1) || return 0
  count() { echo "$line" | grep -oE "[0-9]+ $1" | grep -oE '[0-9]+' || echo 0; }
  printf 'stack: %s passed, %s failed, %s skipped\n' "$(count passed)" \
    "$(($(count failed) + $(count error)))" "$(count skipped)"
}

compose_down() {
  local out
  out=$(compose down -v 2>&1) || { echo "$out"; return 1; }
  echo "$out" | without_timer_noise
  # old build stages and replaced images (the cache of the last three days stays)
  podman image prune -f --filter until=72h >/dev/null 2>&1 || true
}

teardown() {
  local rc=$?
  trap - EXIT INT TERM
  if [ ${#CURRENT[@]} = 2 ]; then # interrupted in the middle of a step
    TIMES+=("$(printf '%-44s %7s s  INTERRUPTED' "${CURRENT[0]}" "$(elapsed "${CURRENT[1]}" "$(now)")")")
  fi
  if [ -n "$TICKER" ]; then
    kill "$TICKER" 2>/dev/null || true
    wait "$TICKER" 2>/dev/null || true
  fi
  if [ "$UP" = 1 ]; then
    if [ $rc != 0 ]; then
      log "failed ($rc): the last lines of each container's log"
      for c in $(containers); do
        echo "----- $c"
        podman logs --tail 30 "$c" 2>&1 | tail -30
      done
    fi
    if [ "${COMPOSE_CI_KEEP:-0}" = 1 ]; then
      log "COMPOSE_CI_KEEP=1: the stack stays up (project $PROJECT)"
    else
      step "compose down (containers, network, volume)" compose_down || true
    fi
  fi
  summary
  log "$([ $rc = 0 ] && echo passed || echo "FAILED ($rc)")"
  suite_counts
  exit $rc
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Secrets of this run only: the compose file requires them and writes none down.
POSTGRES_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
AUTH_DEV_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
PROCUREMENT_PERSONAL_DATA_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export POSTGRES_PASSWORD AUTH_DEV_SECRET PROCUREMENT_PERSONAL_DATA_KEY

configure_podman
rm -f "$CACHE/suite.log"
step "install podman, runc, debootstrap (apt)" install_host_packages
step "install podman-compose $PODMAN_COMPOSE_VERSION (PyPI)" install_podman_compose
step "base image $BASE_IMAGE" build_base_image
step "stand-in images (Python 3.11, PostgreSQL)" build_stand_ins
step "compose build (deploy/Dockerfile x3)" compose_build
compose down -v >/dev/null 2>&1 || true # whatever an interrupted run left behind
step "the published ports free on 127.0.0.1" check_ports_free
UP=1
start_health_ticker
step "compose up, every service healthy" compose_up
step "seed (compose run)" seed
step "cross-service suite against the stack" run_suite
