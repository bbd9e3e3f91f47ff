#!/usr/bin/env bash
# Prove that a TypeScript client generated from each service's OpenAPI document compiles:
# install the pinned npm tools, export the documents in-process, generate types, run tsc.
set -euo pipefail
cd "$(dirname "$0")"

read -ra SERVICES <<<"$(python3 ../deploy/declared_services.py name)"  # services.toml
PYTHON=../.venv/bin/python
if [[ ! -x $PYTHON ]]; then
  echo "clients: $PYTHON is missing; run 'make install' first" >&2
  exit 1
fi

npm ci --no-audit --no-fund --loglevel=error >/dev/null
rm -rf openapi generated
"$PYTHON" export_openapi.py >/dev/null

mkdir -p generated
for service in "${SERVICES[@]}"; do
  document="openapi/$service.json"
  out="generated/$service.ts"
  if ! log=$(npx --no-install openapi-typescript "$document" --output "$out" 2>&1); then
    echo "$log" >&2
    echo "$service: openapi-typescript failed" >&2
    exit 1
  fi
  node -e '
    const doc = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const paths = Object.keys(doc.paths ?? {}).length;
    const schemas = Object.keys(doc.components?.schemas ?? {}).length;
    console.log(`${process.argv[2]}: ${paths} paths, ${schemas} schemas -> ${process.argv[3]}`);
  ' "$document" "$service" "$out"
done

npx --no-install tsc -p .
echo "tsc: 0 errors"
