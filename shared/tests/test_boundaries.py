"""shared/ is a library: it never imports a service, and no service imports another."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {
    "municipal_shared": ROOT / "shared" / "municipal_shared",
    "budget_service": ROOT / "services" / "budget" / "budget_service",
    "indicator_service": ROOT / "services" / "indicators" / "indicator_service",
    "procurement_service": ROOT / "services" / "procurement" / "procurement_service",
}


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
