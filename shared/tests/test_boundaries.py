"""shared/ is a library: it never imports a service, and no service imports another."""

from __future__ import annotations

import ast
import importlib
import inspect
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


# The rooms of a service (shared/ARCHITECTURE.md); a service may leave out the ones it does not
# need, and nothing else stands at the top of its package but what EXTRA_ROOMS names.
ROOMS = {
    "__init__.py", "__main__.py", "main.py", "settings.py", "py.typed",
    "api", "schemas.py", "schemas_out.py", "models.py", "migrations",
    "repository", "use_cases", "rules", "vocabulary.py", "seed.py", "seed_data",
}  # fmt: skip
EXTRA_ROOMS = {
    # OCDS wire models, the packaged OCDS schemas, the relay's background task, and the
    # operator's re-key command.
    "procurement_service": {"schemas_ocds.py", "ocds_schemas", "worker.py", "rekey.py"},
    # The composed report as a Swedish page, PDF, CSV and XLSX: templates and their helpers.
    "indicator_service": {"rendering"},
}
REQUIRED_ROOMS = {"api", "schemas.py", "schemas_out.py", "models.py", "repository", "use_cases"}


def test_every_service_has_the_same_rooms() -> None:
    for package, folder in SERVICE_FOLDERS.items():
        present = {p.name for p in folder.iterdir() if p.name != "__pycache__"}
        assert REQUIRED_ROOMS | {"rules", "migrations"} <= present, package
        assert present <= ROOMS | EXTRA_ROOMS.get(package, set()), sorted(present - ROOMS)


def test_routes_reach_the_database_only_through_use_cases() -> None:
    """api/ parses, authorises, calls one use case and shapes the answer: no query, no
    repository, no commit there."""
    for package, folder in SERVICE_FOLDERS.items():
        for file in (folder / "api").glob("*.py"):
            text = file.read_text(encoding="utf-8")
            imported = _imported_modules(file)
            assert not {m for m in imported if m.startswith(f"{package}.repository")}, file
            session_type = {"sqlalchemy.ext.asyncio", "sqlalchemy.ext.asyncio.AsyncSession"}
            assert not {m for m in imported if m.startswith("sqlalchemy")} - session_type, file
            assert ".commit(" not in text and "select(" not in text, file


def _imported_modules(file: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return modules


def test_no_dependency_runs_in_the_thread_pool() -> None:
    """FastAPI runs a plain `def` dependency in a worker thread: two thread hops per request
    for what is a few attribute reads. Every dependency of every route is async."""
    for declared in DECLARED:
        module, _, factory = declared["app"].partition(":")
        app = getattr(importlib.import_module(module), factory)()
        for route in app.routes:
            stack = list(getattr(getattr(route, "dependant", None), "dependencies", []))
            while stack:
                dependency = stack.pop()
                stack.extend(dependency.dependencies)
                call = dependency.call
                if call is None:
                    continue
                target = call if inspect.isfunction(call) else type(call).__call__
                assert inspect.iscoroutinefunction(target), (declared["name"], route.path, call)
