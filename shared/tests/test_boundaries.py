"""shared/ is a library: it never imports a service, and no service imports another."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DECLARED = tomllib.loads((ROOT / "services.toml").read_text(encoding="utf-8"))["service"]
SERVICE_FOLDERS = {s["package"]: ROOT / "services" / s["name"] / s["package"] for s in DECLARED}
PACKAGES = {"municipal_shared": ROOT / "shared" / "municipal_shared", **SERVICE_FOLDERS}


def _imported_roots(folder: Path) -> set[str]:
    roots: set[str] = set()
    for file in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots.add(node.module.split(".")[0])
    return roots


def test_no_package_imports_a_service_other_than_itself() -> None:
    services = set(PACKAGES) - {"municipal_shared"}
    for name, folder in PACKAGES.items():
        assert folder.is_dir(), folder
        foreign = (_imported_roots(folder) & services) - {name}
        assert not foreign, f"{name} imports {foreign}"


def test_every_type_ignore_names_its_error_and_says_why() -> None:
    """mypy runs strict on every package; a silenced error is a known, explained exception."""
    unexplained = []
    for folder in PACKAGES.values():
        for file in folder.rglob("*.py"):
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
                if "type: ignore" not in line:
                    continue
                _, _, rest = line.partition("type: ignore")
                code, _, reason = rest.partition("]")
                if not code.startswith("[") or not reason.strip().startswith("#"):
                    unexplained.append(f"{file.relative_to(ROOT)}:{number}")
    assert not unexplained, unexplained
