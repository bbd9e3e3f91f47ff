"""The cross-service suite speaks HTTP only. With <ENV_PREFIX>_URL set for every service declared
in services.toml (BUDGET_URL, ...) it runs against that stack (docker-compose); otherwise it
starts the services as local processes on pre-bound sockets, on temporary SQLite files or, with
SYSTEM_TEST_POSTGRES (a server URL), on fresh PostgreSQL databases."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from system_kit import SERVICES, TEST_SETTINGS, LocalService


@pytest.fixture(scope="session")
def local_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LocalService]]:
    folder = tmp_path_factory.mktemp("system")
    services = {spec.name: LocalService(spec, folder) for spec in SERVICES}
    for service in services.values():
        for peer in service.spec.peers:
            service.env[service.spec.peer_variable(peer)] = services[peer].url
        service.env.update(TEST_SETTINGS.get(service.spec.name, {}))
        service.env["LOG_FORMAT"] = "json"  # test_observability_logs follows requests in them
    try:
        for service in services.values():
            service.cli("migrate")
            if service.spec.seed:
                service.cli("seed")
            service.start()
        for service in services.values():
            service.wait_ready()
        yield services
    finally:
        for service in services.values():
            service.stop()


@pytest.fixture(scope="session")
def urls(request: pytest.FixtureRequest) -> dict[str, str]:
    from_env = {s.name: os.environ.get(f"{s.env_prefix}_URL") for s in SERVICES}
    if all(from_env.values()):
        return {name: url for name, url in from_env.items() if url}
    services = request.getfixturevalue("local_services")
    return {name: service.url for name, service in services.items()}


@pytest.fixture(scope="session")
def own_processes(request: pytest.FixtureRequest) -> dict[str, LocalService]:
    """The local processes, for tests that stop and start a service; skipped against a stack
    given by URL (docker-compose), where the suite cannot stop services."""
    if all(os.environ.get(f"{s.env_prefix}_URL") for s in SERVICES):
        pytest.skip("needs services started by the suite itself")
    return request.getfixturevalue("local_services")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Schemathesis writes whatever its generated requests allow (renames a board, adds
    budgets): run it after every test that reads the seeded state."""
    items.sort(key=lambda item: "test_schemathesis" in item.nodeid)
