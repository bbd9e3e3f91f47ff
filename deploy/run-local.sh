#!/usr/bin/env bash
# Run every service declared in services.toml in the foreground on its default port; Ctrl-C
# stops all of them, and so does any one of them dying.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'trap - EXIT; kill $(jobs -p) 2>/dev/null; wait' INT TERM EXIT
for service in $(python3 deploy/declared_services.py name:package:port); do
  IFS=: read -r name package port <<<"$service"
  .venv/bin/python -m "$package" serve &
  echo "$name http://127.0.0.1:$port/docs"
done
wait -n
