#!/usr/bin/env bash
# Prove that the clients generated from each service's OpenAPI document are complete: install
# the pinned npm tools, export the documents in-process, generate TypeScript types and run tsc
# (also emitting check/ for tests/test_generated_clients.py), and generate a Python client per
# service with openapi-python-client (pinned in python-client.txt), failing on any warning.
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
rm -rf dist
npx --no-install tsc -p tsconfig.run.json  # the same sources, emitted for node (check/)

# Python: a generator that meets a part of a document it cannot type says WARNING and drops
# it (a response, a model); here any warning fails the build.
GENERATOR=../.tools/openapi-python-client
if [[ ! -x "$GENERATOR/bin/openapi-python-client" ]] \
  || ! cmp -s python-client.txt "$GENERATOR/python-client.txt"; then
  rm -rf "$GENERATOR"
  ../.tools/bin/uv venv --quiet --python "$PYTHON" "$GENERATOR"
  # --python: make exports UV_PYTHON, which would otherwise win over VIRTUAL_ENV.
  ../.tools/bin/uv pip install --quiet --python "$GENERATOR/bin/python" -r python-client.txt
  cp python-client.txt "$GENERATOR/python-client.txt"
fi
mkdir -p generated/python
for service in "${SERVICES[@]}"; do
  out="generated/python/${service}_client"
  log=$("$GENERATOR/bin/openapi-python-client" generate --path "openapi/$service.json" \
    --output-path "$out" --meta none --overwrite --config python-client.yaml 2>&1) || {
    echo "$log" >&2
    echo "$service: openapi-python-client failed" >&2
    exit 1
  }
  if grep -qi "warning" <<<"$log"; then
    echo "$log" >&2
    echo "$service: openapi-python-client warned (a part of the document was dropped)" >&2
    exit 1
  fi
  generated=$(find "$out/api" -name '*.py' ! -name '__init__.py' | wc -l)
  declared=$(node -e '
    const doc = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0));
  ' "openapi/$service.json")
  if [[ $generated -ne $declared ]]; then
    echo "$service: the Python client has $generated of $declared operations" >&2
    exit 1
  fi
  echo "$service: Python client, $generated of $declared operations -> $out"
done
