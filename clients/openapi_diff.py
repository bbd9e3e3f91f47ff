"""What a generated client sees change between two sets of OpenAPI documents: the version, per
operation the scopes it declares, its required headers and whether it has a description, the
schema of its 200 answer, and schema names a generator cannot tell apart.

    ../.venv/bin/python openapi_diff.py BEFORE_DIR AFTER_DIR [--schema NAME ...]

Each directory holds <service>.json as export_openapi.py writes them; `--schema` also prints
the named component schemas' properties as they are after (e.g. ComposedSections).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def _summary(operation: dict[str, Any]) -> dict[str, Any]:
    security = operation.get("security")
    headers = [
        f"{p['name']}{' (required)' if p.get('required') else ''}"
        for p in operation.get("parameters", [])
        if p["in"] == "header"
    ]
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    answer = schema.get("$ref", "").rsplit("/", 1)[-1] if isinstance(schema, dict) else None
    return {
        "security": json.dumps(security) if security is not None else "none",
        "headers": ", ".join(headers) or "none",
        "description": "yes" if operation.get("description") else "no",
        "200": answer or ("free-form object" if schema else "none"),
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    if before["info"]["version"] != after["info"]["version"]:
        lines.append(f"  version: {before['info']['version']} -> {after['info']['version']}")
    old, new = _operations(before), _operations(after)
    for key in sorted(new, key=lambda k: (k.split()[1], k)):
        was = _summary(old[key]) if key in old else None
        now = _summary(new[key])
        changed = [
            f"      {field}: {was[field] if was else '(new operation)'} -> {value}"
            for field, value in now.items()
            if was is None or was[field] != value
        ]
        if changed:
            lines += [f"  {key}", *changed]
    for name in ("-Input", "-Output"):
        gone = [s for s in before["components"]["schemas"] if s.endswith(name)]
        left = [s for s in after["components"]["schemas"] if s.endswith(name)]
        if gone or left:
            lines.append(f"  schemas named *{name}: {gone} -> {left}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--schema", action="append", default=[])
    args = parser.parse_args()
    for path in sorted(args.after.glob("*.json")):
        after = json.loads(path.read_text(encoding="utf-8"))
        before = json.loads((args.before / path.name).read_text(encoding="utf-8"))
        print(f"{path.stem}:")
        print("\n".join(diff(before, after)) or "  no change")
        for name in args.schema:
            schema = after["components"]["schemas"].get(name)
            if schema is not None:
                print(f"  {name} (after): {json.dumps(schema.get('properties', schema))}")


if __name__ == "__main__":
    main()
