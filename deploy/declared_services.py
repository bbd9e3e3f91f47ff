"""The services of this system, as declared in services.toml at the root: one reader for
Python (`from declared_services import SERVICES` with deploy/ on the path) and for shell
scripts and the Makefile, which need only the standard library:

    python3 deploy/declared_services.py name            budget indicators procurement
    python3 deploy/declared_services.py package --seed  budget_service indicator_service
    python3 deploy/declared_services.py name:port       budget:8001 indicators:8002 ...
"""

from __future__ import annotations

import argparse
import importlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DECLARATION = Path(__file__).resolve().parents[1] / "services.toml"


@dataclass(frozen=True)
class Service:
    name: str
    package: str
    port: int
    env_prefix: str
    settings: str
    app: str
    seed: bool
    peers: tuple[str, ...]

    def peer_variable(self, peer: str) -> str:
        """The setting that holds a peer's base URL, e.g. INDICATORS_BUDGET_URL."""
        return f"{self.env_prefix}_{peer.upper()}_URL"

    def load(self, which: str) -> Any:
        """The object `settings` or `app` names ("module:attribute"), imported."""
        module, _, attribute = getattr(self, which).partition(":")
        return getattr(importlib.import_module(module), attribute)


def load(path: Path = DECLARATION) -> list[Service]:
    declared = tomllib.loads(path.read_text(encoding="utf-8"))["service"]
    services = [Service(**{**entry, "peers": tuple(entry["peers"])}) for entry in declared]
    names = [s.name for s in services]
    unknown = {peer for s in services for peer in s.peers} - set(names)
    if len(set(names)) != len(names) or unknown:
        raise ValueError(f"{path}: duplicate names or unknown peers {sorted(unknown)}")
    return services


SERVICES = load()


def main() -> None:
    parser = argparse.ArgumentParser(description="Print a field of every declared service.")
    parser.add_argument("fields", help="field names joined by ':' (name, package, port, ...)")
    parser.add_argument("--seed", action="store_true", help="only the services that seed")
    args = parser.parse_args()
    chosen = [s for s in SERVICES if s.seed or not args.seed]
    print(" ".join(":".join(str(getattr(s, f)) for f in args.fields.split(":")) for s in chosen))


if __name__ == "__main__":
    main()
