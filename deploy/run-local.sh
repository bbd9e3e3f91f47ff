#!/usr/bin/env bash
# Run the three services in the foreground on their default ports; Ctrl-C stops all of them,
# and so does any one of them dying.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'trap - EXIT; kill $(jobs -p) 2>/dev/null; wait' INT TERM EXIT
.venv/bin/python -m budget_service serve &
.venv/bin/python -m indicator_service serve &
.venv/bin/python -m procurement_service serve &
echo "budget http://127.0.0.1:8001/docs  indicators http://127.0.0.1:8002/docs  procurement http://127.0.0.1:8003/docs"
wait -n
